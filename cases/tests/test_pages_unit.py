"""本单位案件: the handling unit's list (its own cases only, overdue first, countdowns) and
its steps — 签收, 处置 with an after photo (checked by content), 回退 with a reason, 延期."""

from datetime import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import actions
from cases.choices import CaseState, EventType, ExtensionStatus, PhotoStage
from cases.models import Case, ExtensionRequest
from cases.tests.test_pages_desk import CasePagesBase, photo
from org.choices import Role
from tests.base import SHANGHAI


class UnitListTests(CasePagesBase):
    def test_the_list_shows_own_cases_with_countdowns_overdue_first(self):
        with time_machine.travel(datetime(2026, 5, 19, 9, 0, tzinfo=SHANGHAI), tick=False):
            late = self.dispatched(lon=113.375)  # 4 工作时 from Tuesday 09:00: overdue now
        fresh = self.dispatched()
        elsewhere = self.dispatched(unit=self.cast.unit_b, lon=113.385)
        self.client.force_login(self.town_staff)
        response = self.client.get(reverse("cases:unit"))
        self.assertEqual(response.status_code, 200)
        rows = [case.pk for case in response.context["rows"]]
        self.assertEqual(rows, [late.pk, fresh.pk])
        self.assertNotContains(response, elsewhere.number)
        self.assertContains(response, "clock-overdue")
        self.assertContains(response, "剩余4小时")
        self.assertContains(response, 'data-testid="overdue-count"')

    def test_tabs_and_filters(self):
        at_unit = self.dispatched()
        handled = self.handled(lon=113.385)
        self.client.force_login(self.town_staff)
        todo = self.client.get(reverse("cases:unit"))
        self.assertContains(todo, at_unit.number)
        self.assertNotContains(todo, handled.number)
        done = self.client.get(reverse("cases:unit"), {"tab": "done"})
        self.assertContains(done, handled.number)
        for query in ({"tab": "all"}, {"tab": "bogus"}, {"state": "x"}, {"date_to": "no"},
                      {"grid": "4199"}, {"page": "99"}):
            with self.subTest(query=query):
                self.assertEqual(self.client.get(reverse("cases:unit"), query).status_code, 200)

    def test_only_unit_staff_open_it(self):
        for user in (self.desk, self.inspector, self.cast.supervision, self.cast.citizen):
            with self.subTest(role=user.role):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("cases:unit")).status_code, 403)
        self.client.force_login(self.cast.head_a)
        self.assertEqual(self.client.get(reverse("cases:unit")).status_code, 200)

    def test_queries_do_not_grow_with_rows(self):
        self.dispatched()
        self.client.force_login(self.town_staff)
        url = reverse("cases:unit")
        self.client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for n in range(6):
            case = self.dispatched(lon=113.371 + n * 0.001)
            if n % 2:
                actions.do_request_extension(case, acting_user=self.town_staff, amount=1,
                                             unit="day", reason="等材料")
        hung = self.dispatched(lon=113.389)
        actions.do_hang(hung, acting_user=self.desk, reason="长期问题")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 7)
        self.assertEqual(len(many), len(few), [q["sql"] for q in many.captured_queries])


class UnitStepTests(CasePagesBase):
    def test_start_then_handle_with_a_photo(self):
        case = self.dispatched()
        self.step(self.town_staff, case, "start", {"next": reverse("cases:unit")})
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.HANDLING)
        response = self.step(self.town_staff, case, "handle",
                             {"photos": [photo("后.jpg")], "note": "已清运",
                              "lon": "113.3801", "lat": "34.5101"})
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.HANDLED)
        after = case.photos.get(stage=PhotoStage.AFTER)
        self.assertEqual(after.event.kind, EventType.HANDLE)
        event = case.events.get(kind=EventType.HANDLE)
        self.assertEqual((event.note, round(event.lon, 4)), ("已清运", 113.3801))

    def test_handle_refusals_are_messages(self):
        case = self.dispatched()
        self.assertRefused(self.step(self.town_staff, case, "handle", {"note": "无照片"}),
                           "处置后照片")
        fake = SimpleUploadedFile("后.jpg", b"not an image at all", "image/jpeg")
        self.assertRefused(self.step(self.town_staff, case, "handle", {"photos": [fake]}),
                           "不是可接受的格式")
        many = [photo(f"{n}.jpg") for n in range(10)]
        self.assertRefused(self.step(self.town_staff, case, "handle", {"photos": many}),
                           "最多上传9张")
        bad_place = self.step(self.town_staff, case, "handle",
                              {"photos": [photo()], "lon": "999", "lat": "x"})
        self.assertRefused(bad_place, "处置未办理")
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.DISPATCHED)
        self.assertFalse(case.photos.filter(stage=PhotoStage.AFTER).exists())

    def test_return_with_a_reason(self):
        case = self.dispatched()
        self.assertRefused(self.step(self.town_staff, case, "return", {"reason": ""}),
                           "回退理由")
        response = self.step(self.town_staff, case, "return", {"reason": "属供电公司"})
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertNotIn(case.state, (CaseState.DISPATCHED, CaseState.HANDLING))
        self.assertEqual(case.events.last().kind, EventType.RETURN)
        # Wherever the case now is, the unit lands on a page that exists.
        self.client.force_login(self.town_staff)
        self.assertIn(self.client.get(response["Location"]).status_code, (200,))

    def test_extension_request(self):
        case = self.dispatched()
        for bad in ({"amount": "0", "unit": "day", "reason": "x"},
                    {"amount": "2", "unit": "week", "reason": "x"},
                    {"amount": "2", "unit": "day", "reason": ""}):
            with self.subTest(bad=bad):
                self.assertRefused(self.step(self.town_staff, case, "extension", bad),
                                   "申请延期未办理")
        self.step(self.town_staff, case, "extension",
                  {"amount": "2", "unit": "day", "reason": "需协调电力部门"})
        request = ExtensionRequest.objects.get(case=case)
        self.assertEqual((request.amount, request.status), (2, ExtensionStatus.PENDING))
        self.assertRefused(self.step(self.town_staff, case, "extension",
                                     {"amount": "1", "unit": "day", "reason": "再申请"}),
                           "待审批")
        self.client.force_login(self.town_staff)
        self.assertContains(self.client.get(reverse("cases:unit")), "延期待审批")

    def test_another_unit_member_of_the_same_unit_may_act_but_not_the_desk_on_unit_steps(self):
        case = self.dispatched(unit=self.cast.unit_a)
        self.assertRefused(self.step(self.desk, case, "start"), "无权")
        self.step(self.cast.head_a, case, "start")
        self.assertEqual(Case.objects.get(pk=case.pk).state, CaseState.HANDLING)
        self.assertEqual(self.cast.head_a.role, Role.UNIT_HEAD)
