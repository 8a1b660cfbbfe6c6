"""cases.clock: the status words over a case's life, and one pauses query for a page."""

from datetime import datetime

import time_machine
from django.test import override_settings

from cases import actions
from cases.choices import CaseState, ClockStatus, LimitUnit
from cases.clock import clock_for, clocks_for
from cases.tests.test_actions import MEDIA, NOW, CaseFixtures, photo
from tests.base import SHANGHAI


def at(day, hour, minute=0):
    return datetime(2026, 5, day, hour, minute, tzinfo=SHANGHAI)


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class ClockTests(CaseFixtures):
    def dispatched(self, **extra):
        desk = self.cast.office_staff
        case = actions.do_report_case(acting_user=self.inspector, type_version=self.garbage,
                                      description="路边成堆垃圾", lon=113.38, lat=34.51,
                                      grid=self.grid, **extra)
        actions.do_accept(case, acting_user=desk)
        actions.do_register(case, acting_user=desk)
        return actions.do_dispatch(case, acting_user=desk)

    def test_not_dispatched_is_none(self):
        case = actions.do_report_case(acting_user=self.inspector, type_version=self.garbage,
                                      description="x", lon=113.38, lat=34.51)
        clock = clock_for(case)
        self.assertEqual((clock.status, clock.deadline_at, clock.remaining_minutes),
                         (ClockStatus.NONE, None, None))
        self.assertEqual(clock.label, "未计时")

    def test_running_due_soon_overdue(self):
        case = self.dispatched()  # 4 工作时: due 16:00; due soon from 60 minutes left
        clock = clock_for(case)
        self.assertEqual((clock.status, clock.remaining_minutes), (ClockStatus.RUNNING, 240))
        self.assertEqual(clock.label, "剩余4小时")
        self.assertEqual(clock_for(case, now=at(20, 14, 59)).status, ClockStatus.RUNNING)
        soon = clock_for(case, now=at(20, 15, 0))
        self.assertEqual((soon.status, soon.remaining_minutes), (ClockStatus.DUE_SOON, 60))
        self.assertEqual(clock_for(case, now=at(20, 16, 0)).status, ClockStatus.DUE_SOON)
        late = clock_for(case, now=at(21, 9, 0))
        self.assertEqual((late.status, late.remaining_minutes), (ClockStatus.OVERDUE, -150))
        self.assertEqual(late.label, "超期2小时30分钟")
        # the evening counts no working minute: 16:00–18:00 overdue
        evening = clock_for(case, now=at(20, 21, 0))
        self.assertEqual((evening.status, evening.remaining_minutes), (ClockStatus.OVERDUE, -120))

    def test_due_soon_is_a_quarter_of_a_long_limit(self):
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=4,
                                               unit=LimitUnit.DAY, reason="需调运车辆")
        actions.do_decide_extension(request, acting_user=self.cast.office_staff, approve=True)
        case.refresh_from_db()
        # 4h + 4 工作日 = 2040 working minutes; a quarter is 510: due soon with 510 left
        total = 240 + 4 * 450
        clock = clock_for(case)
        self.assertEqual((clock.status, clock.remaining_minutes), (ClockStatus.RUNNING, total))
        self.assertEqual(clock.label, "剩余4工作日4小时")
        # due Tuesday 26th 16:00; on Monday 25th at 15:00 there are 180 + 330 = 510 left
        self.assertEqual(clock_for(case, now=at(25, 14, 59)).status, ClockStatus.RUNNING)
        soon = clock_for(case, now=at(25, 15, 0))
        self.assertEqual((soon.status, soon.remaining_minutes), (ClockStatus.DUE_SOON, 510))

    def test_hang_is_paused_and_final_is_none(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        actions.do_hang(case, acting_user=desk, reason="需纳入年度工程")
        clock = clock_for(case)
        self.assertEqual((clock.status, clock.deadline_at), (ClockStatus.PAUSED, None))
        actions.do_unhang(case, acting_user=desk)
        self.assertEqual(clock_for(case).status, ClockStatus.RUNNING)
        actions.do_void(case, acting_user=desk, reason="重复录入")
        self.assertEqual(clock_for(case).status, ClockStatus.NONE)

    def test_a_handled_case_is_read_at_its_handling(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        with time_machine.travel(at(20, 15, 0), tick=False):
            actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])
        actions.do_send_check(case, acting_user=desk)
        clock = clock_for(case, now=at(22, 10, 0))  # two days later, still waiting
        self.assertEqual((clock.status, clock.remaining_minutes, clock.label),
                         (ClockStatus.RUNNING, 60, "按期处置"))
        late = self.dispatched()
        with time_machine.travel(at(21, 10, 0), tick=False):
            actions.do_handle(late, acting_user=self.town_staff, photos=[photo()])
        self.assertEqual(clock_for(late).status, ClockStatus.OVERDUE)

    def test_a_returned_case_keeps_running(self):
        case = self.dispatched()
        actions.do_return_to_desk(case, acting_user=self.town_staff, reason="非本单位")
        self.assertEqual(case.state, CaseState.RETURNED)
        self.assertEqual(clock_for(case, now=at(21, 9, 0)).status, ClockStatus.OVERDUE)

    def test_clocks_for_a_page_in_one_pauses_query(self):
        desk = self.cast.office_staff
        cases = [self.dispatched() for _ in range(3)]
        actions.do_hang(cases[1], acting_user=desk, reason="需协调")
        reported = actions.do_report_case(acting_user=self.inspector, type_version=self.garbage,
                                          description="x", lon=113.38, lat=34.51)
        page = [*cases, reported]
        for case in page:
            case.refresh_from_db()
        with self.assertNumQueries(1):
            clocks = clocks_for(page)
        self.assertEqual([clocks[c.pk].status for c in page],
                         [ClockStatus.RUNNING, ClockStatus.PAUSED, ClockStatus.RUNNING,
                          ClockStatus.NONE])
        self.assertEqual(clocks[cases[0].pk], clock_for(cases[0]))
