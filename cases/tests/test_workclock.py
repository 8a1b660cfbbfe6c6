"""The working-time clock: worked examples on the real 2026 calendar, and properties over
random calendars and pauses checked against a minute-by-minute count.

2026 facts used (chinesecalendar data): 国庆 holidays 10-01 … 10-07 with make-up working
days Sun 09-20 and Sat 10-10; 中秋 Fri 09-25 off.
"""

import time as wallclock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.workclock import (
    WorkCalendar,
    deadline,
    default_calendar,
    limit_minutes,
    parse_work_hours,
    remaining_minutes,
    working_minutes,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(periods=parse_work_hours("08:30-12:00,14:00-18:00"))
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def another_current_zone():
    # The clock names Asia/Shanghai itself: whatever zone is active (a user's, the
    # settings'), a deadline is the same instant.
    with timezone.override(ZoneInfo("America/New_York")):
        yield


def at(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH)


# --- worked examples on the real calendar ---------------------------------------------


@pytest.mark.parametrize(
    "start, amount, unit, due",
    [
        # Friday 17:30, 2 工作时: 30 min on Friday, 90 min from Monday 08:30.
        (at(2026, 11, 27, 17, 30), 2, "hour", at(2026, 11, 30, 10, 0)),
        # The lunch break does not count: 11:00 + 2 工作时 = 15:00.
        (at(2026, 11, 25, 11, 0), 2, "hour", at(2026, 11, 25, 15, 0)),
        # Used up exactly at the end of a period: due then, not after lunch.
        (at(2026, 11, 25, 10, 0), 2, "hour", at(2026, 11, 25, 12, 0)),
        # Reported at night / at lunch: the clock starts at the next working period.
        (at(2026, 11, 24, 22, 0), 1, "hour", at(2026, 11, 25, 9, 30)),
        (at(2026, 11, 25, 12, 30), 1, "hour", at(2026, 11, 25, 15, 0)),
        (at(2026, 11, 28, 10, 0), 1, "hour", at(2026, 11, 30, 9, 30)),  # an ordinary Saturday
        # 1 工作日 opened at 15:00 is due at 15:00 the next working day.
        (at(2026, 11, 25, 15, 0), 1, "day", at(2026, 11, 26, 15, 0)),
        (at(2026, 11, 27, 15, 0), 1, "day", at(2026, 11, 30, 15, 0)),
        (at(2026, 11, 25, 15, 0), 5, "day", at(2026, 12, 2, 15, 0)),
        # 国庆 2026: Wednesday 09-30 17:30 + 2 工作时 -> Thursday 10-08 10:00.
        (at(2026, 9, 30, 17, 30), 2, "hour", at(2026, 10, 8, 10, 0)),
        # The 调休 Saturday 10-10 is a working day: Friday 17:00 + 4 工作时 -> Saturday 11:30.
        (at(2026, 10, 9, 17, 0), 4, "hour", at(2026, 10, 10, 11, 30)),
        # The make-up Sunday 09-20 works too.
        (at(2026, 9, 18, 17, 0), 2, "hour", at(2026, 9, 20, 9, 30)),
        # 中秋 Friday 09-25 is off: Thursday 17:00 + 2 工作时 -> Monday 09:30.
        (at(2026, 9, 24, 17, 0), 2, "hour", at(2026, 9, 28, 9, 30)),
        # 1 工作日 from the day before 国庆 lands after it.
        (at(2026, 9, 30, 15, 0), 1, "day", at(2026, 10, 8, 15, 0)),
        # A zero limit is due at once.
        (at(2026, 11, 25, 22, 0), 0, "hour", at(2026, 11, 25, 22, 0)),
    ],
)
def test_worked_deadlines(start, amount, unit, due):
    assert deadline(start, amount, unit, CAL) == due
    assert working_minutes(start, due, CAL) == limit_minutes(amount, unit, CAL)


def test_the_clock_ignores_the_current_time_zone():
    start = at(2026, 11, 27, 17, 30)
    for zone in ("UTC", "Asia/Kolkata", "Pacific/Kiritimati"):
        with timezone.override(ZoneInfo(zone)):
            due = deadline(start, 2, "hour", CAL)
            assert due == at(2026, 11, 30, 10, 0)
            assert due.tzinfo == SH
            assert working_minutes(start, due, CAL) == 120


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        deadline(datetime(2026, 11, 25, 9, 0), 1, "hour", CAL)


def test_deadline_of_a_utc_instant_is_computed_on_local_time():
    start = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("UTC"))  # Friday 17:30 in Shanghai
    assert deadline(start, 2, "hour", CAL) == at(2026, 11, 30, 10, 0)


def test_national_day_week_counts_only_its_working_days():
    # 09-30 (Wed) … 10-08 (Thu): only 09-30 and 10-08 work; 450 minutes each.
    assert working_minutes(at(2026, 9, 30), at(2026, 10, 9), CAL) == 900
    assert working_minutes(at(2026, 10, 1), at(2026, 10, 8), CAL) == 0
    assert working_minutes(at(2026, 10, 10), at(2026, 10, 11), CAL) == 450  # 调休 Saturday


def test_a_closed_pause_shifts_the_deadline_by_its_working_minutes():
    start = at(2026, 11, 25, 9, 0)
    assert deadline(start, 4, "hour", CAL) == at(2026, 11, 25, 15, 0)
    # Paused 10:00-11:30 (90 working minutes) and, overlapping, 11:00-14:30 (30 more).
    pauses = [
        (at(2026, 11, 25, 10, 0), at(2026, 11, 25, 11, 30)),
        (at(2026, 11, 25, 11, 0), at(2026, 11, 25, 14, 30)),
    ]
    assert deadline(start, 4, "hour", CAL, pauses) == at(2026, 11, 25, 17, 30)
    assert working_minutes(start, at(2026, 11, 25, 17, 30), CAL, pauses) == 240


def test_an_open_pause_stops_the_clock():
    start = at(2026, 11, 25, 9, 0)
    pauses = [(at(2026, 11, 25, 10, 0), None)]
    assert deadline(start, 4, "hour", CAL, pauses) is None
    assert working_minutes(start, at(2026, 12, 25), CAL, pauses) == 60
    resumed = [(at(2026, 11, 25, 10, 0), at(2026, 11, 26, 10, 0))]  # 挂账 lifted a day later
    assert deadline(start, 4, "hour", CAL, resumed) == at(2026, 11, 26, 15, 0)


def test_remaining_minutes_is_negative_when_overdue():
    due = at(2026, 11, 25, 15, 0)
    assert remaining_minutes(at(2026, 11, 25, 11, 0), due, CAL) == 120
    assert remaining_minutes(due, due, CAL) == 0
    assert remaining_minutes(at(2026, 11, 26, 9, 0), due, CAL) == -(180 + 30)


def test_seconds_are_dropped():
    start = at(2026, 11, 25, 9, 0).replace(second=59)
    assert working_minutes(start, at(2026, 11, 25, 9, 1).replace(second=1), CAL) == 1
    assert deadline(start, 1, "hour", CAL) == at(2026, 11, 25, 10, 0)


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        deadline(at(2026, 11, 25), 1, "week", CAL)
    with pytest.raises(ValueError):
        deadline(at(2026, 11, 25), -1, "hour", CAL)


def test_a_calendar_without_working_days_is_refused_not_waited_on():
    class NeverWorks(WorkCalendar):
        def is_workday(self, day):
            return False

    with pytest.raises(ValueError):
        deadline(at(2026, 11, 25), 1, "hour", NeverWorks(periods=CAL.periods))


def test_a_deadline_1000_working_days_away_is_fast():
    start = at(2026, 11, 25, 15, 0)
    began = wallclock.perf_counter()
    due = deadline(start, 1000, "day", CAL)
    counted = working_minutes(start, due, CAL)
    elapsed = wallclock.perf_counter() - began
    assert counted == 1000 * 450
    assert due.time() == time(15, 0)
    assert elapsed < 0.5, elapsed


@pytest.mark.parametrize(
    "text, periods",
    [
        ("08:30-12:00,14:00-18:00", ((time(8, 30), time(12)), (time(14), time(18)))),
        (" 9:00-17:00 ", ((time(9), time(17)),)),
        ("08:00-12:00,12:00-13:00", ((time(8), time(12)), (time(12), time(13)))),
    ],
)
def test_parse_work_hours(text, periods):
    assert parse_work_hours(text) == periods


@pytest.mark.parametrize(
    "text",
    [
        "",
        ",",
        "08:30",
        "08:30-12:00-13:00",
        "8h-12h",
        "12:00-08:00",
        "09:00-09:00",
        "14:00-18:00,08:30-12:00",
        "08:00-12:00,11:00-13:00",
        "25:00-26:00",
    ],
)
def test_parse_work_hours_refuses(text):
    with pytest.raises(ValueError):
        parse_work_hours(text)


def test_default_calendar_follows_the_setting():
    assert default_calendar().periods == CAL.periods
    with override_settings(CASE_WORK_HOURS="09:00-17:00"):
        assert default_calendar().periods == ((time(9), time(17)),)
        assert default_calendar().day_minutes == 480


def test_an_invalid_setting_stops_start_up(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("CASE_WORK_HOURS", "18:00-08:30")
    with pytest.raises(ImproperlyConfigured, match="CASE_WORK_HOURS"):
        importlib.reload(config.settings)
    monkeypatch.undo()
    importlib.reload(config.settings)  # leave the module as the suite loaded it


# --- properties over random calendars and pauses ---------------------------------------

BASE = datetime(2030, 1, 7, tzinfo=SH)  # a Monday; the random calendars live around it
WINDOW_DAYS = 12


@dataclass(frozen=True)
class RandomCalendar(WorkCalendar):
    holidays: frozenset = frozenset()
    makeup: frozenset = frozenset()

    def is_workday(self, day: date) -> bool:
        if day in self.makeup:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@st.composite
def calendars(draw):
    points = sorted(draw(st.lists(st.integers(0, 1439), min_size=2, max_size=8, unique=True)))
    points = points[: len(points) // 2 * 2]
    periods = tuple(
        (time(*divmod(points[i], 60)), time(*divmod(points[i + 1], 60))) for i in range(0, len(points), 2)
    )
    days = st.integers(0, WINDOW_DAYS + 5).map(lambda n: BASE.date() + timedelta(days=n))
    return RandomCalendar(
        periods=periods,
        holidays=frozenset(draw(st.lists(days, max_size=8))),
        makeup=frozenset(draw(st.lists(days, max_size=3))),
    )


moments = st.integers(0, WINDOW_DAYS * 1440).map(lambda m: BASE + timedelta(minutes=m))


@st.composite
def pause_lists(draw, allow_open=False):
    pauses = []
    for _ in range(draw(st.integers(0, 4))):
        begin = draw(moments)
        pauses.append((begin, begin + timedelta(minutes=draw(st.integers(0, 3 * 1440)))))
    if allow_open and draw(st.booleans()):
        pauses.append((draw(moments), None))
    return pauses


def oracle(start, end, cal, pauses):
    """Minute by minute: a minute counts when its day works, it lies in a period, and no pause holds."""
    count, t = 0, start
    while t < end:
        works = cal.is_workday(t.date()) and any(s <= t.time() < e for s, e in cal.periods)
        paused = any(p_start <= t and (p_end is None or t < p_end) for p_start, p_end in pauses)
        count += works and not paused
        t += MINUTE
    return count


PROPS = settings(max_examples=200, deadline=None)


@PROPS
@given(calendars(), moments, moments, pause_lists(allow_open=True))
def test_counts_exactly_the_working_unpaused_minutes(cal, a, b, pauses):
    # Holidays, nights, lunch breaks and paused minutes never count, and nothing else is left out.
    start, end = min(a, b), max(a, b)
    assert working_minutes(start, end, cal, pauses) == oracle(start, end, cal, pauses)


@PROPS
@given(calendars(), st.lists(moments, min_size=3, max_size=3), pause_lists(allow_open=True))
def test_working_minutes_is_additive_over_split_intervals(cal, points, pauses):
    a, b, c = sorted(points)
    whole = working_minutes(a, c, cal, pauses)
    assert whole == working_minutes(a, b, cal, pauses) + working_minutes(b, c, cal, pauses)
    assert working_minutes(c, a, cal, pauses) == 0 or a == c


@PROPS
@given(calendars(), st.integers(0, 7 * 1440))
def test_non_working_days_count_nothing(cal, offset):
    day = (BASE + timedelta(minutes=offset)).date()
    midnight = datetime.combine(day, time(), tzinfo=SH)
    counted = working_minutes(midnight, midnight + timedelta(days=1), cal)
    assert counted == (cal.day_minutes if cal.is_workday(day) else 0)


@PROPS
@given(calendars(), moments, st.integers(0, 30), st.sampled_from(["hour", "day"]), pause_lists())
def test_deadline_is_the_first_instant_the_limit_is_used_up(cal, start, amount, unit, pauses):
    if unit == "day":
        amount = amount % 6
    due = deadline(start, amount, unit, cal, pauses)
    needed = limit_minutes(amount, unit, cal)
    assert working_minutes(start, due, cal, pauses) == needed
    if needed:
        assert working_minutes(start, due - MINUTE, cal, pauses) == needed - 1
    else:
        assert due == start
    assert remaining_minutes(start, due, cal, pauses) == needed


@PROPS
@given(calendars(), moments, st.integers(0, 40), pause_lists())
def test_pausing_then_resuming_shifts_the_deadline_by_the_paused_working_minutes(cal, start, hours, pauses):
    plain = deadline(start, hours, "hour", cal)
    paused = deadline(start, hours, "hour", cal, pauses)
    assert paused >= plain
    # The working minutes the pauses took out between the start and the new deadline …
    taken = working_minutes(start, paused, cal) - working_minutes(start, paused, cal, pauses)
    # … are exactly the working minutes the deadline moved.
    assert working_minutes(plain, paused, cal) == taken
    if not pauses:
        assert paused == plain


@PROPS
@given(calendars(), moments, moments, st.integers(1, 40), pause_lists())
def test_an_open_pause_holds_the_clock(cal, start, paused_at, hours, pauses):
    open_pauses = [*pauses, (paused_at, None)]
    assert deadline(start, hours, "hour", cal, open_pauses) is None
    later = BASE + timedelta(days=WINDOW_DAYS + 3)
    assert working_minutes(start, later, cal, open_pauses) == working_minutes(
        start, max(start, min(later, paused_at)), cal, pauses
    )


def test_an_absurd_limit_is_refused_not_walked():
    with pytest.raises(ValueError):
        deadline(at(2026, 11, 25), 10**9, "day", CAL)


# --- long overdue cases: whole days counted from per-year sums --------------------------


def test_overdue_since_2024_counts_whole_days_without_walking_them():
    """A page of 20 cases overdue since 2024 (the unit list, bench-pages): each remaining
    time looks up a handful of days, not every calendar day since its deadline."""
    from unittest import mock

    from core import workdays

    now = datetime(2026, 11, 30, 10, 0, tzinfo=SH)
    dues = [datetime(2024, 1, 2 + n, 9, 0, tzinfo=SH) for n in range(20)]
    remaining_minutes(now, dues[0], CAL)  # the years' sums, once per calendar generation
    with mock.patch.object(workdays, "is_workday", wraps=workdays.is_workday) as lookups:
        started = wallclock.perf_counter()
        values = [remaining_minutes(now, due, CAL) for due in dues]
        spent = wallclock.perf_counter() - started
    assert lookups.call_count <= 20 * 4  # first and last day of each, nothing between
    assert spent / len(dues) < 0.001
    # the same answer as the day-by-day count
    days = sum(1 for n in range((date(2026, 11, 30) - date(2024, 1, 3)).days)
               if workdays.is_workday(date(2024, 1, 3) + timedelta(days=n)))
    # 2024-01-02 from 09:00: 180 + 240 minutes; 2026-11-30 until 10:00: 90 minutes
    assert values[0] == -(CAL.day_minutes * days + 420 + 90)


def test_whole_day_sums_follow_an_office_override():
    """The office declares a day off inside the span: the count drops by one working day
    (the per-year sums are rebuilt when core.workdays forgets its memo)."""
    from core import workdays

    start = datetime(2026, 3, 2, 8, 30, tzinfo=SH)  # Monday
    end = datetime(2026, 3, 9, 8, 30, tzinfo=SH)
    with workdays.use_overrides({}):
        before = working_minutes(start, end, CAL)
    with workdays.use_overrides({date(2026, 3, 4): False}):
        after = working_minutes(start, end, CAL)
    with workdays.use_overrides({date(2026, 3, 7): True}):  # a Saturday worked (调休)
        extra = working_minutes(start, end, CAL)
    assert before == 5 * CAL.day_minutes
    assert after == before - CAL.day_minutes
    assert extra == before + CAL.day_minutes
