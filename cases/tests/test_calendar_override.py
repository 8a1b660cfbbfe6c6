"""The office's working-day table (core.WorkdayOverride) beyond chinesecalendar's data
(2027 on, for the installed 1.11): it wins over the weekday guess, edits reach the clock at
once, the gap is warned about, and a deadline never counts a day the table takes off."""

from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core import checks
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.workclock import WorkCalendar, deadline, parse_work_hours, working_minutes
from core import workdays
from core.models import WorkdayOverride
from tests.base import CastTestCase

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(periods=parse_work_hours("08:30-12:00,14:00-18:00"))
NEW_YEAR_2027 = date(2027, 1, 1)  # a Friday, past the package's data


def at(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH)


_package_is_workday = workdays.chinese_calendar.is_workday


def _data_until_2026(day):
    # As chinesecalendar 1.11 (installed) answers; pinned so that a newer package with
    # 2027 data does not change what these tests are about.
    if day.year > 2026:
        raise NotImplementedError(f"no available data for year {day.year}")
    return _package_is_workday(day)


def pin_package(test):
    patcher = mock.patch.object(workdays.chinese_calendar, "is_workday", _data_until_2026)
    patcher.start()
    test.addCleanup(patcher.stop)
    workdays.clear_cache()
    test.addCleanup(workdays.clear_cache)  # a rolled-back row must not stay cached


class OverrideTableTests(TestCase):
    def setUp(self):
        pin_package(self)

    def test_the_package_has_no_2027_and_weekdays_stand_in(self):
        self.assertFalse(workdays.package_knows(NEW_YEAR_2027))
        self.assertTrue(workdays.package_knows(date(2026, 10, 1)))
        self.assertTrue(workdays.is_workday(NEW_YEAR_2027))  # a Friday, by the weekday rule
        self.assertFalse(workdays.is_workday(date(2027, 1, 2)))

    def test_an_override_wins_at_once_and_archiving_withdraws_it(self):
        self.assertTrue(workdays.is_workday(NEW_YEAR_2027))  # cached as a working day …
        row = WorkdayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, note="元旦")
        self.assertFalse(workdays.is_workday(NEW_YEAR_2027))  # … and the save clears it
        saturday = WorkdayOverride.objects.create(date=date(2027, 2, 6), is_workday=True,
                                                  note="春节调休上班")
        self.assertTrue(workdays.is_workday(saturday.date))
        row.archive()
        self.assertTrue(workdays.is_workday(NEW_YEAR_2027))
        WorkdayOverride.objects.filter(pk=saturday.pk).update(is_workday=False)
        self.assertFalse(workdays.is_workday(saturday.date))

    def test_an_override_also_corrects_a_year_the_package_knows(self):
        WorkdayOverride.objects.create(date=date(2026, 5, 20), is_workday=False, note="本地假日")
        self.assertFalse(workdays.is_workday(date(2026, 5, 20)))

    def test_another_process_sees_an_edit_within_the_cache_time(self):
        self.assertTrue(workdays.is_workday(NEW_YEAR_2027))
        with mock.patch.object(workdays, "clear_cache"):  # as if saved by another worker
            WorkdayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False)
        self.assertTrue(workdays.is_workday(NEW_YEAR_2027))  # still the cached answer
        later = workdays.monotonic_clock.monotonic() + workdays.CACHE_SECONDS + 1
        with mock.patch.object(workdays.monotonic_clock, "monotonic", return_value=later):
            self.assertFalse(workdays.is_workday(NEW_YEAR_2027))

    def test_deadline_across_an_office_holiday_in_2027(self):
        start = at(2026, 12, 31, 17, 0)  # Thursday
        self.assertEqual(deadline(start, 2, "hour", CAL), at(2027, 1, 1, 9, 30))
        WorkdayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, note="元旦")
        self.assertEqual(deadline(start, 2, "hour", CAL), at(2027, 1, 4, 9, 30))
        self.assertEqual(working_minutes(at(2027, 1, 1), at(2027, 1, 2), CAL), 0)

    def test_one_date_one_active_row(self):
        from django.db import IntegrityError, transaction

        WorkdayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False)
        with self.assertRaises(IntegrityError), transaction.atomic():
            WorkdayOverride.objects.create(date=NEW_YEAR_2027, is_workday=True)


class CoverageWarningTests(TestCase):
    def setUp(self):
        pin_package(self)

    def test_warns_when_the_next_60_days_reach_an_unknown_year(self):
        self.assertEqual(workdays.calendar_coverage_warning(date(2026, 5, 20)), "")
        text = workdays.calendar_coverage_warning(date(2026, 11, 30))
        self.assertIn("2027", text)
        self.assertIn("2027-01-01", text)
        self.assertIn("工作日调整", text)
        self.assertEqual(workdays.uncovered_days(date(2026, 11, 30))[0], NEW_YEAR_2027)

    def test_a_year_the_office_maintains_is_covered(self):
        WorkdayOverride.objects.create(date=NEW_YEAR_2027, is_workday=False, note="元旦")
        self.assertEqual(workdays.calendar_coverage_warning(date(2026, 11, 30)), "")
        self.assertIn("2028", workdays.calendar_coverage_warning(date(2027, 12, 1)))

    def test_system_check_on_migrate_only(self):
        with time_machine.travel(at(2026, 11, 30, 10), tick=False):
            found = workdays.check_calendar_coverage(databases=["default"])
            self.assertEqual([w.id for w in found], ["core.W101"])
            self.assertIsInstance(found[0], checks.Warning)
            self.assertEqual(workdays.check_calendar_coverage(databases=None), [])
            # registered as a database check: run by migrate, not by check --deploy
            self.assertIn(workdays.check_calendar_coverage,
                          checks.registry.registry.get_checks(include_deployment_checks=True))
            self.assertEqual(checks.run_checks(tags=[checks.Tags.database], databases=None), [])
        with time_machine.travel(at(2026, 5, 20, 10), tick=False):
            self.assertEqual(workdays.check_calendar_coverage(databases=["default"]), [])


class OverrideAdminTests(CastTestCase):
    def setUp(self):
        pin_package(self)

    def test_the_office_enters_a_day_and_sees_the_warning(self):
        with time_machine.travel(at(2026, 11, 30, 10), tick=True):
            client = self.login(self.cast.office_admin)
            response = client.get("/admin/core/workdayoverride/")
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "节假日数据未覆盖2027年")
            response = client.post("/admin/core/workdayoverride/add/", {
                "date": "2027-01-01", "is_workday": "", "note": "元旦"})
            self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertFalse(workdays.is_workday(NEW_YEAR_2027))
        self.assertNotEqual(self.login(self.cast.reporter_a)
                            .get("/admin/core/workdayoverride/").status_code, 200)


# --- property: with random office tables in 2027+, nothing but working time counts -----

BASE = date(2027, 3, 1)  # a Monday past the package's data
SPAN = 20
days = st.integers(0, SPAN).map(lambda n: BASE + timedelta(days=n))
moments = st.integers(0, SPAN * 1440).map(
    lambda m: datetime.combine(BASE, time(), tzinfo=SH) + timedelta(minutes=m))


def oracle(start, end, pauses):
    count, t = 0, start
    while t < end:
        works = workdays.is_workday(t.date()) and any(s <= t.time() < e for s, e in CAL.periods)
        paused = any(a <= t and (b is None or t < b) for a, b in pauses)
        count += works and not paused
        t += timedelta(minutes=1)
    return count


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(days, st.booleans(), max_size=8), moments, moments,
       st.lists(st.tuples(moments, st.integers(0, 2 * 1440)), max_size=3),
       st.integers(0, 30))
def test_only_working_unpaused_minutes_count_with_office_overrides(table, a, b, raw, hours):
    start, end = min(a, b), max(a, b)
    pauses = [(p, p + timedelta(minutes=n)) for p, n in raw]
    with workdays.use_overrides(table):
        for day, works in table.items():
            assert workdays.is_workday(day) is works
        assert working_minutes(start, end, CAL, pauses) == oracle(start, end, pauses)
        due = deadline(start, hours, "hour", CAL, pauses)
        assert working_minutes(start, due, CAL, pauses) == hours * 60
        if hours:  # the first instant: a minute earlier the limit is not used up
            assert working_minutes(start, due - timedelta(minutes=1), CAL, pauses) == hours * 60 - 1
            # and it falls inside a working period of a working day
            last = due - timedelta(minutes=1)
            assert workdays.is_workday(last.date())
