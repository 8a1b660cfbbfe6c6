"""Supervision pages, one module per part: meetings, action items, bulletins, escalation,
messages."""

from supervision.views.bulletins import (  # noqa: F401
    BulletinDetailView,
    BulletinFileView,
    BulletinHistoryView,
    BulletinListView,
    BulletinStepView,
    RectificationView,
)
from supervision.views.escalation import (  # noqa: F401
    EscalationListView,
    EscalationProposeView,
    EscalationStepView,
)
from supervision.views.items import (  # noqa: F401
    ActionItemDetailView,
    ActionItemListView,
    ActionItemStepView,
    item_file,
)
from supervision.views.meetings import (  # noqa: F401
    CalendarView,
    MeetingChangeView,
    MeetingDetailView,
    MeetingListView,
    MeetingPackFileView,
    MeetingPackStepView,
    calendar_feed,
)
from supervision.views.messages import MessagesView  # noqa: F401
