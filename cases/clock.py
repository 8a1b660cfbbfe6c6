"""A case's clock as pages, the API and exports show it: the deadline, the working minutes
left (negative: overdue) and a status word.

Rules (one place, so the desk's list, the unit's queue and the map agree):
- NONE 未计时: not dispatched yet, or finished (结案, 不予立案, 作废).
- PAUSED 暂停计时: a 挂账 holds (no deadline exists until it is resumed).
- While the unit works (已派遣, 处置中, 返工, and 回退待审: a refused 回退 does not buy
  time) the clock runs at `now`; once the unit has handled the case (已处置, 待核查,
  核查通过) it is read at the 处置 time, so a case handled in time never turns overdue
  while waiting for its check.
- OVERDUE 超期: the reading instant is past the deadline (remaining_minutes then counts
  the working minutes overdue, 0 in the evening of the day it fell due).
- DUE_SOON 即将超期: remaining working time ≤ DUE_SOON_SHARE of the case's whole limit
  (limit plus approved 延期), or ≤ DUE_SOON_MINUTES — whichever is larger; a one-hour
  urgent case is due soon from its dispatch.
- RUNNING 办理中: otherwise.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from cases import workclock, workflow
from cases.choices import CaseState, ClockStatus, PauseKind

DUE_SOON_SHARE = 0.25
DUE_SOON_MINUTES = 60


@dataclass(frozen=True)
class Clock:
    deadline_at: datetime | None
    remaining_minutes: int | None  # working minutes; negative = overdue
    status: str  # a ClockStatus value
    label: str  # Chinese, for a badge: "剩余1工作日2小时" / "超期30分钟" / "暂停计时"

    @property
    def status_label(self) -> str:
        return ClockStatus(self.status).label


def _span_label(minutes: int, day_minutes: int) -> str:
    days, rest = divmod(abs(minutes), day_minutes) if day_minutes else (0, abs(minutes))
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}工作日")
    if hours:
        parts.append(f"{hours}小时")
    if mins or not parts:
        parts.append(f"{mins}分钟")
    return "".join(parts)


def _none() -> Clock:
    return Clock(None, None, ClockStatus.NONE, ClockStatus.NONE.label)


def _read(case, now: datetime, pauses: list) -> Clock:
    if case.state in workflow.FINAL_STATES or case.dispatched_at is None:
        return _none()
    open_hang = any(end is None for _start, end in pauses)
    if case.state == CaseState.HUNG or open_hang:
        return Clock(None, None, ClockStatus.PAUSED, ClockStatus.PAUSED.label)
    due = case.deadline_at
    if due is None:
        return _none()
    if case.state in workflow.HANDLED_STATES and case.handled_at is not None:
        at = case.handled_at
    elif case.state in workflow.CLOCK_STATES:
        at = now
    else:
        return _none()
    cal = workclock.default_calendar()
    remaining = workclock.remaining_minutes(at, due, cal, pauses)
    if at > due:
        return Clock(due, remaining, ClockStatus.OVERDUE,
                     f"超期{_span_label(remaining, cal.day_minutes)}")
    if case.state in workflow.HANDLED_STATES:
        # Handled in time: nothing is coming due any more.
        return Clock(due, remaining, ClockStatus.RUNNING, "按期处置")
    total = workclock.working_minutes(case.dispatched_at, due, cal, pauses)
    threshold = max(total * DUE_SOON_SHARE, DUE_SOON_MINUTES)
    status = ClockStatus.DUE_SOON if remaining <= threshold else ClockStatus.RUNNING
    return Clock(due, remaining, status, f"剩余{_span_label(remaining, cal.day_minutes)}")


def _pauses_by_case(case_ids) -> dict[int, list]:
    from cases.models import CasePause

    found: dict[int, list] = {pk: [] for pk in case_ids}
    rows = (CasePause.objects.active().filter(case_id__in=case_ids, kind=PauseKind.HANG)
            .order_by("start").values_list("case_id", "start", "end"))
    for case_id, start, end in rows:
        found[case_id].append((start, end))
    return found


def clock_for(case, now: datetime | None = None) -> Clock:
    """The clock of one case at `now` (default: the present instant)."""
    now = now or timezone.now()
    if case.state in workflow.FINAL_STATES or case.dispatched_at is None:
        return _none()
    return _read(case, now, _pauses_by_case([case.pk])[case.pk])


def clocks_for(cases, now: datetime | None = None) -> dict[int, Clock]:
    """{case.pk: Clock} for a page of cases, with one query for all their pauses."""
    now = now or timezone.now()
    cases = list(cases)
    timed = [c.pk for c in cases
             if c.state not in workflow.FINAL_STATES and c.dispatched_at is not None]
    pauses = _pauses_by_case(timed) if timed else {}
    return {c.pk: _read(c, now, pauses.get(c.pk, [])) for c in cases}
