"""Who is told what when supervision changes something, through notify.

Each function is called once from the action that makes the change (supervision/actions),
inside its transaction, so a change rolled back tells nobody. Each passes the object the
message is about, so a retried action never tells anyone twice.
"""

from django.db import models
from django.urls import reverse

from core.dates import cn_date
from notify.service import notify
from org.roles import CAPABILITIES, Cap


class Event(models.TextChoices):
    """The supervision events people are told about (notify.Notification.event)."""

    BULLETIN_ISSUED = "supervision.bulletin_issued", "督查通报印发"
    ITEM_ASSIGNED = "supervision.item_assigned", "交办事项交办"
    ITEM_RETURNED = "supervision.item_returned", "交办事项退回"
    ITEM_OVERDUE = "supervision.item_overdue", "交办事项逾期"
    RECTIFICATION_DUE = "supervision.rectification_due", "整改反馈即将到期"
    RECTIFICATION_OVERDUE = "supervision.rectification_overdue", "整改反馈逾期"
    MEETING_MOVED = "supervision.meeting_moved", "会议改期"
    MEETING_CANCELLED = "supervision.meeting_cancelled", "会议取消"


# A unit is told through the accounts that act for it: those who file its reports and
# responses (责任单位负责人 and 填报员), from org/roles.py's table.
UNIT_ROLES = [role for role, caps in CAPABILITIES.items() if Cap.SUBMIT_REPORTS in caps]


def unit_people(unit_ids):
    """The active accounts that act for these units."""
    from org.models import User

    return User.objects.filter(unit_id__in=list(unit_ids), role__in=UNIT_ROLES, is_active=True)


def _when(day, start_time=None) -> str:
    return f"{cn_date(day)} {start_time:%H:%M}" if start_time else cn_date(day)


def bulletin_issued(bulletin) -> int:
    """Every unit the bulletin names: it was named, and owes a rectification by the deadline."""
    units = {line.unit_id: line.unit for line in bulletin.lines.select_related("unit")}
    told = 0
    for unit in units.values():
        told += notify(
            unit_people([unit.pk]), event=Event.BULLETIN_ISSUED, obj=bulletin,
            subject=f"督查通报：{bulletin.title}"[:200],
            text=(f"《{bulletin.title}》（{bulletin.number_label}）已印发，{unit.name}被通报。\n"
                  f"请于{cn_date(bulletin.rectification_deadline)}前报送整改情况。"),
            link=bulletin.get_absolute_url())
    return told


def item_assigned(item) -> int:
    """The unit an action item is given to."""
    by = (item.issued_by.get_full_name() or item.issued_by.username) if item.issued_by else "系统"
    detail = f"\n具体要求：{item.detail}" if item.detail else ""
    return notify(unit_people([item.unit_id]), event=Event.ITEM_ASSIGNED, obj=item,
                  subject=f"交办事项：{item.title}"[:200],
                  text=(f"{by}向{item.unit.name}交办：{item.title}\n"
                        f"办理期限：{cn_date(item.deadline)}{detail}"),
                  link=item.get_absolute_url())


def item_returned(item) -> int:
    """The unit, when its response is returned (each return is told: it is its own event)."""
    from supervision.choices import ActionEventKind

    event = item.events.filter(kind=ActionEventKind.RETURNED).order_by("pk").last()
    return notify(unit_people([item.unit_id]), event=Event.ITEM_RETURNED, obj=event,
                  subject=f"交办事项被退回：{item.title}"[:200],
                  text=(f"“{item.title}”的办理反馈被退回，请重新办理并反馈。\n"
                        f"退回原因：{event.text}\n办理期限：{cn_date(item.deadline)}"),
                  link=item.get_absolute_url())


def items_overdue(items, today) -> int:
    """Each overdue item's unit and whoever gave it (once per item)."""
    told = 0
    for item in items:
        people = list(unit_people([item.unit_id]))
        if item.issued_by_id:
            people.append(item.issued_by)
        told += notify(people, event=Event.ITEM_OVERDUE, obj=item,
                       subject=f"交办事项已逾期：{item.title}"[:200],
                       text=(f"{item.unit.name}承办的“{item.title}”已超过办理期限"
                             f"（{cn_date(item.deadline)}）{(today - item.deadline).days}天，尚未办结。"),
                       link=item.get_absolute_url())
    return told


def rectification_due(rectification, today) -> int:
    """The unit, once when its rectification falls due soon and once when it is late."""
    bulletin, deadline = rectification.bulletin, rectification.bulletin.rectification_deadline
    late = deadline < today
    if late:
        event, subject = Event.RECTIFICATION_OVERDUE, f"整改反馈已逾期：{bulletin.title}"
        when = f"已超过期限（{cn_date(deadline)}）{(today - deadline).days}天"
    else:
        event, subject = Event.RECTIFICATION_DUE, f"整改反馈即将到期：{bulletin.title}"
        when = f"期限为{cn_date(deadline)}，还剩{(deadline - today).days}天"
    return notify(unit_people([rectification.unit_id]), event=event, obj=rectification,
                  subject=subject[:200],
                  text=(f"《{bulletin.title}》（{bulletin.number_label}）要求"
                        f"{rectification.unit.name}报送整改情况，尚未报送，{when}。"),
                  link=bulletin.get_absolute_url())


def meeting_changed(meeting) -> int:
    """The attendees, after a move or a cancellation (told from its MeetingChange row)."""
    from supervision.choices import MeetingChangeKind

    change = meeting.changes.order_by("pk").last()
    was = _when(change.old_date, change.old_start_time)
    if change.kind == MeetingChangeKind.CANCELLED:
        event, subject = Event.MEETING_CANCELLED, f"会议取消：{meeting.title}"
        text = f"原定{was}召开的{meeting.title}已取消。"
    else:
        event, subject = Event.MEETING_MOVED, f"会议改期：{meeting.title}"
        text = (f"原定{was}召开的{meeting.title}改至"
                f"{_when(change.new_date, change.new_start_time)}"
                f"{'，地点：' + meeting.location if meeting.location else ''}。")
    return notify(meeting.attendees(), event=event, obj=change, subject=subject[:200],
                  text=f"{text}\n原因：{change.reason}",
                  link=reverse("supervision:meeting_detail", args=[meeting.pk]))
