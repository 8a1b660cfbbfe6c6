"""Rhythm, iCalendar feed and action items (交办事项)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from core.workdays import is_workday
from projects.actions import do_submit_report
from supervision import actions
from supervision.choices import ActionItemStatus, MeetingKind
from supervision.models import ActionItem, Meeting
from supervision.rhythm import half_year_dates, monthly_dates, quarterly_dates, weekly_dates
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


class RhythmTests(CastTestCase):
    def test_default_dates_fall_on_chinese_working_days(self):
        for dates in (weekly_dates(2026), monthly_dates(2026), quarterly_dates(2026),
                      half_year_dates(2026)):
            self.assertTrue(all(is_workday(d) for d in dates))
        weekly = weekly_dates(2026)
        self.assertGreaterEqual(len(weekly), 50)
        self.assertNotIn(date(2026, 10, 5), weekly)      # National Day holiday Monday
        # 2026-02-28 is a Saturday, but a make-up working day (调休) after the Spring Festival.
        self.assertEqual(monthly_dates(2026)[1], date(2026, 2, 28))
        self.assertEqual(monthly_dates(2026)[4], date(2026, 5, 29))  # May 30–31: weekend
        self.assertEqual(len(quarterly_dates(2026)), 4)

    def test_generate_is_idempotent_and_office_only(self):
        with self.assertRaises(PermissionDenied):
            actions.do_generate_rhythm(self.cast.plan, acting_user=self.cast.reporter_a)
        n = actions.do_generate_rhythm(self.cast.plan, acting_user=self.cast.office_admin)
        self.assertGreater(n, 150)  # three years of weekly dispatches and the rest
        self.assertEqual(actions.do_generate_rhythm(self.cast.plan), 0)
        kinds = set(Meeting.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, set(MeetingKind.values))

    def test_ical_feed_parses_and_revokes(self):
        actions.do_generate_rhythm(self.cast.plan, years=[2026])
        # The office sits at every meeting (who attends what: supervision/tests/test_meetings.py).
        self.client.force_login(self.cast.office_staff)
        url = self.client.get("/supervision/calendar/").context["feed_url"]
        path = url.split("testserver")[-1]
        self.client.logout()
        response = self.client.get(path)  # a calendar app fetches without a session
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        cal = Calendar.from_ical(response.content)
        events = [c for c in cal.walk("VEVENT")]
        self.assertEqual(len(events), Meeting.objects.count())
        self.assertIn("每周工作调度", {str(e["SUMMARY"]) for e in events})
        self.client.force_login(self.cast.office_staff)
        self.client.post("/supervision/calendar/")  # renew: the old URL stops working
        self.client.logout()
        self.assertEqual(self.client.get(path).status_code, 404)
        self.client.force_login(self.cast.citizen)
        self.assertEqual(self.client.get("/supervision/calendar/").status_code, 403)


class ActionItemTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.report = do_submit_report(cls.ledger.project_a, acting_user=cls.cast.reporter_a,
                                      investment_period=Decimal("10"), progress_percent=5,
                                      problems=[("征地拆迁滞后", "自然资源和规划局")])

    def deadline(self, days=7):
        return timezone.localdate() + timedelta(days=days)

    def test_from_problem_to_closed_with_a_timeline(self):
        problem = self.report.problem_items.get()
        item = actions.do_create_action_item(title="协调征地拆迁", unit=self.cast.unit_a,
                                             deadline=self.deadline(), problem=problem,
                                             acting_user=self.cast.office_staff)
        self.assertEqual((item.source, item.project), ("report_problem", self.ledger.project_a))
        with self.assertRaises(PermissionDenied):
            actions.do_respond(item, text="已协调", acting_user=self.cast.reporter_b)
        actions.do_respond(item, text="已召开协调会", acting_user=self.cast.reporter_a)
        with self.assertRaises(PermissionDenied):
            actions.do_close(item, acting_user=self.cast.reporter_a)
        actions.do_return(item, reason="请附会议纪要", acting_user=self.cast.office_staff)
        actions.do_respond(item, text="已附纪要", acting_user=self.cast.reporter_a)
        actions.do_close(item, acting_user=self.cast.office_staff)
        item.refresh_from_db()
        self.assertEqual(item.status, ActionItemStatus.CLOSED)
        self.assertEqual(list(item.events.values_list("kind", flat=True)),
                         ["created", "responded", "returned", "responded", "closed"])

    def test_a_leader_issues_and_closes_their_own(self):
        item = actions.do_create_action_item(title="加快施工许可", unit=self.cast.unit_a,
                                             deadline=self.deadline(), acting_user=self.cast.city_leader)
        self.assertEqual(item.source, "leader")
        actions.do_respond(item, text="已办结许可", acting_user=self.cast.head_a)
        actions.do_close(item, acting_user=self.cast.city_leader)
        with self.assertRaises(PermissionDenied):
            actions.do_create_action_item(title="x", unit=self.cast.unit_b, deadline=self.deadline(),
                                          acting_user=self.cast.reporter_a)
        with self.assertRaises(ValidationError):
            actions.do_create_action_item(title="x", unit=self.cast.unit_b,
                                          deadline=self.deadline(-1), acting_user=self.cast.office_admin)

    def test_a_unit_sees_only_its_own_items(self):
        a = actions.do_create_action_item(title="甲事项", unit=self.cast.unit_a, deadline=self.deadline(),
                                          acting_user=self.cast.office_admin)
        b = actions.do_create_action_item(title="乙事项", unit=self.cast.unit_b, deadline=self.deadline(),
                                          acting_user=self.cast.office_admin)
        self.client.force_login(self.cast.reporter_b)
        listed = set(self.client.get("/supervision/items/").context["object_list"])
        self.assertEqual(listed, {b})
        self.assertEqual(self.client.get(a.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.post(f"/supervision/items/{a.pk}/respond/",
                                          {"text": "x"}).status_code, 404)
        self.client.force_login(self.cast.city_leader)  # assigned to unit A
        self.assertEqual(set(self.client.get("/supervision/items/").context["object_list"]), {a})
        self.client.force_login(self.cast.supervision)
        self.assertEqual(set(self.client.get("/supervision/items/").context["object_list"]), {a, b})

    def test_overdue_items_are_flagged_once(self):
        item = actions.do_create_action_item(title="逾期事项", unit=self.cast.unit_a,
                                             deadline=self.deadline(0), acting_user=self.cast.office_admin)
        later = timezone.localdate() + timedelta(days=3)
        self.assertEqual(actions.do_flag_overdue(today=later), 1)
        self.assertEqual(actions.do_flag_overdue(today=later), 0)
        self.assertIn("已超过办理期限3天", item.events.get(kind="overdue").text)
        import io

        from django.core.management import call_command

        out = io.StringIO()
        call_command("flag_overdue_items", stdout=out)  # today: not yet overdue
        self.assertIn("新增逾期提醒 0 条", out.getvalue())

    def test_pages_issue_and_respond(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.post("/supervision/items/", {
            "title": "推进管线迁改", "unit": self.cast.unit_a.pk,
            "deadline": self.deadline().isoformat()}, follow=True)
        self.assertContains(response, "已交办：推进管线迁改")
        item = ActionItem.objects.get(title="推进管线迁改")
        self.client.force_login(self.cast.reporter_a)
        self.client.post(f"/supervision/items/{item.pk}/respond/", {"text": "已完成迁改方案"})
        item.refresh_from_db()
        self.assertEqual(item.status, ActionItemStatus.RESPONDED)
        page = self.client.get(self.ledger.project_a.get_absolute_url())
        self.assertContains(page, "征地拆迁滞后")  # the report's problem is on the project page


class ActionItemApiTests(CastTestCase):
    def test_issue_respond_close_over_the_api_with_scope(self):
        from rest_framework.test import APIClient

        office, unit_a, unit_b = APIClient(), APIClient(), APIClient()
        office.force_authenticate(self.cast.office_admin)
        unit_a.force_authenticate(self.cast.reporter_a)
        unit_b.force_authenticate(self.cast.reporter_b)
        deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
        created = office.post("/api/supervision/action-items/", {
            "title": "API交办", "unit": self.cast.unit_a.pk, "deadline": deadline}, format="json")
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.assertEqual(unit_b.post(f"/api/supervision/action-items/{pk}/respond/",
                                     {"text": "x"}, format="json").status_code, 404)
        self.assertEqual(office.post(f"/api/supervision/action-items/{pk}/close/",
                                     {}, format="json").status_code, 400)  # not responded yet
        self.assertEqual(unit_a.post(f"/api/supervision/action-items/{pk}/respond/",
                                     {"text": "已办"}, format="json").status_code, 200)
        self.assertEqual(unit_a.post(f"/api/supervision/action-items/{pk}/close/",
                                     {}, format="json").status_code, 403)
        closed = office.post(f"/api/supervision/action-items/{pk}/close/", {}, format="json")
        self.assertEqual(closed.json()["status"], "closed")
        self.assertEqual(unit_b.get("/api/supervision/action-items/").json()["count"], 0)
        self.assertEqual(unit_a.post("/api/supervision/action-items/", {
            "title": "x", "unit": self.cast.unit_b.pk, "deadline": deadline},
            format="json").status_code, 403)
