"""What the supervision documents share: scope, and staying frozen once issued.

An issued 督查通报 or 会议材料 is an official document: what was sent must stay what is
stored. The guard is kept at every level a write can come from:

- the model: save() and delete() refuse when the stored row is issued (or belongs to an
  issued document) — FrozenOnceIssued for the document, FrozenWithDocument for its rows;
- the queryset: update(), delete(), bulk_create() and bulk writes refuse when any affected
  row is issued, and bulk_create() with update_conflicts or ignore_conflicts is refused
  outright — FrozenQuerySetMixin;
- the database, on PostgreSQL: BEFORE INSERT/UPDATE/DELETE triggers
  (supervision/migrations/0010_issued_documents_frozen.py), so raw SQL is refused too.

The draft → issued transition itself is the last write allowed. Corrections are a new
document that refers to the old one (do_correct_bulletin).
"""


from django.core.exceptions import PermissionDenied
from django.db import models

from supervision.choices import BulletinStatus

ISSUED = BulletinStatus.ISSUED
CONFLICTS_REFUSED = "督查文件不支持冲突时覆盖或忽略的批量写入，请逐条起草或修改。"


class FrozenQuerySetMixin:
    """Bulk writes refused when any row they touch is (part of) an issued document.

    The model names the lookup that reaches the document's status (`frozen_lookup`, e.g.
    "status" or "bulletin__status") and, for rows of a document, the foreign key to it
    (`frozen_parent`), so that rows cannot be moved into or created under an issued one.
    """

    def _refuse_if_issued(self):
        if self.filter(**{self.model.frozen_lookup: ISSUED}).exists():
            raise PermissionDenied(self.model.frozen_message)

    def _refuse_issued_parents(self, parent_ids):
        parent = getattr(self.model, "frozen_parent", None)
        ids = {pk for pk in parent_ids if pk is not None}
        if not parent or not ids:
            return
        document = self.model._meta.get_field(parent).related_model
        if document._base_manager.filter(pk__in=ids, status=ISSUED).exists():
            raise PermissionDenied(self.model.frozen_message)

    def update(self, **kwargs):
        self._refuse_if_issued()
        parent = getattr(self.model, "frozen_parent", None)
        if parent:
            for key in (parent, f"{parent}_id"):
                if key in kwargs:
                    value = kwargs[key]
                    self._refuse_issued_parents([getattr(value, "pk", value)])
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_issued()
        return super().delete()

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False,
                    update_fields=None, unique_fields=None):
        # An upsert rewrites whichever stored row shares the key (an issued document, or a
        # row of one) without reading it first; an ignored conflict still gets a 新建 entry
        # in the history of the row it skipped. Nothing here needs either, so neither.
        if ignore_conflicts or update_conflicts:
            raise PermissionDenied(CONFLICTS_REFUSED)
        objs = list(objs)
        parent = getattr(self.model, "frozen_parent", None)
        if parent:
            self._refuse_issued_parents(getattr(o, f"{parent}_id") for o in objs)
        elif any(getattr(o, "status", None) == ISSUED for o in objs):
            # A document is issued by do_issue_*, never created issued in bulk.
            raise PermissionDenied(self.model.frozen_message)
        return super().bulk_create(objs, batch_size=batch_size)

    def _refuse_issued_objs(self, objs):
        if self.model._base_manager.filter(pk__in=[o.pk for o in objs if o.pk is not None],
                                           **{self.model.frozen_lookup: ISSUED}).exists():
            raise PermissionDenied(self.model.frozen_message)

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before Django opens its atomic block: an exception inside it would leave
        # the caller's transaction unusable.
        objs = list(objs)
        self._refuse_issued_objs(objs)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def tracked_bulk_update(self, objs, fields):
        objs = list(objs)
        self._refuse_issued_objs(objs)
        return super().tracked_bulk_update(objs, fields)


class FrozenOnceIssued(models.Model):
    """A document that can no longer be saved or deleted once its stored status is 已印发."""

    frozen_message = "已印发的文件不可修改。"
    frozen_lookup = "status"

    class Meta:
        abstract = True

    def _stored_issued(self) -> bool:
        # Not only when _state.adding is False: an instance built with the pk of an issued
        # row (Bulletin(pk=…).save()) saves as an UPDATE of that row.
        if self.pk is None:
            return False
        return type(self)._base_manager.filter(pk=self.pk, status=ISSUED).exists()

    def save(self, *args, **kwargs):
        # The stored status decides: the save that issues a draft is the last one allowed.
        if self._stored_issued():
            raise PermissionDenied(self.frozen_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_issued():
            raise PermissionDenied(self.frozen_message)
        return super().delete(*args, **kwargs)


class FrozenWithDocument(models.Model):
    """A row of a document (a bulletin's line, a rectification request): written only while
    the document is a draft, never once it is issued."""

    frozen_parent = "bulletin"
    frozen_message = "已印发的文件不可修改。"

    class Meta:
        abstract = True

    @classmethod
    def _document_model(cls):
        return cls._meta.get_field(cls.frozen_parent).related_model

    def _touches_issued(self) -> bool:
        parent_ids = {getattr(self, f"{self.frozen_parent}_id")}
        if self.pk is not None:
            # The row may be moved, or a new instance given a stored row's pk: the document
            # the stored row is under counts too.
            parent_ids |= set(type(self)._base_manager.filter(pk=self.pk).values_list(
                f"{self.frozen_parent}_id", flat=True))
        parent_ids.discard(None)
        return bool(parent_ids) and self._document_model()._base_manager.filter(
            pk__in=parent_ids, status=ISSUED).exists()

    def save(self, *args, **kwargs):
        if self._touches_issued():
            raise PermissionDenied(self.frozen_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._touches_issued():
            raise PermissionDenied(self.frozen_message)
        return super().delete(*args, **kwargs)
