"""Supervision pages, one module per part: meetings, action items, bulletins, escalation,
messages."""

from supervision.views.bulletins import (  # noqa: F401
    BulletinDetailView,
    BulletinFileView,
    BulletinListView,
    BulletinStepView,
    RectificationView,
)
from supervision.views.escalation import EscalationListView, EscalationStepView  # noqa: F401
from supervision.views.items import ActionItemDetailView, ActionItemListView, ActionItemStepView  # noqa: F401
from supervision.views.meetings import (  # noqa: F401
    CalendarView,
    MeetingDetailView,
    MeetingListView,
    MeetingPackFileView,
    MeetingPackStepView,
    calendar_feed,
)
from supervision.views.messages import MessagesView  # noqa: F401
