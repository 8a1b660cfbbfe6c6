"""督查通报: the bulletin, its lines, the rectification it requests of each named unit,
and the responses the units file against that request.

The bulletin, its lines and its rectification requests are frozen once issued
(supervision/models/base.py); a unit's responses and the bureau's reviews of them are
rows of their own (RectificationResponse), so filing one never touches the document.
"""


from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from core.choices import ChangeAction
from core.history import snapshot
from core.models import ObjectChange, TrackedModel, TrackedQuerySet
from org.models import Unit, user_unit_ids
from org.roles import Cap, Reach, has_cap, reach_of
from supervision.choices import (
    BulletinSection,
    BulletinStatus,
    RectificationStatus,
)
from supervision.models.base import FrozenOnceIssued, FrozenQuerySetMixin, FrozenWithDocument

FROZEN = "已印发的通报不可修改，如需更正请起草更正通报。"


def _superseded(bulletin_ref: str) -> models.Exists:
    """Whether the bulletin at `bulletin_ref` has been corrected: an issued bulletin
    `corrects` it. The original stays frozen as it was; what it asked no longer stands."""
    return models.Exists(Bulletin._base_manager.filter(corrects=models.OuterRef(bulletin_ref),
                                                       status=BulletinStatus.ISSUED))


class BulletinQuerySet(FrozenQuerySetMixin, TrackedQuerySet):
    def in_force(self):
        """Bulletins not superseded by an issued correction (原通报同时废止)."""
        return self.exclude(_superseded("pk"))

    def overlapping(self, period_start, period_end):
        """Drafts and issued bulletins still in force whose period shares a day with the
        given one: a second bulletin for the same week names the same units twice."""
        return (self.active().in_force()
                .filter(period_start__lte=period_end, period_end__gte=period_start)
                .order_by("period_start", "pk"))

    def visible_to(self, user):
        """The bureau sees drafts; others see issued bulletins (units: those naming them)."""
        if has_cap(user, Cap.SUPERVISE):
            return self.active()
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        issued = self.active().filter(status=BulletinStatus.ISSUED)
        if reach_of(user) in (Reach.CITY, Reach.ASSIGNMENTS):  # a leader reads every bulletin
            return issued
        return issued.filter(lines__unit_id__in=user_unit_ids(user)).distinct()


class BulletinCounter(models.Model):
    """The last 发文顺序号 given in a year.

    Issuing locks this row (select_for_update) in the issue's transaction, so two clerks
    issuing at once queue for a moment and get consecutive numbers. A Max() over the
    bulletins cannot do this: select_for_update() followed by aggregate() takes no lock.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    last_number = models.PositiveIntegerField("已用顺序号", default=0)

    class Meta:
        verbose_name = "通报编号计数"
        verbose_name_plural = "通报编号计数"

    def __str__(self):
        return f"{self.year}年已编至{self.last_number}号"


class Bulletin(FrozenOnceIssued, TrackedModel):
    """督查通报: drafted from data, edited by the bureau, then issued and frozen."""

    title = models.CharField("标题", max_length=200)
    period_start = models.DateField("通报期间起")
    period_end = models.DateField("通报期间止")
    intro = models.TextField("导语", blank=True)
    commendations = models.TextField("通报表扬", blank=True,
                                     help_text="由起草人撰写，每行一段，印在通报事项之前")
    requirements = models.TextField("工作要求", blank=True)
    status = models.CharField("状态", max_length=8, choices=BulletinStatus.choices,
                              default=BulletinStatus.DRAFT, db_index=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    number = models.PositiveSmallIntegerField("期号", null=True, blank=True)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    rectification_deadline = models.DateField("整改反馈期限", null=True, blank=True)
    # Written at issue from settings and the lines, so the record says what the files say
    # even after the settings change.
    doc_number = models.CharField("发文字号", max_length=40, blank=True)
    issuer = models.CharField("发文机关署名", max_length=100, blank=True)
    recipients = models.CharField("主送机关", max_length=500, blank=True)
    # 版记 (GB/T 9704 7.4), also written at issue: 抄送机关 (empty: no 抄送 line), 印发机关.
    cc = models.CharField("抄送机关", max_length=500, blank=True)
    printer = models.CharField("印发机关", max_length=100, blank=True)
    corrects = models.ForeignKey("self", verbose_name="更正的通报", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections",
                                 help_text="本通报更正的已印发通报；原通报保持不变")
    docx = models.FileField("公文（docx）", upload_to="bulletins/", blank=True)
    pdf = models.FileField("公文（PDF）", upload_to="bulletins/", blank=True)
    sha256 = models.CharField("文件校验值", max_length=64, blank=True)

    objects = BulletinQuerySet.as_manager()
    frozen_message = FROZEN

    class Meta:
        verbose_name = "督查通报"
        verbose_name_plural = "督查通报"
        ordering = ["-period_end", "-pk"]
        constraints = [models.UniqueConstraint(fields=["year", "number"],
                                               name="supervision_bulletin_number_unique")]

    def __str__(self):
        return f"{self.number_label} {self.title}" if self.number else self.title

    def get_absolute_url(self):
        return reverse("supervision:bulletin_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("supervision:bulletin_history", args=[self.pk])

    @property
    def number_label(self) -> str:
        """发文字号 as printed on the document (GB/T 9704 7.2.3), e.g. 示督通〔2026〕3号."""
        return self.doc_number or "（未编号）"

    @property
    def is_issued(self) -> bool:
        return self.status == BulletinStatus.ISSUED

    @cached_property
    def superseded_by(self) -> "Bulletin | None":
        """The issued correction that voided this bulletin, if any."""
        return (Bulletin._base_manager.filter(corrects=self, status=BulletinStatus.ISSUED)
                .order_by("issued_at", "pk").first()) if self.pk else None

    @property
    def recipients_text(self) -> str:
        """主送机关 without the document's closing colon, for a sentence on a page."""
        return self.recipients.rstrip("：")

    @property
    def requirement_lines(self) -> list[str]:
        """工作要求, one paragraph a line, as the document prints them."""
        return [t.strip() for t in self.requirements.splitlines() if t.strip()]

    @property
    def commendation_lines(self) -> list[str]:
        """通报表扬, one paragraph a line, as the document prints them."""
        return [t.strip() for t in self.commendations.splitlines() if t.strip()]

    def draft_digest(self) -> str:
        """A fingerprint of everything the clerk can change in the draft, as stored.

        The 签发 confirmation carries the digest of the draft it previewed; issuing refuses
        when the stored draft no longer matches (edited in another tab meanwhile), so what
        is issued is what was read.
        """
        import hashlib
        import json

        lines = list(BulletinLine.objects.filter(bulletin=self)
                     .order_by("section", "order", "pk")
                     .values_list("pk", "section", "unit_id", "text", "order"))
        content = [self.title, self.intro, self.commendations, self.requirements,
                   self.rectification_deadline.isoformat() if self.rectification_deadline
                   else "", lines]
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


class BulletinLineQuerySet(FrozenQuerySetMixin, TrackedQuerySet):
    def remove_from_draft(self) -> int:
        """Delete lines of a draft: they were never part of any document. TrackedModel rows
        are otherwise archived, not deleted; here the history keeps each line's text (the
        change is recorded as 归档, with nothing after it)."""
        self._refuse_if_issued()
        lines = list(self)
        ObjectChange.objects.bulk_create(
            ObjectChange.build(obj_pk=line.pk, model=self.model, action=ChangeAction.ARCHIVE,
                               before=snapshot(line), after=None, repr_=str(line))
            for line in lines)
        return self.model._base_manager.filter(pk__in=[line.pk for line in lines]).delete()[0]


class BulletinLine(FrozenWithDocument, TrackedModel):
    """One named finding of a bulletin, linked to the facts that produced it.

    `facts` holds the ids behind the line (projects, milestones, reports, action items)
    and, for overdue milestones, what the document prints about each (name, project,
    planned date), so an issued line reads the same after the milestone changes.
    """

    bulletin = models.ForeignKey(Bulletin, verbose_name="通报", on_delete=models.CASCADE,
                                 related_name="lines")
    section = models.CharField("类别", max_length=20, choices=BulletinSection.choices)
    unit = models.ForeignKey(Unit, verbose_name="被通报单位", on_delete=models.PROTECT,
                             related_name="bulletin_lines")
    text = models.TextField("内容")
    facts = models.JSONField("依据", default=dict, help_text="项目、节点、填报或交办事项的编号")
    order = models.PositiveIntegerField("顺序", default=0)

    objects = BulletinLineQuerySet.as_manager()
    frozen_message = FROZEN
    frozen_lookup = "bulletin__status"

    class Meta:
        verbose_name = "通报内容"
        verbose_name_plural = "通报内容"
        ordering = ["bulletin", "section", "order"]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self):
        return self.bulletin.get_absolute_url()

    @property
    def overdue_milestones(self) -> list[dict]:
        """The overdue milestones as printed: project, name, planned date, days late."""
        return self.facts.get("milestone_list", [])

    @property
    def red_projects(self) -> list[dict]:
        """The red projects as printed: name, code and the reasons their status gave."""
        return self.facts.get("project_list", [])


class RectificationQuerySet(FrozenQuerySetMixin, TrackedQuerySet):
    def in_force(self):
        """Requests of bulletins not superseded by an issued correction: the correction
        asks its named units again, so the original's requests are no longer owed."""
        return self.exclude(_superseded("bulletin_id"))

    def visible_to(self, user):
        if has_cap(user, Cap.SUPERVISE):
            return self.all()
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        if reach_of(user) in (Reach.CITY, Reach.ASSIGNMENTS):  # a leader reads every bulletin
            return self.all()
        return self.filter(unit_id__in=user_unit_ids(user))

    def with_state(self):
        """Each request annotated with its latest response's state (`state`, None while
        nothing is filed) and time (`state_at`), for filters in the database."""
        latest = (RectificationResponse.objects.filter(rectification=models.OuterRef("pk"))
                  .order_by("-submitted_at", "-pk"))
        return self.annotate(state=models.Subquery(latest.values("status")[:1]),
                             state_at=models.Subquery(latest.values("submitted_at")[:1]))

    def owed(self):
        """Requests the unit still has to answer: nothing filed yet, or the latest returned
        (what `status in (PENDING, RETURNED)` meant before responses were rows), of a
        bulletin still in force."""
        return self.in_force().with_state().filter(models.Q(state__isnull=True)
                                        | models.Q(state=RectificationStatus.RETURNED))

    def with_responses(self):
        """Responses prefetched in filing order, for status, latest and on_time."""
        return self.prefetch_related(models.Prefetch(
            "responses", queryset=RectificationResponse.objects.select_related(
                "submitted_by", "reviewed_by").order_by("submitted_at", "pk")))


class Rectification(FrozenWithDocument, TrackedModel):
    """整改要求: what an issued bulletin asks of one named unit (feedback by the bulletin's
    deadline). Created at issue and frozen with the bulletin; the unit's answers are
    RectificationResponse rows."""

    bulletin = models.ForeignKey(Bulletin, verbose_name="通报", on_delete=models.PROTECT,
                                 related_name="rectifications")
    unit = models.ForeignKey(Unit, verbose_name="整改单位", on_delete=models.PROTECT,
                             related_name="rectifications")

    objects = RectificationQuerySet.as_manager()
    frozen_message = FROZEN
    frozen_lookup = "bulletin__status"

    class Meta:
        verbose_name = "整改要求"
        verbose_name_plural = "整改要求"
        ordering = ["bulletin", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "unit"],
                                               name="supervision_rectification_unique")]

    def __str__(self):
        return f"{self.unit} 整改要求"

    def get_absolute_url(self):
        return self.bulletin.get_absolute_url()

    @property
    def response_list(self) -> list["RectificationResponse"]:
        """All responses in filing order (prefetched by with_responses(), else a query)."""
        return sorted(self.responses.all(), key=lambda r: (r.submitted_at, r.pk))

    @property
    def latest(self) -> "RectificationResponse | None":
        return self.response_list[-1] if self.response_list else None

    @property
    def status(self) -> str:
        """待整改反馈 until a response is filed; then the latest response's state."""
        return self.latest.status if self.latest else RectificationStatus.PENDING

    def get_status_display(self) -> str:
        return RectificationStatus(self.status).label

    @property
    def may_respond(self) -> bool:
        return self.status in (RectificationStatus.PENDING, RectificationStatus.RETURNED)

    @property
    def on_time(self) -> bool | None:
        """Whether the latest response came in by the deadline (None before any)."""
        if self.latest is None:
            return None
        return timezone.localdate(self.latest.submitted_at) <= self.bulletin.rectification_deadline


class RectificationResponse(TrackedModel):
    """整改反馈: one response a unit files against a request, and the bureau's review of it.

    A returned response stays as it was; the unit files a new one. The whole exchange is
    kept, while the request it answers stays frozen with the bulletin.
    """

    rectification = models.ForeignKey(Rectification, verbose_name="整改要求",
                                      on_delete=models.PROTECT, related_name="responses")
    text = models.TextField("整改情况")
    status = models.CharField("状态", max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.SUBMITTED)
    submitted_at = models.DateTimeField("反馈时间", default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "整改反馈"
        verbose_name_plural = "整改反馈"
        ordering = ["rectification", "submitted_at", "pk"]

    def __str__(self):
        return f"{self.rectification.unit} 整改反馈"

    def get_absolute_url(self):
        return self.rectification.bulletin.get_absolute_url()
