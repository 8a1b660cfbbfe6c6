"""Per-unit facts of city-management cases, for evaluation (read by evaluation.facts).

A unit's 按期结案率 over a date range: of its cases 应结案 in the range (cases.performance
defines it: closed in the range, or still open with its deadline passed in the range),
those 按期结案 — closed with the last 处置 no later than the deadline. The same definition
(the same queries) the performance table uses, with the case ids behind it so a score can
name its rows.
"""

from collections import defaultdict
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from cases import performance
from cases.models import Case


def on_time_by_unit(start: date, end: date, *, now=None) -> dict[int, dict]:
    """{unit id: {"on_time": [case ids], "late": [case ids]}} of the cases 应结案 in
    start..end (local days, inclusive); cases with no handling unit are left out."""
    now = now or timezone.now()
    lo, hi = performance.bounds(start, end)
    due = performance.figure_q("due", lo, hi, now)
    on_time = performance.figure_q("closed_on_time", lo, hi, now)
    facts: dict[int, dict] = defaultdict(lambda: {"on_time": [], "late": []})
    rows = (Case.objects.filter(due, handling_unit__isnull=False)
            .annotate(ok=ExpressionWrapper(on_time, output_field=BooleanField()))
            .values_list("pk", "handling_unit_id", "ok").order_by("pk"))
    for pk, unit, ok in rows:
        facts[unit]["on_time" if ok else "late"].append(pk)
    return facts


def describe(ids) -> dict[int, dict]:
    """{case id: number, type_name, deadline_at, closed_at, state_label} for naming the
    cases behind a score (read in chunks: an older SQLite allows 999 parameters)."""
    from cases.choices import CaseState

    ids, out = sorted(ids), {}
    for i in range(0, len(ids), 900):
        for pk, number, minor, major, deadline, closed, state in (
                Case.objects.filter(pk__in=ids[i:i + 900]).values_list(
                    "pk", "number", "type_version__case_type__minor_name",
                    "type_version__case_type__major_name", "deadline_at", "closed_at", "state")):
            out[pk] = {"number": number or f"#{pk}", "type_name": f"{major}·{minor}",
                       "deadline_at": deadline, "closed_at": closed,
                       "state_label": CaseState(state).label}
    return out
