"""State changes: Action items: create, respond, close, return, flag overdue."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.dates import today as local_today
from core.workflow import Review
from org.choices import Role
from org.models import user_unit_ids
from org.roles import Cap, has_cap
from supervision import notices
from supervision.choices import (
    ActionEventKind,
    ActionItemSource,
    ActionItemStatus,
)
from supervision.models import ActionItem, ActionItemEvent
from supervision.models.items import ResponseAttachment


def _may_issue(user) -> bool:
    return user is None or has_cap(user, Cap.MANAGE_PROJECTS) or user.role in (
        Role.CITY_LEADER, Role.SUPERVISION)


def _event(item, kind, user, text=""):
    return ActionItemEvent.objects.create(item=item, kind=kind, by=user, text=text)


@transaction.atomic
def do_create_action_item(*, title, unit, deadline, acting_user, detail="", meeting=None,
                          problem=None, project=None, instructed_by=None) -> ActionItem:
    """交办: from a meeting, from a report's problem, or by a leader (`instructed_by`:
    a leader's 批示, see do_issue_instruction)."""
    if not _may_issue(acting_user):
        raise PermissionDenied("当前角色不能交办事项。")
    if deadline < local_today():
        raise ValidationError({"deadline": "办理期限不能早于今天。"})
    source = (ActionItemSource.MEETING if meeting else
              ActionItemSource.REPORT_PROBLEM if problem else ActionItemSource.LEADER)
    if problem is not None:
        project = project or problem.project
    item = ActionItem(title=title.strip(), detail=detail.strip(), unit=unit, deadline=deadline,
                      source=source, meeting=meeting, problem=problem, project=project,
                      issued_by=acting_user, instructed_by=instructed_by)
    item.full_clean()
    item.save()
    _event(item, ActionEventKind.CREATED, acting_user, detail)
    notices.item_assigned(item)
    return item


INSTRUCTION_MAX = 2000  # a 批示 is a few sentences; the title carries its opening words
INSTRUCTION_TITLE_WORDS = 60


def may_instruct(user) -> bool:
    """Who writes a 批示 on a project page: a city leader, or the office recording one."""
    if user is None or not user.is_authenticated:
        return False
    return has_cap(user, Cap.MANAGE_PROJECTS) or (user.role == Role.CITY_LEADER
                                                  and bool(user.person_id))


def instructing_leaders(project):
    """The leaders in whose name the office may record a 批示 on `project`: its own 分包
    领导 and the leaders whose 分包联系 covers its lead unit — those whose scope holds the
    project (Project.visible_to), so a 批示 never carries the name of a leader who could
    not have read it, and never widens what a leader sees."""
    from org.models import CityLeader, LeaderAssignment

    covering = LeaderAssignment.objects.active().filter(unit_id=project.lead_unit_id)
    return CityLeader.objects.active().filter(
        Q(pk=project.leader_id) | Q(pk__in=covering.values("leader_id")))


def _instructing_leader(project, acting_user, leader):
    """The leader whose 批示 this is: the acting leader themself; for the office, the
    leader it names (by default the project's 分包领导), who must be one of
    instructing_leaders(project)."""
    from org.models import CityLeader

    if acting_user.role == Role.CITY_LEADER:
        own = CityLeader.objects.active().filter(person_id=acting_user.person_id).first()
        if own is None:
            raise PermissionDenied("该账号未登记为市级领导。")
        return own
    leader = leader or project.leader
    if leader is None:
        raise ValidationError({"leader": "请选择批示领导。"})
    if leader.is_archived:
        raise ValidationError({"leader": f"{leader.person.name}已不再登记为市级领导，"
                                         "不能以其名义批示。"})
    if not instructing_leaders(project).filter(pk=leader.pk).exists():
        raise ValidationError({"leader": f"{leader.person.name}不是该项目的分包领导，也不联系"
                                         f"{project.lead_unit.name}，不能以其名义批示。"})
    return leader


@transaction.atomic
def do_issue_instruction(project, text: str, deadline, acting_user, *,
                         leader=None) -> ActionItem:
    """领导批示 from a project page: it becomes an action item for the project's lead unit,
    marked with the leader's name, and the unit is told (notices.item_assigned)."""
    from projects.models import Project

    if not may_instruct(acting_user):
        raise PermissionDenied("只有市级领导或领导小组办公室可以批示。")
    if not Project.objects.visible_to(acting_user).filter(pk=project.pk).exists():
        raise PermissionDenied("无权对该项目批示。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写批示内容。"})
    if len(text) > INSTRUCTION_MAX:
        raise ValidationError({"text": f"批示内容不超过{INSTRUCTION_MAX}字。"})
    leader = _instructing_leader(project, acting_user, leader)
    opening = " ".join(text.split())
    if len(opening) > INSTRUCTION_TITLE_WORDS:
        opening = opening[:INSTRUCTION_TITLE_WORDS - 1] + "…"
    return do_create_action_item(
        title=f"{leader.person.name}批示：{opening}", detail=text, unit=project.lead_unit,
        deadline=deadline, project=project, instructed_by=leader, acting_user=acting_user)


def _require_unit(item, user):
    if user is not None and (not has_cap(user, Cap.SUBMIT_REPORTS)
                             or item.unit_id not in user_unit_ids(user)):
        raise PermissionDenied("只有承办单位可以反馈。")


def _require_issuer(item, user):
    if user is None or has_cap(user, Cap.MANAGE_PROJECTS) or item.issued_by_id == user.pk:
        return
    raise PermissionDenied("只有交办人或领导小组办公室可以办结或退回。")


# The issuer closes or returns what the unit answered (core.workflow); whoever wrote the
# answer cannot also close it.
ITEM_REVIEW = Review(what="事项", filed_word="已反馈", reviewable=(ActionItemStatus.RESPONDED,),
                     accepted=ActionItemStatus.CLOSED, returned=ActionItemStatus.RETURNED,
                     reason_field="reason", accept_verb="办结")


def _responder_id(item) -> int | None:
    """The account that wrote the latest response."""
    latest = item.events.filter(kind=ActionEventKind.RESPONDED).order_by("-at", "-pk").first()
    return latest.by_id if latest else None


# Files one response may carry (会议纪要, a few photos, a spreadsheet).
MAX_RESPONSE_FILES = 10


@transaction.atomic
def do_respond(item: ActionItem, *, text: str, acting_user, files=()) -> ActionItem:
    """The unit's response, with its files: each checked by content (core.uploads) before
    anything is stored, then served only within the item's scope (views.items.item_file)."""
    from core.uploads import inspect_upload, store_checked

    _require_unit(item, acting_user)
    if item.status not in (ActionItemStatus.OPEN, ActionItemStatus.RETURNED):
        raise ValidationError("该事项当前不能反馈。")
    if not text.strip():
        raise ValidationError({"text": "请填写办理情况。"})
    files = list(files)
    if len(files) > MAX_RESPONSE_FILES:
        raise ValidationError({"files": f"一次反馈最多附{MAX_RESPONSE_FILES}个文件。"})
    checked = [(upload, inspect_upload(upload)) for upload in files]
    item.status = ActionItemStatus.RESPONDED
    item.save()
    event = _event(item, ActionEventKind.RESPONDED, acting_user, text.strip())
    for upload, info in checked:
        store_checked(ResponseAttachment(item=item, event=event, kind=info.kind), upload, info)
    return item


@transaction.atomic
def do_close(item: ActionItem, *, acting_user, text: str = "") -> ActionItem:
    _require_issuer(item, acting_user)
    text = ITEM_REVIEW.decide(item, accept=True, reason=text, acting_user=acting_user,
                              filed_by_id=_responder_id(item))
    item.closed_at = timezone.now()
    item.save()
    _event(item, ActionEventKind.CLOSED, acting_user, text)
    return item


@transaction.atomic
def do_return(item: ActionItem, *, reason: str, acting_user) -> ActionItem:
    _require_issuer(item, acting_user)
    reason = ITEM_REVIEW.decide(item, accept=False, reason=reason, acting_user=acting_user,
                                filed_by_id=_responder_id(item))
    item.save()
    _event(item, ActionEventKind.RETURNED, acting_user, reason)
    notices.item_returned(item)
    return item


@transaction.atomic
def do_flag_overdue(today=None) -> int:
    """Record an overdue reminder once per overdue item (the first escalation step)."""
    today = today or local_today()
    items = (ActionItem.objects.active().filter(deadline__lt=today)
             .exclude(status=ActionItemStatus.CLOSED)
             .exclude(events__kind=ActionEventKind.OVERDUE))
    events = [ActionItemEvent(item=item, kind=ActionEventKind.OVERDUE,
                              text=f"已超过办理期限{(today - item.deadline).days}天")
              for item in items]
    ActionItemEvent.objects.bulk_create(events)
    notices.items_overdue([event.item for event in events], today)
    return len(events)


# --- bulletins (督查通报) -----------------------------------------------------------
