"""The reporting calendar: the one place that says which reporting periods a window of days
covers. The meeting pack, the bulletin, the digest, the unit × period matrix and the scores
all ask here, so they cannot disagree about "this week".

A plan reports in periods of `cycle_days` counted from its anchor, each with a deadline inside
it (Friday 17:00 by default). A window of days (a meeting's Monday to Sunday, a bulletin's
month) holds the periods whose *deadline* falls in it: that is when a report is owed, and a
period that started the day before the window (the Sunday) still belongs to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q

from core.dates import local_date


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    deadline: datetime

    @property
    def due_day(self) -> date:
        return local_date(self.deadline)


def period_of(reporting, day: date) -> Period:
    """The period a day lies in."""
    start = reporting.period_start(day)
    return Period(start, reporting.period_end(start), reporting.deadline(start))


def last_closed(reporting, now: datetime) -> Period:
    """The latest period whose deadline has passed at `now`."""
    start = reporting.period_start(local_date(now))
    while reporting.deadline(start) > now:
        start -= timedelta(days=reporting.cycle_days)
    return period_of(reporting, start)


def periods_due(reporting, first_day: date, last_day: date) -> list[Period]:
    """The periods whose deadline (local day) falls between the two days, inclusive, oldest
    first.

    Days near Python's limits (year 1, year 9999) are brought inside them first: the date
    arithmetic below would overflow there. How long a window a page may ask for is the
    page's to refuse (see views_matrix.MatrixForm); this only never raises.
    """
    step = timedelta(days=reporting.cycle_days)
    # A period may start up to cycle_days before the day it is due, and be due up to
    # cycle_days after it starts: keep that much room from either end of the calendar.
    margin = step * 2 + timedelta(days=reporting.deadline_offset_days + 1)
    first_day, last_day = max(first_day, date.min + margin), min(last_day, date.max - margin)
    if last_day < first_day:
        return []
    # The earliest period that could be due on first_day starts up to cycle_days before it.
    start = reporting.period_start(first_day - step)
    found = []
    while start <= last_day:
        period = period_of(reporting, start)
        if first_day <= period.due_day <= last_day:
            found.append(period)
        start += step
    return found


def due_starts_by_plan(first_day: date, last_day: date, plans=None) -> dict[int, list[date]]:
    """{plan id: [period starts due in the window]} for the given plans (all with a
    reporting rhythm when None)."""
    from projects.models import PlanReporting

    rows = PlanReporting.objects.all()
    if plans is not None:
        rows = rows.filter(plan__in=plans)
    return {r.plan_id: [p.start for p in periods_due(r, first_day, last_day)] for r in rows}


def reports_due_in(first_day: date, last_day: date, plans=None, prefix: str = "") -> Q:
    """A filter on ProgressReport (or, with `prefix`, on a model that reaches one) for the
    reports of the periods due in the window, each plan by its own calendar."""
    q = Q(pk__in=[])
    for plan_id, starts in due_starts_by_plan(first_day, last_day, plans).items():
        if starts:
            q |= Q(**{f"{prefix}project__plan_id": plan_id, f"{prefix}period_start__in": starts})
    return q
