"""Per-unit facts of supervision, for evaluation: action items and rectifications on time."""

from collections import defaultdict

from django.utils import timezone

from supervision.choices import ActionItemStatus
from supervision.models import ActionItem, Rectification


def action_items_by_unit(start, end) -> dict[int, dict]:
    facts: dict[int, dict] = defaultdict(lambda: {"on_time": [], "late": []})
    for pk, unit, deadline, status, closed_at in (ActionItem.objects.active().filter(
            deadline__gte=start, deadline__lte=end)
            .values_list("pk", "unit_id", "deadline", "status", "closed_at")):
        on_time = status == ActionItemStatus.CLOSED and closed_at and \
            timezone.localdate(closed_at) <= deadline
        facts[unit]["on_time" if on_time else "late"].append(pk)
    return facts


def rectifications_by_unit(start, end) -> dict[int, dict]:
    facts: dict[int, dict] = defaultdict(lambda: {"on_time": [], "late": []})
    # A corrected bulletin's requests are asked again by its correction: counted once, there.
    for r in (Rectification.objects.in_force()
              .filter(bulletin__rectification_deadline__gte=start,
                      bulletin__rectification_deadline__lte=end)
              .select_related("bulletin").with_responses()):
        facts[r.unit_id]["on_time" if r.on_time else "late"].append(r.pk)
    return facts
