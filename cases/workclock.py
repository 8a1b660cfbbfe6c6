"""The working-time clock of city-management cases (工作时 / 工作日).

Time limits of 数字城管 are counted in working time only: inside the working periods
(CASE_WORK_HOURS, e.g. 08:30-12:00 and 14:00-18:00) of working days of the Chinese
calendar (core.workdays: public holidays off, 调休 make-up days on), never at night,
never while the case is paused (延期 under review, 挂账). A case reported outside
working hours starts counting at the next working period.

Pure apart from the calendar (core.workdays reads the office's WorkdayOverride table,
cached). Every datetime in or out is aware; the arithmetic is done on the wall clock of
Asia/Shanghai, named explicitly (not the request's or the settings' current time zone: a
deadline must not move with a user's zone; Shanghai has no daylight saving, so wall-clock
minutes are real minutes). Instants are taken to the minute (seconds dropped), which
keeps the counts exactly additive.

Long limits never walk minute by minute: a deadline walks day by day and a whole
working day without a pause is taken in one step; the working time between two instants
counts its whole days from memoised per-year prefix sums; workday lookups are memoised
(core.workdays).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core import workdays

CLOCK_TZ = ZoneInfo("Asia/Shanghai")

Pause = tuple[datetime, datetime | None]  # aware datetimes; end None = still paused

UNITS = ("hour", "day")  # 工作时, 工作日

# A calendar with no working minute for ten years is a configuration error, not a wait.
_MAX_IDLE_DAYS = 3660
_DAY = timedelta(days=1)
# Ten years of round-the-clock minutes: no limit plus extensions comes near it.
_MAX_LIMIT_MINUTES = _MAX_IDLE_DAYS * 1440


def parse_work_hours(text: str) -> tuple[tuple[time, time], ...]:
    """'08:30-12:00,14:00-18:00' -> ((08:30, 12:00), (14:00, 18:00)).

    Raises ValueError with a reason a deployer can act on: each period HH:MM-HH:MM,
    start before end, in order of the day and not overlapping, at least one.
    """
    periods = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        bounds = item.split("-")
        if len(bounds) != 2:
            raise ValueError(f"{item!r} is not a period such as 08:30-12:00")
        try:
            start, end = (datetime.strptime(b.strip(), "%H:%M").time() for b in bounds)
        except ValueError:
            raise ValueError(f"{item!r} is not a period such as 08:30-12:00 (times HH:MM)") from None
        if start >= end:
            raise ValueError(f"{item!r}: the start must come before the end")
        if periods and start < periods[-1][1]:
            raise ValueError(f"{item!r} overlaps or precedes the period before it; list periods in order")
        periods.append((start, end))
    if not periods:
        raise ValueError("at least one working period is needed, e.g. 08:30-12:00,14:00-18:00")
    return tuple(periods)


def _chinese_workday(day: date) -> bool:
    # Memoised in core.workdays (cleared when the office edits its override table).
    return workdays.is_workday(day)


@dataclass(frozen=True)
class WorkCalendar:
    periods: tuple[tuple[time, time], ...]  # working hours of a working day, in order

    def is_workday(self, day: date) -> bool:
        return _chinese_workday(day)

    @property
    def day_minutes(self) -> int:
        """Working minutes of a full working day (the size of one 工作日)."""
        return sum(_minutes_of(end) - _minutes_of(start) for start, end in self.periods)


@lru_cache(maxsize=8)
def _calendar_for(setting: str) -> WorkCalendar:
    return WorkCalendar(periods=parse_work_hours(setting))


def default_calendar() -> WorkCalendar:
    """The calendar of settings.CASE_WORK_HOURS (validated when settings load)."""
    from django.conf import settings

    return _calendar_for(settings.CASE_WORK_HOURS)


def limit_minutes(amount: int, unit: str, cal: WorkCalendar) -> int:
    """A time limit in working minutes: N 工作时 = N×60, N 工作日 = N full working days."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    if amount < 0:
        raise ValueError(f"a time limit cannot be negative, got {amount}")
    return amount * (60 if unit == "hour" else cal.day_minutes)


def working_minutes(start: datetime, end: datetime, cal: WorkCalendar, pauses: Iterable[Pause] = ()) -> int:
    """Working minutes in [start, end), paused time excluded; 0 when end <= start.

    An open pause stops the clock at its start: nothing after it counts.
    """
    a, b = _local(start), _local(end)
    merged, open_from = _merge_pauses(pauses)
    if open_from is not None:
        b = min(b, open_from)
    if b <= a:
        return 0
    total = _work_between(a, b, cal)
    for p_start, p_end in merged:
        lo, hi = max(p_start, a), min(p_end, b)
        if lo < hi:
            total -= _work_between(lo, hi, cal)
    return total


def deadline(
    start: datetime, amount: int, unit: str, cal: WorkCalendar, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """The instant the case has used `amount` `unit`s of working time since `start`.

    The earliest such instant: a limit used up at 12:00 is due at 12:00, not 14:00.
    None while an open-ended pause holds (挂账, an extension under review): the clock
    is stopped and no deadline exists until it resumes.
    """
    return deadline_after(start, limit_minutes(amount, unit, cal), cal, pauses)


def deadline_after(
    start: datetime, needed: int, cal: WorkCalendar, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """deadline() for a limit given in working minutes (a limit plus extensions)."""
    if needed < 0:
        raise ValueError(f"a time limit cannot be negative, got {needed}")
    if needed > _MAX_LIMIT_MINUTES:  # the callers cap limits far lower (cases.models.MAX_LIMIT)
        raise ValueError(f"a time limit of {needed} working minutes is beyond any case")
    merged, open_from = _merge_pauses(pauses)
    if open_from is not None:
        return None
    cursor = _local(start)
    if needed == 0:
        return _aware(cursor)
    for seg_start, seg_end in _free_segments(cursor, cal, merged):
        length = _span(seg_start, seg_end)
        if needed <= length:
            return _aware(seg_start + timedelta(minutes=needed))
        needed -= length
    raise AssertionError("unreachable: _free_segments never ends")  # pragma: no cover


def remaining_minutes(
    now: datetime, deadline_at: datetime, cal: WorkCalendar, pauses: Iterable[Pause] = ()
) -> int:
    """Working minutes left until deadline_at; negative (working minutes overdue) after it."""
    if now <= deadline_at:
        return working_minutes(now, deadline_at, cal, pauses)
    return -working_minutes(deadline_at, now, cal, pauses)


# --- internals: naive local wall-clock datetimes, whole minutes ---------------------


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock takes aware datetimes only")
    return moment.astimezone(CLOCK_TZ).replace(tzinfo=None, second=0, microsecond=0)


def _aware(naive: datetime) -> datetime:
    return naive.replace(tzinfo=CLOCK_TZ)


def _minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def _span(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds()) // 60


def _merge_pauses(pauses: Iterable[Pause]) -> tuple[list[tuple[datetime, datetime]], datetime | None]:
    """Closed pauses as sorted disjoint local intervals, and the earliest open pause's start."""
    closed, open_from = [], None
    for p_start, p_end in pauses:
        lo = _local(p_start)
        if p_end is None:
            open_from = lo if open_from is None else min(open_from, lo)
            continue
        hi = _local(p_end)
        if lo < hi:
            closed.append((lo, hi))
    closed.sort()
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in closed:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged, open_from


def _periods_on(day: date, cal: WorkCalendar) -> list[tuple[datetime, datetime]]:
    return [(datetime.combine(day, s), datetime.combine(day, e)) for s, e in cal.periods]


def _work_between(a: datetime, b: datetime, cal: WorkCalendar) -> int:
    """Working minutes in [a, b), pauses ignored: the partial first and last days walk
    their periods, the whole days between are counted from per-year prefix sums (a case
    overdue for two years costs a few lookups, not 700 calendar days)."""
    first, last = a.date(), b.date()
    total = _partial(first, a, b, cal)
    if last > first:
        total += _partial(last, a, b, cal)
        total += _workdays_in(first + _DAY, last, cal) * cal.day_minutes
    return total


def _partial(day: date, a: datetime, b: datetime, cal: WorkCalendar) -> int:
    if not cal.is_workday(day):
        return 0
    total = 0
    for p_start, p_end in _periods_on(day, cal):
        lo, hi = max(p_start, a), min(p_end, b)
        if lo < hi:
            total += _span(lo, hi)
    return total


# Per-year prefix sums of working days, valid for one generation of core.workdays' memo:
# when the office edits its override table (or the cache expires, or a test swaps the
# overrides) that memo dict is replaced, and the sums are rebuilt from the new calendar.
# Keyed by (calendar, year): a calendar is a frozen value, and one with other working days
# (the tests' calendars) gets its own sums.
_prefix: dict = {"memo": None, "years": {}}
_PREFIX_MAX = 512  # (calendar, year) entries kept; beyond that the sums start afresh


def _year_prefix(year: int, cal: WorkCalendar) -> list[int]:
    """prefix[i] = working days among the first i days of `year` (len = days in year + 1)."""
    memo = workdays._state()[2]
    if _prefix["memo"] is not memo or len(_prefix["years"]) > _PREFIX_MAX:
        _prefix["memo"], _prefix["years"] = memo, {}
    years = _prefix["years"]
    found = years.get((cal, year))
    if found is None:
        day, counts = date(year, 1, 1), [0]
        while day.year == year:
            counts.append(counts[-1] + (1 if cal.is_workday(day) else 0))
            if day == date.max:
                break
            day += _DAY
        years[(cal, year)] = found = counts
    return found


def _workdays_in(lo: date, hi: date, cal: WorkCalendar) -> int:
    """Working days in [lo, hi)."""
    if lo >= hi:
        return 0
    first = _year_prefix(lo.year, cal)
    start = first[lo.timetuple().tm_yday - 1]
    if lo.year == hi.year:
        return first[hi.timetuple().tm_yday - 1] - start
    total = first[-1] - start
    for year in range(lo.year + 1, hi.year):
        total += _year_prefix(year, cal)[-1]
    return total + _year_prefix(hi.year, cal)[hi.timetuple().tm_yday - 1]


def _free_segments(
    cursor: datetime, cal: WorkCalendar, merged: list[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """Working, unpaused stretches from `cursor` on, in order (endless).

    A working day untouched by the cursor and by pauses comes out as its periods with
    no further work; pauses are consumed with a moving index, never rescanned.
    """
    idx = 0  # first pause that may still matter
    idle = 0
    day = cursor.date()
    while True:
        produced = False
        if cal.is_workday(day):
            for p_start, p_end in _periods_on(day, cal):
                lo = max(p_start, cursor)
                if lo >= p_end:
                    continue
                while idx < len(merged) and merged[idx][1] <= lo:
                    idx += 1
                j = idx
                while lo < p_end:
                    if j < len(merged) and merged[j][0] < p_end:
                        pause_lo, pause_hi = merged[j]
                        if pause_lo > lo:
                            produced = True
                            yield lo, pause_lo
                        lo = max(lo, pause_hi)
                        if pause_hi <= p_end:
                            j += 1
                    else:
                        produced = True
                        yield lo, p_end
                        break
        idle = 0 if produced or cal.is_workday(day) else idle + 1
        if idle > _MAX_IDLE_DAYS:
            raise ValueError(f"no working time within {_MAX_IDLE_DAYS} days after {cursor:%Y-%m-%d}")
        day += _DAY
