"""The accountability ladder: rules, proposed and decided steps, interview records."""


from django.conf import settings
from django.db import models

from core.models import TrackedModel, TrackedQuerySet
from org.models import Unit, user_unit_ids
from org.roles import Cap, has_cap, sees_whole_city
from supervision.choices import (
    EscalationLevel,
    EscalationStatus,
)


class EscalationRule(models.Model):
    """A trigger of the escalation ladder; the thresholds are data the bureau edits."""

    key = models.SlugField("规则标识", unique=True)
    name = models.CharField("规则", max_length=100)
    level = models.CharField("建议措施", max_length=16, choices=EscalationLevel.choices)
    threshold = models.PositiveSmallIntegerField("阈值", default=2,
                                                 help_text="次数或期数，含义见规则说明")
    window_days = models.PositiveSmallIntegerField("统计天数", default=183)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "问责升级规则"
        verbose_name_plural = "问责升级规则"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class EscalationQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        if sees_whole_city(user):
            return self.active()
        # A unit sees the measures decided about it, not the bureau's proposals.
        return self.active().filter(unit_id__in=user_unit_ids(user),
                                    status=EscalationStatus.CONFIRMED)


class EscalationStep(TrackedModel):
    """One step on a unit's ladder, proposed by a rule or by the bureau, decided by a person."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT,
                             related_name="escalations")
    level = models.CharField("措施", max_length=16, choices=EscalationLevel.choices)
    reason = models.TextField("理由")
    rule = models.ForeignKey(EscalationRule, verbose_name="触发规则", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="steps")
    facts = models.JSONField("依据", default=dict)
    status = models.CharField("状态", max_length=12, choices=EscalationStatus.choices,
                              default=EscalationStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.TextField("决定理由", blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = "问责升级"
        verbose_name_plural = "问责升级"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.unit} {self.get_level_display()}"


class InterviewRecord(TrackedModel):
    """约谈记录: who attended, what was said, what was promised, and the follow-up."""

    step = models.OneToOneField(EscalationStep, verbose_name="约谈决定", on_delete=models.PROTECT,
                                related_name="interview")
    held_on = models.DateField("约谈日期")
    attendees = models.TextField("参加人员")
    content = models.TextField("约谈内容")
    commitments = models.TextField("整改承诺")
    follow_up = models.TextField("跟踪落实", blank=True)

    class Meta:
        verbose_name = "约谈记录"
        verbose_name_plural = "约谈记录"

    def __str__(self):
        return f"{self.step.unit} 约谈 {self.held_on:%Y-%m-%d}"
