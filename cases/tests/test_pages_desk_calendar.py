"""The desk page warns when next year's 放假安排 is missing (core.workdays'
calendar_coverage_warning): deadlines after New Year would rest on a weekday guess."""

from datetime import date, datetime

import time_machine
from django.urls import reverse

from cases.tests.test_calendar_override import pin_package
from core.models import WorkdayOverride
from tests.base import SHANGHAI, CastTestCase

LATE_NOVEMBER = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # 2027 within 60 days
MAY = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)


class DeskCalendarBannerTests(CastTestCase):
    def setUp(self):
        super().setUp()
        pin_package(self)  # the package knows 2026, not 2027 (whatever version is installed)

    def desk_page(self, user=None):
        self.client.force_login(user or self.cast.office_staff)
        return self.client.get(reverse("cases:desk"))

    def test_late_november_without_2027_rows_shows_the_banner(self):
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            page = self.desk_page()
        self.assertContains(page, 'data-testid="calendar-warning"')
        self.assertContains(page, "节假日数据未覆盖2027年")
        self.assertContains(page, "工作日调整")

    def test_no_banner_when_covered(self):
        with time_machine.travel(MAY, tick=False):
            self.assertNotContains(self.desk_page(), 'data-testid="calendar-warning"')
        # the office has entered 2027 (one row makes the year maintained)
        WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=False)
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            self.assertNotContains(self.desk_page(), 'data-testid="calendar-warning"')

    def test_the_banner_is_for_the_desk_page_only(self):
        with time_machine.travel(LATE_NOVEMBER, tick=False):
            self.assertEqual(self.desk_page(self.cast.city_leader).status_code, 403)
            self.assertContains(self.desk_page(self.cast.office_admin),
                                'data-testid="calendar-warning"')
