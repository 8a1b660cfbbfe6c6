"""core.dates: the one way a date is shown — the local day, written the Chinese way."""

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.test import SimpleTestCase, override_settings

from core import dates

# 01:30 in Beijing on 29 November 2026 is still 28 November in UTC.
EARLY = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)


@override_settings(TIME_ZONE="Asia/Shanghai")
class LocalDateTests(SimpleTestCase):
    def test_an_early_morning_moment_is_dated_the_local_day(self):
        self.assertEqual(EARLY.date(), date(2026, 11, 28))  # the mistake this module prevents
        self.assertEqual(dates.local_date(EARLY), date(2026, 11, 29))
        self.assertEqual(dates.cn_date(EARLY), "2026年11月29日")
        self.assertEqual(dates.cn_datetime(EARLY), "2026年11月29日 01:30")
        self.assertEqual(dates.cn_month_day(EARLY), "11月29日")

    def test_dates_pass_through_and_blanks_stay_blank(self):
        self.assertEqual(dates.cn_date(date(2026, 1, 5)), "2026年1月5日")  # no leading zeros
        self.assertEqual(dates.local_date(date(2026, 1, 5)), date(2026, 1, 5))
        self.assertEqual((dates.cn_date(None), dates.cn_datetime(None)), ("", ""))
        self.assertIsNone(dates.local_date(None))

    def test_template_filters_agree_with_the_helper(self):
        out = Template("{% load cj %}{{ t|cn_date }}|{{ t|cn_datetime }}|{{ t|local_date|date:'Y-m-d' }}"
                       ).render(Context({"t": EARLY}))
        self.assertEqual(out, "2026年11月29日|2026年11月29日 01:30|2026-11-29")
