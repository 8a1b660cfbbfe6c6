"""督查通报, their lines and the rectification each named unit files."""


from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import TrackedModel, TrackedQuerySet
from org.choices import Role
from org.models import Unit, user_unit_ids
from org.roles import Cap, has_cap
from supervision.choices import (
    BulletinSection,
    BulletinStatus,
    RectificationStatus,
)
from supervision.models.base import CITYWIDE as _CITYWIDE
from supervision.models.base import FrozenOnceIssued


class BulletinQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """The bureau sees drafts; others see issued bulletins (units: those naming them)."""
        if has_cap(user, Cap.SUPERVISE):
            return self.active()
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        issued = self.active().filter(status=BulletinStatus.ISSUED)
        if user.role in _CITYWIDE or user.role == Role.CITY_LEADER:
            return issued
        return issued.filter(lines__unit_id__in=user_unit_ids(user)).distinct()


class Bulletin(FrozenOnceIssued, TrackedModel):
    """督查通报: drafted from data, edited by the bureau, then issued and frozen."""

    title = models.CharField("标题", max_length=200)
    period_start = models.DateField("通报期间起")
    period_end = models.DateField("通报期间止")
    intro = models.TextField("导语", blank=True)
    requirements = models.TextField("工作要求", blank=True)
    status = models.CharField("状态", max_length=8, choices=BulletinStatus.choices,
                              default=BulletinStatus.DRAFT, db_index=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    number = models.PositiveSmallIntegerField("期号", null=True, blank=True)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    rectification_deadline = models.DateField("整改反馈期限", null=True, blank=True)
    docx = models.FileField("公文（docx）", upload_to="bulletins/", blank=True)
    pdf = models.FileField("公文（PDF）", upload_to="bulletins/", blank=True)
    sha256 = models.CharField("文件校验值", max_length=64, blank=True)

    objects = BulletinQuerySet.as_manager()
    frozen_message = "已印发的通报不可修改。"

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
        return f"〔{self.year}〕第{self.number}期" if self.number else "（未编号）"

    @property
    def is_issued(self) -> bool:
        return self.status == BulletinStatus.ISSUED


class BulletinLine(models.Model):
    """One named finding of a bulletin, linked to the facts that produced it."""

    bulletin = models.ForeignKey(Bulletin, verbose_name="通报", on_delete=models.CASCADE,
                                 related_name="lines")
    section = models.CharField("类别", max_length=20, choices=BulletinSection.choices)
    unit = models.ForeignKey(Unit, verbose_name="被通报单位", on_delete=models.PROTECT,
                             related_name="bulletin_lines")
    text = models.TextField("内容")
    facts = models.JSONField("依据", default=dict, help_text="项目、节点、填报或交办事项的编号")
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "通报内容"
        verbose_name_plural = "通报内容"
        ordering = ["bulletin", "section", "order"]

    def __str__(self):
        return self.text[:40]


class RectificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if has_cap(user, Cap.SUPERVISE):
            return self.all()
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        if user.role in _CITYWIDE or user.role == Role.CITY_LEADER:
            return self.all()
        return self.filter(unit_id__in=user_unit_ids(user))


class Rectification(models.Model):
    """整改反馈 a named unit owes for an issued bulletin."""

    bulletin = models.ForeignKey(Bulletin, verbose_name="通报", on_delete=models.PROTECT,
                                 related_name="rectifications")
    unit = models.ForeignKey(Unit, verbose_name="整改单位", on_delete=models.PROTECT,
                             related_name="rectifications")
    status = models.CharField("状态", max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.PENDING)
    text = models.TextField("整改情况", blank=True)
    submitted_at = models.DateTimeField("反馈时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = "整改反馈"
        verbose_name_plural = "整改反馈"
        ordering = ["bulletin", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "unit"],
                                               name="supervision_rectification_unique")]

    def __str__(self):
        return f"{self.unit} 整改反馈"

    @property
    def on_time(self) -> bool | None:
        if self.submitted_at is None:
            return None
        return timezone.localdate(self.submitted_at) <= self.bulletin.rectification_deadline
