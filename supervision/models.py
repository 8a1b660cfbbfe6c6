"""Meetings of the dispatch rhythm and action items (交办事项/马上办) with their timeline."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import TrackedModel, TrackedQuerySet
from core.net import RefusedURL, check_url
from org.choices import Role
from org.models import CityLeader, Unit, user_unit_ids
from org.roles import Cap, has_cap
from plans.models import Plan
from projects.models import Project, ReportProblem
from supervision.choices import (
    ActionEventKind,
    ActionItemSource,
    ActionItemStatus,
    BulletinSection,
    BulletinStatus,
    Channel,
    DeliveryStatus,
    EscalationLevel,
    EscalationStatus,
    MeetingKind,
    RectificationStatus,
)

_CITYWIDE = {Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.SUPERVISION}


class MeetingQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        # The meeting calendar is shared by everybody who works on the programme.
        return self.active() if has_cap(user, Cap.VIEW_PROJECTS) else self.none()


class Meeting(TrackedModel):
    """One meeting of the rhythm: weekly dispatch, monthly meeting, on-site, evaluation."""

    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.PROTECT,
                             related_name="meetings")
    kind = models.CharField("会议类型", max_length=24, choices=MeetingKind.choices)
    date = models.DateField("日期", db_index=True)
    start_time = models.TimeField("开始时间")
    duration_minutes = models.PositiveSmallIntegerField("时长（分钟）", default=90)
    title = models.CharField("名称", max_length=100)
    location = models.CharField("地点", max_length=100, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["date", "start_time"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "date"],
                                               name="supervision_meeting_unique")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class CalendarFeed(models.Model):
    """A user's private iCalendar URL; revoking makes a new token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户",
                                on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField("令牌", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "日历订阅"
        verbose_name_plural = "日历订阅"

    def __str__(self):
        return f"{self.user} 的日历订阅"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class ActionItemQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        qs = self.active()
        if user.role in _CITYWIDE:
            return qs
        if user.role == Role.CITY_LEADER:
            leader = CityLeader.objects.filter(person_id=user.person_id).first()
            units = leader.assignments.active().values("unit_id") if leader else []
            return qs.filter(models.Q(issued_by=user) | models.Q(unit_id__in=units))
        return qs.filter(unit_id__in=user_unit_ids(user))


class ActionItem(TrackedModel):
    """交办事项: a task given to a unit with a deadline; the unit responds, the issuer closes."""

    title = models.CharField("事项", max_length=200)
    detail = models.TextField("具体要求", blank=True)
    unit = models.ForeignKey(Unit, verbose_name="承办单位", on_delete=models.PROTECT,
                             related_name="action_items")
    deadline = models.DateField("办理期限", db_index=True)
    source = models.CharField("来源", max_length=16, choices=ActionItemSource.choices)
    meeting = models.ForeignKey(Meeting, verbose_name="交办会议", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="action_items")
    problem = models.ForeignKey(ReportProblem, verbose_name="来源问题", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="action_items")
    project = models.ForeignKey(Project, verbose_name="相关项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="action_items")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交办人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=ActionItemStatus.choices,
                              default=ActionItemStatus.OPEN, db_index=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = "交办事项"
        verbose_name_plural = "交办事项"
        ordering = ["status", "deadline", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supervision:item_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("supervision:item_history", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status != ActionItemStatus.CLOSED and self.deadline < timezone.localdate()


class ActionItemEvent(models.Model):
    """One step on an action item's timeline (the facts on-time rates come from)."""

    item = models.ForeignKey(ActionItem, verbose_name="交办事项", on_delete=models.CASCADE,
                             related_name="events")
    kind = models.CharField("环节", max_length=12, choices=ActionEventKind.choices)
    text = models.TextField("内容", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class FrozenOnceIssued(models.Model):
    """A document that can no longer be saved once its stored status is 已印发."""

    frozen_message = "已印发的文件不可修改。"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True)
            if stored and stored[0] == BulletinStatus.ISSUED:
                raise PermissionDenied(self.frozen_message)
        super().save(*args, **kwargs)


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


class MeetingPack(FrozenOnceIssued, TrackedModel):
    """会议材料 for a meeting: a snapshot of the period's facts, editable notes, then frozen."""

    meeting = models.OneToOneField(Meeting, verbose_name="会议", on_delete=models.PROTECT,
                                   related_name="pack")
    period_start = models.DateField("材料期间起")
    period_end = models.DateField("材料期间止")
    content = models.JSONField("材料内容", default=dict)
    notes = models.TextField("会议要点（可编辑）", blank=True)
    status = models.CharField("状态", max_length=8, choices=BulletinStatus.choices,
                              default=BulletinStatus.DRAFT)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="印发人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    docx = models.FileField("会议材料（docx）", upload_to="packs/", blank=True)

    objects = MeetingQuerySet.as_manager()
    frozen_message = "已印发的会议材料不可修改。"

    class Meta:
        verbose_name = "会议材料"
        verbose_name_plural = "会议材料"

    def __str__(self):
        return f"{self.meeting} 会议材料"



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
        if has_cap(user, Cap.SUPERVISE) or (user.is_authenticated and user.role in _CITYWIDE):
            return self.active()
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
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


class DigestSetting(models.Model):
    """Where a city leader's weekly digest goes besides the in-app message."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户",
                                on_delete=models.CASCADE, related_name="digest_setting")
    email = models.BooleanField("发送电子邮件", default=True)
    webhook_kind = models.CharField("群机器人", max_length=10, blank=True, choices=[
        (c.value, c.label) for c in (Channel.WECOM, Channel.DINGTALK)])
    webhook_url = models.URLField("机器人地址（Webhook）", blank=True)

    class Meta:
        verbose_name = "周报推送设置"
        verbose_name_plural = "周报推送设置"

    def clean(self):
        # Only the allowed robot hosts (core.net): the sender checks again, with DNS.
        if self.webhook_url:
            try:
                check_url(self.webhook_url)
            except RefusedURL as exc:
                raise ValidationError({"webhook_url": str(exc)}) from None

    def __str__(self):
        return f"{self.user} 周报推送"


class Notification(models.Model):
    """An in-app message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                             on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One message to one channel; failures are kept and retried with back-off."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                             on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    target = models.CharField("地址", max_length=500, blank=True)
    subject = models.CharField("标题", max_length=200)
    payload = models.JSONField("内容", default=dict)
    status = models.CharField("状态", max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.user}"
