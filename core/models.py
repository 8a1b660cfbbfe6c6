"""Base models, the change history and the tamper-evident audit trail."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone

from core.choices import AuditEventType, ChangeAction, ChangeSource
from core.dates import local_datetime
from core.history import current_context, history_fields, snapshot, to_jsonable


class TrackedQuerySet(models.QuerySet):
    """A queryset whose bulk writes are recorded like single saves."""

    def active(self):
        return self.filter(archived_at__isnull=True)

    def update(self, **kwargs):
        before = {obj.pk: snapshot(obj) for obj in self}
        count = super().update(**kwargs)
        after = {obj.pk: snapshot(obj) for obj in self.model._base_manager.filter(pk__in=before)}
        changes = [
            ObjectChange.build(obj_pk=pk, model=self.model, action=ChangeAction.UPDATE,
                               before=before[pk], after=data, repr_=None)
            for pk, data in after.items() if data != before.get(pk)
        ]
        ObjectChange.objects.bulk_create(changes)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        ObjectChange.objects.bulk_create(
            ObjectChange.build(obj_pk=obj.pk, model=self.model, action=ChangeAction.CREATE,
                               before=None, after=snapshot(obj), repr_=str(obj))
            for obj in created if obj.pk is not None
        )
        return created

    def tracked_bulk_update(self, objs, fields: list[str]) -> int:
        """Save `fields` of many instances at once, with their history.

        One query reads every "before", one executemany writes the rows (a
        parameterised UPDATE per row, sent in a batch; far cheaper than a save()
        per row or Django's CASE-per-field bulk_update), one insert writes the
        ObjectChange rows. Used by bulk imports.
        """
        from django.db import connections

        objs = [o for o in objs if o.pk is not None]
        if not objs:
            return 0
        model, db = self.model, self.db
        now = timezone.now()
        attnames = history_fields(model)
        before = {row["pk"]: to_jsonable({k: v for k, v in row.items() if k != "pk"})
                  for row in model._base_manager.using(db).filter(pk__in=[o.pk for o in objs])
                  .values("pk", *attnames)}
        columns = [model._meta.get_field(name) for name in fields]
        updated_at = model._meta.get_field("updated_at")
        connection = connections[db]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(f"{connection.ops.quote_name(f.column)} = %s"
                      for f in [*columns, updated_at]),
            connection.ops.quote_name(model._meta.pk.column))
        params = []
        for obj in objs:
            obj.updated_at = now
            params.append([f.get_db_prep_save(getattr(obj, f.attname), connection)
                           for f in [*columns, updated_at]] + [obj.pk])
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.executemany(sql, params)
            changes = []
            for obj in objs:
                after = snapshot(obj)
                if after != before.get(obj.pk):
                    changes.append(ObjectChange.build(
                        obj_pk=obj.pk, model=model, action=ChangeAction.UPDATE,
                        before=before.get(obj.pk), after=after, repr_=str(obj)))
            ObjectChange.objects.using(db).bulk_create(changes)
        return len(objs)

    def delete(self):
        raise PermissionDenied("业务记录不可删除，请归档。")


class TrackedModel(models.Model):
    """Base of every domain model: timestamps, creator, archive, change history.

    Records are archived, never deleted. Each save writes an ObjectChange row
    with the values before and after, attributed through core.history.
    """

    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )
    archived_at = models.DateTimeField("归档时间", null=True, blank=True, editable=False)

    objects = TrackedQuerySet.as_manager()

    # Fields whose changes are noise in the history (timestamps) or secrets.
    history_exclude: tuple[str, ...] = ("updated_at",)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def save(self, *args, **kwargs):
        creating = self._state.adding or self.pk is None
        before = None if creating else self._db_snapshot()
        if creating and self.created_by_id is None:
            self.created_by = current_context().actor_user()
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            after = snapshot(self)
            if creating:
                ObjectChange.record(self, ChangeAction.CREATE, None, after)
            elif before != after:
                action = ChangeAction.UPDATE
                if before and before.get("archived_at") is None and after.get("archived_at"):
                    action = ChangeAction.ARCHIVE
                elif before and before.get("archived_at") and after.get("archived_at") is None:
                    action = ChangeAction.RESTORE
                ObjectChange.record(self, action, before, after)
            self.after_tracked_save(before, after)

    def after_tracked_save(self, before: dict | None, after: dict) -> None:
        """Hook for a model that must react to its own change (e.g. audit a role change)."""

    def _db_snapshot(self):
        """The stored values, read as plain values (no model instance is built)."""
        fields = history_fields(type(self))
        row = type(self)._base_manager.filter(pk=self.pk).values(*fields).first()
        # values() gives file fields as their stored names, as snapshot() records them.
        return to_jsonable(row) if row is not None else None

    def delete(self, *args, **kwargs):
        raise PermissionDenied("业务记录不可删除，请归档。")

    def archive(self):
        if self.archived_at is None:
            self.archived_at = timezone.now()
            self.save()

    def restore(self):
        if self.archived_at is not None:
            self.archived_at = None
            self.save()


class ObjectChange(models.Model):
    """One change to one record: who, when, from where, before and after."""

    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor = models.CharField("操作者", max_length=200)
    source = models.CharField("来源", max_length=16, choices=ChangeSource.choices)
    request_id = models.UUIDField("请求编号", db_index=True)
    content_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField("对象编号")
    object_repr = models.CharField("对象", max_length=200)
    action = models.CharField("操作", max_length=16, choices=ChangeAction.choices)
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    @classmethod
    def build(cls, *, obj_pk, model, action, before, after, repr_):
        ctx = current_context()
        return cls(
            user=ctx.actor_user(), actor=ctx.actor_label()[:200], source=ctx.source,
            request_id=ctx.request_id, content_type=ContentType.objects.get_for_model(model),
            object_id=obj_pk, object_repr=(repr_ or f"#{obj_pk}")[:200], action=action,
            before=before, after=after,
        )

    @classmethod
    def record(cls, instance, action, before, after):
        change = cls.build(obj_pk=instance.pk, model=type(instance), action=action,
                           before=before, after=after, repr_=str(instance))
        change.save()
        return change

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field verbose name, before, after) for each field that differs."""
        before, after = self.before or {}, self.after or {}
        model = self.content_type.model_class()
        labels = {}
        if model is not None:
            for f in model._meta.concrete_fields:
                labels[f.attname] = str(f.verbose_name)
            for f in model._meta.many_to_many:
                labels[f.name] = str(f.verbose_name)
        keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
        return [(labels.get(k, k), before.get(k), after.get(k)) for k in keys]


def _record_m2m_change(sender, instance, action, reverse, **kwargs):
    """Many-to-many edits happen after save(); record them as their own change."""
    if reverse or not isinstance(instance, TrackedModel):
        return
    field = next((f for f in instance._meta.many_to_many
                  if f.remote_field.through is sender), None)
    if field is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance._m2m_before = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        before = getattr(instance, "_m2m_before", [])
        after = sorted(getattr(instance, field.name).values_list("pk", flat=True))
        if before != after:
            ObjectChange.record(instance, ChangeAction.UPDATE, {field.name: before},
                                {field.name: after})


m2m_changed.connect(_record_m2m_change, dispatch_uid="core.history.m2m")


# --- Audit trail ---------------------------------------------------------------


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("审计记录不可修改。")

    def delete(self):
        raise PermissionDenied("审计记录不可删除。")


class AuditChainHead(models.Model):
    """Singleton row locked while appending, so the hash chain never forks."""

    last_hash = models.CharField("最新哈希", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"


class AuditEvent(models.Model):
    """A security-relevant event (SPEC 9). Append-only; each row hashes the previous.

    Updates and deletes are refused here, in the queryset and by database
    triggers (see the migration); `manage.py verify_audit_chain` checks the chain.
    """

    time = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_constraint=False,
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    event_type = models.CharField("事件", max_length=32, choices=AuditEventType.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    success = models.BooleanField("成功", default=True)
    detail = models.JSONField("详情", default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]

    def __str__(self):
        # Shown in the admin and on the audit page: the local time, not the stored UTC.
        return (f"{local_datetime(self.time):%Y-%m-%d %H:%M:%S} {self.username} "
                f"{self.get_event_type_display()}")

    def compute_hash(self) -> str:
        payload = [
            self.time.astimezone(UTC).isoformat(), self.username, self.ip or "",
            self.event_type, self.object_type, self.object_id, self.object_repr,
            bool(self.success), self.detail, self.prev_hash,
        ]
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("审计记录不可修改。")
        self.detail = to_jsonable(self.detail or {})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("审计记录不可删除。")


# --- the working calendar's office-maintained days (core.workdays) ----------------------


class WorkdayOverrideQuerySet(TrackedQuerySet):
    def update(self, **kwargs):
        count = super().update(**kwargs)
        _workdays_changed()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        _workdays_changed()
        return created


class WorkdayOverride(TrackedModel):
    """A date the office declares a working day or a day off (工作日调整): the year's
    放假安排 before chinesecalendar has it, or a local correction. It wins over the package
    (core.workdays.is_workday); archive a row to withdraw it."""

    date = models.DateField("日期")
    is_workday = models.BooleanField("是否工作日", help_text="勾选：上班（含调休上班）；"
                                     "不勾选：放假")
    note = models.CharField("说明", max_length=100, blank=True,
                            help_text="如：2027年春节放假、2027年春节调休上班")

    objects = WorkdayOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(
            fields=["date"], condition=models.Q(archived_at__isnull=True),
            name="core_workdayoverride_one_per_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'}"


def _workdays_changed(**kwargs):
    """Every cached calendar lookup may be stale: forget them now, and again at commit (a
    lookup inside the transaction may have cached the uncommitted row)."""
    from core import workdays

    workdays.clear_cache()
    transaction.on_commit(workdays.clear_cache)


models.signals.post_save.connect(_workdays_changed, sender=WorkdayOverride,
                                 dispatch_uid="core_workday_override_saved")
models.signals.post_delete.connect(_workdays_changed, sender=WorkdayOverride,
                                   dispatch_uid="core_workday_override_deleted")
