"""报送情况: which unit filed what for which reporting period of a plan.

`build_matrix` returns rows (responsible units) × columns (periods from the plan's
reporting calendar, projects/periods.py); each cell holds one entry per project that owed
the period, in one of the states below. A project that owed a period and has no report row
at all (the nightly `record_missing_reports` has not run yet) counts as missing once the
deadline has passed, so the page never says "no one is missing" because a job was late.

The meeting pack and the bulletin count the same report rows for the same window
(`periods.reports_due_in`); they read rows only, so they agree with the matrix once the
missing rows are recorded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import models
from django.utils import timezone

from core.dates import local_date
from notify.models import Notification
from notify.service import dedupe_key
from projects import periods
from projects.choices import REPORTING_STAGES, ReportStatus
from projects.models import ProgressReport

DEFAULT_PERIODS = 6
REMIND_EVENT = "projects.report_reminder"


class CellState(models.TextChoices):
    """A project's standing for one period, worst first (the order the page lists them)."""

    MISSING = "missing", "未报"
    RETURNED = "returned", "退回"
    LATE = "late", "迟报"
    PENDING = "pending", "待审"
    ON_TIME = "on_time", "已报"
    OPEN = "open", "未到期"


# The states that ask the unit to act (催报 names them).
OWED = (CellState.MISSING, CellState.RETURNED)


def state_of(status: str | None, is_late: bool, deadline_passed: bool) -> CellState:
    """One project's state for one period from its report row (`status` None: no row).

    Lateness is shown before the review state: a late report awaiting review is 迟报.
    """
    if status == ReportStatus.RETURNED:
        return CellState.RETURNED
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        if is_late:
            return CellState.LATE
        return CellState.PENDING if status == ReportStatus.SUBMITTED else CellState.ON_TIME
    # MISSING, DRAFT or no row: owed, and missing once the deadline has passed.
    if status == ReportStatus.MISSING or deadline_passed:
        return CellState.MISSING
    return CellState.OPEN


@dataclass(frozen=True)
class Entry:
    project_id: int
    code: str
    name: str
    state: CellState
    report_id: int | None = None


@dataclass
class Cell:
    period: periods.Period
    entries: list[Entry] = field(default_factory=list)

    def count(self, state) -> int:
        return sum(1 for e in self.entries if e.state == state)

    def groups(self) -> list[tuple[CellState, list[Entry]]]:
        """(state, its entries) for each state present, worst first."""
        by_state = defaultdict(list)
        for entry in self.entries:
            by_state[entry.state].append(entry)
        return [(state, by_state[state]) for state in CellState if by_state[state]]


@dataclass
class UnitRow:
    unit_id: int
    unit_name: str
    cells: list[Cell]
    reminded: bool = False

    def total(self, state) -> int:
        return sum(cell.count(state) for cell in self.cells)

    @property
    def owed_periods(self) -> list[periods.Period]:
        """The periods in which the unit still owes a report (missing or returned)."""
        return [c.period for c in self.cells if any(e.state in OWED for e in c.entries)]

    @property
    def missing(self) -> int:
        return self.total(CellState.MISSING)

    @property
    def late(self) -> int:
        return self.total(CellState.LATE)

    @property
    def returned(self) -> int:
        return self.total(CellState.RETURNED)


@dataclass
class Matrix:
    periods: list[periods.Period]
    rows: list[UnitRow]

    def row(self, unit_id) -> UnitRow | None:
        return next((r for r in self.rows if r.unit_id == unit_id), None)


def default_periods(reporting, now: datetime, count: int = DEFAULT_PERIODS) -> list[periods.Period]:
    """The last `count` periods whose deadline has passed at `now`, oldest first."""
    last = periods.last_closed(reporting, now)
    first = periods.period_of(reporting, last.start - timedelta(days=reporting.cycle_days
                                                                * (count - 1)))
    return periods.periods_due(reporting, first.due_day, last.due_day)


def _first_owed(reporting, start_date: date | None, created_at) -> date:
    """The first period a project owes, as record_missing_reports counts it."""
    return reporting.period_start(start_date or local_date(created_at))


def build_matrix(projects, reporting, period_list: list[periods.Period],
                 now: datetime | None = None) -> Matrix:
    """The matrix of `projects` (a queryset of one plan's projects, already scoped) over
    `period_list` (from periods.py). Three queries."""
    now = now or timezone.now()
    starts = {p.start: p for p in period_list}
    info = {pk: row for pk, *row in projects.order_by().values_list(
        "pk", "code", "name", "stage", "start_date", "created_at", "lead_unit_id",
        "lead_unit__name", "lead_unit__kind", "lead_unit__sort_order")}
    filed = {(pid, start): (status, late, pk) for pid, start, status, late, pk in (
        ProgressReport.objects.filter(project_id__in=list(info), period_start__in=list(starts))
        .values_list("project_id", "period_start", "status", "is_late", "pk"))}
    cells: dict[int, dict] = defaultdict(lambda: {p.start: Cell(p) for p in period_list})
    units = {}
    for pid, (code, name, stage, start_date, created_at, unit_id, unit_name, kind,
              sort_order) in sorted(info.items(), key=lambda kv: kv[1][0]):
        owes_from = _first_owed(reporting, start_date, created_at)
        for period in period_list:
            row = filed.get((pid, period.start))
            if row is None and (stage not in REPORTING_STAGES or period.start < owes_from):
                continue  # not owed: not reporting now, or before the project began
            status, late, report_id = row if row else (None, False, None)
            state = state_of(status, late, period.deadline <= now)
            cells[unit_id][period.start].entries.append(
                Entry(pid, code, name, state, report_id))
            units[unit_id] = (kind, sort_order, unit_name)
    rows = [UnitRow(unit_id, units[unit_id][2], list(cells[unit_id].values()))
            for unit_id in units]
    # Worst first: who has not reported is what the page is for.
    rows.sort(key=lambda r: (-r.missing, -r.returned, -r.late, units[r.unit_id]))
    _mark_reminded(rows, reporting.plan_id)
    return Matrix(list(period_list), rows)


def reminder_key(plan_id: int, unit_id: int, owed: list[periods.Period]) -> str:
    """The notification dedupe key of a reminder to a unit about these periods of a plan:
    each person is told once about the same owed periods, and the page can tell it was
    sent. The plan is part of it: two plans on the same calendar share period starts, and
    a reminder about one must neither show 已提醒 on nor silence the other."""
    return dedupe_key(REMIND_EVENT, f"org.unit:{unit_id}", reminder_occasion(plan_id, owed))


def reminder_occasion(plan_id: int, owed: list[periods.Period]) -> str:
    """What tells one reminder to a unit from another: the plan and its owed periods."""
    return f"plan:{plan_id}:" + ",".join(p.start.isoformat() for p in owed)


def _mark_reminded(rows: list[UnitRow], plan_id: int) -> None:
    """已提醒 only where a notification row exists for the unit's owed periods of the plan."""
    keys = {reminder_key(plan_id, r.unit_id, r.owed_periods): r for r in rows if r.owed_periods}
    sent = set(Notification.objects.filter(event=REMIND_EVENT, dedupe_key__in=list(keys))
               .values_list("dedupe_key", flat=True))
    for key, row in keys.items():
        row.reminded = key in sent
