"""Meetings of the dispatch rhythm, calendar feeds and meeting packs."""

import secrets

from django.conf import settings
from django.db import models

from core.models import TrackedModel, TrackedQuerySet
from org.roles import Cap, has_cap
from plans.models import Plan
from supervision.choices import (
    BulletinStatus,
    MeetingKind,
)
from supervision.models.base import FrozenOnceIssued


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


def may_see_draft_packs(user) -> bool:
    """Drafts of meeting packs are the office's work, read by the bureau."""
    return has_cap(user, Cap.MANAGE_PROJECTS) or has_cap(user, Cap.SUPERVISE)


class MeetingPackQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """Drafts: the office and the bureau. Issued packs: everyone on the programme, each
        reading only their own part of it (supervision.packs.part_for)."""
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        qs = self.active().filter(meeting__in=Meeting.objects.visible_to(user))
        return qs if may_see_draft_packs(user) else qs.filter(status=BulletinStatus.ISSUED)


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

    objects = MeetingPackQuerySet.as_manager()
    frozen_message = "已印发的会议材料不可修改。"

    class Meta:
        verbose_name = "会议材料"
        verbose_name_plural = "会议材料"

    def __str__(self):
        return f"{self.meeting} 会议材料"
