"""Meetings of the dispatch rhythm, calendar feeds and meeting packs."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import TrackedModel, TrackedQuerySet
from org.choices import Role
from org.roles import Cap, has_cap
from plans.models import Plan
from projects.models import Project
from supervision.choices import (
    BulletinStatus,
    MeetingChangeKind,
    MeetingKind,
    MeetingStatus,
)
from supervision.models.base import FrozenOnceIssued, FrozenQuerySetMixin, FrozenWithDocument
from supervision.rhythm import ATTENDEES, PARTY_OF_ROLE, Party, kinds_attended_by


class MeetingQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        # The meeting calendar is shared by everybody who works on the programme.
        return self.active() if has_cap(user, Cap.VIEW_PROJECTS) else self.none()

    def attended_by(self, user):
        """The meetings `user` sits at (supervision.rhythm.ATTENDEES): the office all of
        them, the bureau the larger ones, a leader or a unit those of the plans that hold a
        project in their scope. `Meeting.attendees()` is the same rule read the other way."""
        party = PARTY_OF_ROLE.get(user.role) if has_cap(user, Cap.VIEW_PROJECTS) else None
        if party is None:
            return self.none()
        qs = self.visible_to(user).filter(kind__in=kinds_attended_by(party))
        if party in (Party.LEADERS, Party.UNITS):
            qs = qs.filter(plan__in=Project.objects.visible_to(user).values("plan_id"))
        return qs


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
    status = models.CharField("状态", max_length=12, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED, db_index=True)
    sequence = models.PositiveIntegerField(
        "修订次数", default=0, editable=False,
        help_text="每次改期或取消加一（日历订阅的 SEQUENCE，客户端据此更新日程）")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["date", "start_time"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "date"],
                                               name="supervision_meeting_unique")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("supervision:meeting_detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    def attendees(self):
        """The active accounts that sit at this meeting (whom a move or a cancellation is
        told to): the reverse of `Meeting.objects.attended_by(user)`."""
        from django.contrib.auth import get_user_model

        from org.models import CityLeader, Unit

        parties = ATTENDEES[self.kind]
        roles = [r for r, p in PARTY_OF_ROLE.items() if p in parties - {Party.LEADERS, Party.UNITS}]
        who = models.Q(role__in=roles)
        projects = Project.objects.active().filter(plan_id=self.plan_id)
        if Party.UNITS in parties:
            units = set(projects.values_list("lead_unit_id", flat=True)) | set(
                projects.exclude(cooperating_units=None).values_list("cooperating_units",
                                                                     flat=True))
            # An account reads its unit and the units below it (org.models.user_unit_ids),
            # so the units above a project's unit attend too.
            frontier = set(units)
            while frontier:
                frontier = set(Unit.objects.filter(pk__in=frontier).exclude(parent=None)
                               .values_list("parent_id", flat=True)) - units
                units |= frontier
            who |= models.Q(role__in=[r for r, p in PARTY_OF_ROLE.items() if p == Party.UNITS],
                            unit_id__in=units)
        if Party.LEADERS in parties:
            leaders = CityLeader.objects.filter(
                models.Q(pk__in=projects.exclude(leader=None).values("leader_id"))
                | models.Q(assignments__archived_at=None,
                           assignments__unit_id__in=projects.values("lead_unit_id")))
            who |= models.Q(role=Role.CITY_LEADER, person_id__in=leaders.values("person_id"))
        return get_user_model().objects.filter(who, is_active=True)


class MeetingChange(models.Model):
    """One move or cancellation of a meeting, with who made it and why (the attendees are
    told from these rows; the calendar feed's SEQUENCE counts them)."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT,
                                related_name="changes")
    kind = models.CharField("变更", max_length=12, choices=MeetingChangeKind.choices)
    old_date = models.DateField("原日期")
    old_start_time = models.TimeField("原开始时间")
    new_date = models.DateField("新日期", null=True, blank=True)
    new_start_time = models.TimeField("新开始时间", null=True, blank=True)
    reason = models.TextField("原因")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                           blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "会议变更"
        verbose_name_plural = "会议变更"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.meeting} {self.get_kind_display()}"

    @property
    def is_move(self) -> bool:
        return self.kind == MeetingChangeKind.MOVED


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


class MeetingPackQuerySet(FrozenQuerySetMixin, TrackedQuerySet):
    # An issued pack refuses bulk writes as it refuses save() (models/base.py).
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


# --- 会议纪要 -------------------------------------------------------------------------


class MeetingMinutesQuerySet(FrozenQuerySetMixin, TrackedQuerySet):
    # An issued set of minutes refuses bulk writes as it refuses save() (models/base.py).
    def visible_to(self, user):
        """Drafts: the office and the bureau. Issued minutes: everyone on the programme who
        sees the meeting — 会议纪要 are sent whole to the units that attend, and each
        decision names the unit responsible for it."""
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        qs = self.active().filter(meeting__in=Meeting.objects.visible_to(user))
        return qs if may_see_draft_packs(user) else qs.filter(status=BulletinStatus.ISSUED)


class MeetingMinutes(FrozenOnceIssued, TrackedModel):
    """会议纪要: what a held meeting decided, written by the office after it. Issuing them
    turns each decision into an action item for its unit and freezes the minutes."""

    meeting = models.OneToOneField(Meeting, verbose_name="会议", on_delete=models.PROTECT,
                                   related_name="minutes")
    attendees = models.TextField("参会人员", blank=True, help_text="出席、列席的领导和单位，每行一项")
    summary = models.TextField("会议概要", blank=True, help_text="会议听取、研究的事项，每段一行")
    status = models.CharField("状态", max_length=8, choices=BulletinStatus.choices,
                              default=BulletinStatus.DRAFT)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="印发人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    docx = models.FileField("会议纪要（docx）", upload_to="minutes/", blank=True)

    objects = MeetingMinutesQuerySet.as_manager()
    frozen_message = "已印发的会议纪要不可修改。"

    class Meta:
        verbose_name = "会议纪要"
        verbose_name_plural = "会议纪要"

    def __str__(self):
        return f"{self.meeting} 会议纪要"

    def get_absolute_url(self):
        return reverse("supervision:meeting_detail", args=[self.meeting_id])


class MinutesDecisionQuerySet(FrozenQuerySetMixin, TrackedQuerySet):
    def remove_from_draft(self) -> int:
        """Delete decisions of draft minutes (rewritten as a whole when the draft is saved):
        they were never part of any document. The history keeps each one's text (recorded
        as 归档, with nothing after it), as for a draft bulletin's lines."""
        from core.choices import ChangeAction
        from core.history import snapshot
        from core.models import ObjectChange

        self._refuse_if_issued()
        rows = list(self)
        ObjectChange.objects.bulk_create(
            ObjectChange.build(obj_pk=row.pk, model=self.model, action=ChangeAction.ARCHIVE,
                               before=snapshot(row), after=None, repr_=str(row))
            for row in rows)
        return self.model._base_manager.filter(pk__in=[row.pk for row in rows]).delete()[0]


class MinutesDecision(FrozenWithDocument, TrackedModel):
    """议定事项: one decision of the minutes, with the unit responsible and the deadline;
    the action item it became is linked once the minutes are issued."""

    minutes = models.ForeignKey(MeetingMinutes, verbose_name="会议纪要", on_delete=models.PROTECT,
                                related_name="decisions")
    order = models.PositiveSmallIntegerField("序号", default=1)
    text = models.CharField("议定事项", max_length=200)
    unit = models.ForeignKey("org.Unit", verbose_name="责任单位", on_delete=models.PROTECT,
                             related_name="+")
    deadline = models.DateField("完成时限")
    action_item = models.OneToOneField("supervision.ActionItem", verbose_name="交办事项",
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="decision")

    objects = MinutesDecisionQuerySet.as_manager()
    frozen_parent = "minutes"
    frozen_lookup = "minutes__status"
    frozen_message = "已印发的会议纪要不可修改。"

    class Meta:
        verbose_name = "议定事项"
        verbose_name_plural = "议定事项"
        ordering = ["minutes", "order", "pk"]

    def __str__(self):
        return self.text
