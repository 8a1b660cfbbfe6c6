"""Supervision records, one module per part."""

from supervision.models.base import FrozenOnceIssued  # noqa: F401
from supervision.models.bulletins import (  # noqa: F401
    Bulletin,
    BulletinLine,
    BulletinQuerySet,
    Rectification,
    RectificationQuerySet,
)
from supervision.models.escalation import EscalationQuerySet, EscalationRule, EscalationStep, InterviewRecord  # noqa: F401
from supervision.models.items import ActionItem, ActionItemEvent, ActionItemQuerySet  # noqa: F401
from supervision.models.meetings import (  # noqa: F401
    CalendarFeed,
    Meeting,
    MeetingMinutes,
    MeetingPack,
    MeetingQuerySet,
    MinutesDecision,
)
