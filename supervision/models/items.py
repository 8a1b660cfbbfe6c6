"""Action items (交办事项/马上办) with their timeline."""


from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.dates import local_datetime
from core.dates import today as local_today
from core.models import TrackedModel, TrackedQuerySet
from org.models import CityLeader, Unit, user_unit_ids
from org.roles import Cap, Reach, has_cap, reach_of
from projects.models import Project, ReportProblem
from supervision.choices import (
    ActionEventKind,
    ActionItemSource,
    ActionItemStatus,
)
from supervision.models.meetings import Meeting


class ActionItemQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        qs = self.active()
        reach = reach_of(user)
        if reach == Reach.CITY:
            return qs
        if reach == Reach.ASSIGNMENTS:
            leader = CityLeader.objects.filter(person_id=user.person_id).first()
            if leader is None:
                return qs.filter(issued_by=user)
            units = leader.assignments.active().values("unit_id")
            # A leader follows what they issued, what their units owe, the items on their
            # own projects, and their 批示 (an office may record one on their behalf) while
            # the project stays within their scope: a name on an item never opens a project
            # the leader cannot read (and the office may only name a leader whose scope
            # holds the project: supervision.actions.items.instructing_leaders).
            # (The project half of Project.visible_to, written out with the leader at hand.)
            return qs.filter(models.Q(issued_by=user) | models.Q(unit_id__in=units)
                             | models.Q(project__leader=leader)
                             | models.Q(instructed_by=leader, project__lead_unit_id__in=units))
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
    # 领导批示: set when the item is a city leader's written instruction on a project
    # (do_issue_instruction), whether the leader or the office on their behalf entered it.
    instructed_by = models.ForeignKey(CityLeader, verbose_name="批示领导", null=True,
                                      blank=True, on_delete=models.PROTECT,
                                      related_name="instructions")
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
    def is_instruction(self) -> bool:
        return self.instructed_by_id is not None

    @property
    def is_overdue(self) -> bool:
        return self.status != ActionItemStatus.CLOSED and self.deadline < local_today()


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
        return f"{self.get_kind_display()} {local_datetime(self.at):%Y-%m-%d %H:%M}"


class ResponseAttachmentQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """A response's files are seen by whoever sees the action item."""
        return self.active().filter(item__in=ActionItem.objects.visible_to(user))


class ResponseAttachment(TrackedModel):
    """A file the unit attached to its response (会议纪要, photos), checked by content
    (core.uploads) and served only through the item's scope (core.files)."""

    item = models.ForeignKey(ActionItem, verbose_name="交办事项", on_delete=models.PROTECT,
                             related_name="attachments")
    event = models.ForeignKey(ActionItemEvent, verbose_name="所附反馈", on_delete=models.PROTECT,
                              related_name="attachments")
    kind = models.CharField("类型", max_length=10, choices=[("photo", "照片"),
                                                            ("document", "文件")])
    file = models.FileField("文件", upload_to="action_items/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    mime_type = models.CharField("文件格式", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("校验值", max_length=64)

    objects = ResponseAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "反馈附件"
        verbose_name_plural = "反馈附件"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_file_url(self):
        return reverse("supervision:item_file", args=[self.item_id, self.pk])
