"""State changes: reminders that only tell people (rectifications due soon or late)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from supervision import notices

# Told this many days before the rectification deadline (and again once it has passed).
DUE_SOON_DAYS = 3


@transaction.atomic
def do_remind_rectifications(today=None) -> int:
    """Tell each unit whose rectification is still owed and falls due within DUE_SOON_DAYS,
    or is late; once for each (re-running the same day tells nobody again). How many
    people were told."""
    from supervision.models import Rectification

    today = today or timezone.localdate()
    # Owed: nothing filed yet, or the latest response returned (responses are rows of
    # their own, so the request itself stays frozen with its bulletin).
    owed = (Rectification.objects.owed()
            .filter(bulletin__rectification_deadline__lte=today + timedelta(days=DUE_SOON_DAYS))
            .select_related("bulletin", "unit"))
    return sum(notices.rectification_due(r, today) for r in owed)
