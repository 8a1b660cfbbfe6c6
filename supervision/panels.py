"""工作台 panels of supervision: action items, this week's meetings, rectification.

Each context reads through the models' own `visible_to` / `attended_by`, so a panel never
lists a row its page would refuse.
"""

from datetime import timedelta

from django.utils import timezone

from core.home import HomePanel, register_panel
from org.models import user_unit_ids
from org.roles import Cap, allowed_with, has_cap
from supervision.choices import (
    ActionItemStatus,
    EscalationStatus,
    MeetingStatus,
    RectificationStatus,
)

SHOWN = 8
SOON_DAYS = 3  # a rectification due within this many days is listed as due


def register_panels():
    register_panel(HomePanel("items", "督办事项", "supervision/panels/items.html",
                             allowed_with(Cap.VIEW_PROJECTS), action_items, order=3))
    register_panel(HomePanel("meetings", "本周会议", "supervision/panels/meetings.html",
                             allowed_with(Cap.VIEW_PROJECTS), this_weeks_meetings, order=4))
    register_panel(HomePanel("rectification", "督查整改", "supervision/panels/rectification.html",
                             allowed_with(Cap.VIEW_PROJECTS), rectification, order=3))


def action_items(user) -> dict:
    """Overdue items first (everyone in scope), then the unit's items still to answer."""
    from supervision.models import ActionItem

    today = timezone.localdate()
    open_items = (ActionItem.objects.visible_to(user).exclude(status=ActionItemStatus.CLOSED)
                  .select_related("unit").order_by("deadline", "pk"))
    overdue = open_items.filter(deadline__lt=today)
    to_answer = open_items.filter(deadline__gte=today, status__in=(ActionItemStatus.OPEN,
                                                                   ActionItemStatus.RETURNED))
    if has_cap(user, Cap.SUBMIT_REPORTS):  # a unit answers its own items
        to_answer = to_answer.filter(unit_id__in=user_unit_ids(user))
    else:  # an issuer waits for answers; what is listed for them is what is overdue
        to_answer = to_answer.none()
    return {"overdue": list(overdue[:SHOWN]), "overdue_count": overdue.count(),
            "to_answer": list(to_answer[:SHOWN]), "to_answer_count": to_answer.count(),
            "today": today}


def this_weeks_meetings(user) -> dict:
    """The meetings the user attends from Monday to Sunday of this week (local days)."""
    from supervision.models import Meeting

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    meetings = (Meeting.objects.attended_by(user)
                .filter(date__range=(monday, monday + timedelta(days=6)))
                .order_by("date", "start_time"))
    return {"meetings": list(meetings), "cancelled": MeetingStatus.CANCELLED}


def rectification(user) -> dict:
    """The bureau: responses to review, requests late or due soon, proposals to decide.
    A unit: its own requests still to answer."""
    from supervision.models import EscalationStep, Rectification
    from supervision.models.bulletins import RectificationResponse

    today = timezone.localdate()
    owed = (Rectification.objects.visible_to(user).owed()
            .filter(bulletin__rectification_deadline__lte=today + timedelta(days=SOON_DAYS))
            .select_related("bulletin", "unit").order_by("bulletin__rectification_deadline"))
    ctx = {"owed": list(owed[:SHOWN]), "owed_count": owed.count(), "today": today,
           "bureau": has_cap(user, Cap.SUPERVISE)}
    if ctx["bureau"]:
        ctx["to_review"] = RectificationResponse.objects.filter(
            rectification__in=Rectification.objects.visible_to(user).in_force(),
            status=RectificationStatus.SUBMITTED).count()
        ctx["proposals"] = EscalationStep.objects.visible_to(user).filter(
            status=EscalationStatus.PROPOSED).count()
    return ctx
