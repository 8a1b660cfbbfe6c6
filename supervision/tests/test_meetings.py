"""Meetings as offices run them (issue 9 item 6): each person's calendar feed holds exactly
the meetings they attend, in Asia/Shanghai with its VTIMEZONE; a meeting moved or cancelled
with a reason, on the page and through the API, with refusals that say why (never a 500)."""

from datetime import date, time, timedelta

from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from org import actions as org
from org.choices import Role
from plans import actions as plans
from projects import actions as projects
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import Meeting
from supervision.models.meetings import MeetingChange
from tests.base import CastTestCase, on_mid_may_2026
from tests.cast import PASSWORD
from tests.ledger_cast import build_ledger

BIG = (MeetingKind.MONTHLY_MEETING, MeetingKind.QUARTERLY_ONSITE,
       MeetingKind.HALF_YEAR_EVALUATION)


@on_mid_may_2026
class FeedTests(CastTestCase):
    """Two plans: the cast's (projects of units A and B, leader L's project_a) and a second
    one whose only project is unit B's with community C cooperating."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.ledger = build_ledger(c)
        cls.plan2 = plans.do_create_plan(name="城乡结合部综合改造", start_year=2024, end_year=2026)
        category = plans.do_add_taxonomy(cls.plan2, "category", code="CX", name="综合改造")
        projects.do_create_project(plan=cls.plan2, category=category, name="乙镇道路改造",
                                   lead_unit=c.unit_b, total_investment="500",
                                   cooperating_units=[c.community])
        cls.reporter_town = org.do_create_account(username="reporter_town", password=PASSWORD,
                                                  role=Role.UNIT_REPORTER, unit=c.town)
        day = date(2026, 6, 1)
        cls.meetings = {}
        for plan in (c.plan, cls.plan2):
            for i, kind in enumerate(MeetingKind.values):
                cls.meetings[plan.pk, kind] = Meeting.objects.create(
                    plan=plan, kind=kind, date=day + timedelta(days=i), start_time=time(9),
                    title=f"{plan.name}{MeetingKind(kind).label}", location="会议室")

    def expected(self):
        c, one, two = self.cast, self.cast.plan.pk, self.plan2.pk
        every = set(self.meetings.values())
        both_big = {m for (p, k), m in self.meetings.items() if k in BIG}
        plan_one = {m for (p, k), m in self.meetings.items() if p == one}
        return {
            c.office_admin: every, c.office_staff: every,
            c.supervision: both_big,
            c.city_leader: {m for m in both_big if m.plan_id == one},  # 分包 unit A only
            c.reporter_a: plan_one, c.head_a: plan_one,
            c.reporter_b: every,
            self.reporter_town: {m for (p, k), m in self.meetings.items() if p == two},
            c.citizen: set(), c.sys_admin: set(), c.audit_admin: set(),
        }

    def feed(self, user):
        feed = actions.do_calendar_token(user)
        response = self.client.get(f"/supervision/calendar/{feed.token}.ics")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        return response.content, Calendar.from_ical(response.content)

    def test_each_feed_holds_exactly_the_meetings_its_owner_attends(self):
        for user, want in self.expected().items():
            with self.subTest(user=user.username):
                _, cal = self.feed(user)
                uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
                self.assertEqual(uids, {f"meeting-{m.pk}@chengjian" for m in want})
                self.assertEqual(set(Meeting.objects.attended_by(user)), want)
        # The same rule read the other way: whom a change of each meeting is told to.
        cast_users = set(self.expected())
        for meeting in self.meetings.values():
            with self.subTest(meeting=meeting.title):
                told = set(meeting.attendees()) & cast_users
                self.assertEqual(told, {u for u, want in self.expected().items()
                                        if meeting in want})

    def test_a_feed_is_not_cached_and_its_reads_are_audited_once_a_day_per_address(self):
        from core.choices import AuditEventType
        from core.models import AuditEvent

        user = self.cast.reporter_a
        token = actions.do_calendar_token(user).token
        url = f"/supervision/calendar/{token}.ics"
        reads = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT, user=user,
                                          detail__what="会议日历订阅读取")
        for _ in range(3):  # a calendar app polling
            response = self.client.get(url, REMOTE_ADDR="10.0.0.5")
            self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(reads.count(), 1)
        self.client.get(url, REMOTE_ADDR="10.9.9.9")  # the token used from somewhere else
        self.assertEqual(sorted(reads.values_list("ip", flat=True)), ["10.0.0.5", "10.9.9.9"])

    def test_times_are_in_asia_shanghai_with_its_vtimezone(self):
        raw, cal = self.feed(self.cast.reporter_a)
        text = raw.decode()
        zones = cal.walk("VTIMEZONE")
        self.assertEqual([str(z["TZID"]) for z in zones], ["Asia/Shanghai"])
        self.assertEqual([p.name for p in zones[0].subcomponents], ["STANDARD"])  # no DST
        standard = zones[0].subcomponents[0]
        for key in ("TZOFFSETFROM", "TZOFFSETTO"):
            self.assertEqual(standard[key].td, timedelta(hours=8))
        self.assertIn("TZOFFSETFROM:+0800", text)
        self.assertIn("TZOFFSETTO:+0800", text)
        monthly = self.meetings[self.cast.plan.pk, MeetingKind.MONTHLY_MEETING]
        self.assertIn(f"DTSTART;TZID=Asia/Shanghai:{monthly.date:%Y%m%d}T090000", text)
        event = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"meeting-{monthly.pk}@chengjian")
        self.assertEqual(event["DTSTART"].params["TZID"], "Asia/Shanghai")
        self.assertEqual(event.decoded("DTSTART").utcoffset(), timedelta(hours=8))
        self.assertEqual((str(event["STATUS"]), int(event["SEQUENCE"])), ("CONFIRMED", 0))
        self.assertTrue(str(event["DTSTAMP"].to_ical().decode()).endswith("Z"))  # UTC

    def test_a_moved_meeting_gets_a_new_sequence_and_a_cancelled_one_its_status(self):
        office = self.cast.office_admin
        monthly = self.meetings[self.cast.plan.pk, MeetingKind.MONTHLY_MEETING]
        actions.do_move_meeting(monthly, date=date(2026, 6, 9), start_time=time(14, 30),
                                reason="与市政府常务会冲突", acting_user=office)
        raw, cal = self.feed(self.cast.reporter_a)
        event = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"meeting-{monthly.pk}@chengjian")
        self.assertEqual((str(event["STATUS"]), int(event["SEQUENCE"])), ("CONFIRMED", 1))
        self.assertIn("DTSTART;TZID=Asia/Shanghai:20260609T143000", raw.decode())
        self.assertIn("与市政府常务会冲突", str(event["DESCRIPTION"]))
        actions.do_cancel_meeting(monthly, reason="防汛应急，暂停召开", acting_user=office)
        _, cal = self.feed(self.cast.reporter_a)
        event = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"meeting-{monthly.pk}@chengjian")
        self.assertEqual((str(event["STATUS"]), int(event["SEQUENCE"])), ("CANCELLED", 2))
        self.assertTrue(str(event["SUMMARY"]).startswith("【已取消】"))
        self.assertIn("防汛应急", str(event["DESCRIPTION"]))

    def test_rerunning_the_rhythm_does_not_bring_back_a_moved_meeting(self):
        created = actions.do_generate_rhythm(self.plan2, years=[2026])
        weekly = Meeting.objects.filter(plan=self.plan2, kind=MeetingKind.WEEKLY_DISPATCH,
                                        date__gt=timezone.localdate()).order_by("date").first()
        old = weekly.date
        actions.do_move_meeting(weekly, date=old + timedelta(days=1), reason="节后顺延",
                                acting_user=self.cast.office_staff)
        self.assertGreater(created, 0)
        self.assertEqual(actions.do_generate_rhythm(self.plan2, years=[2026]), 0)
        self.assertFalse(Meeting.objects.filter(plan=self.plan2, date=old,
                                                kind=MeetingKind.WEEKLY_DISPATCH).exists())


@on_mid_may_2026
class MoveAndCancelTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.meeting = Meeting.objects.create(
            plan=c.plan, kind=MeetingKind.MONTHLY_MEETING, date=date(2026, 5, 29),
            start_time=time(15), title="月度工作例会", location="市政府第一会议室")
        Meeting.objects.create(plan=c.plan, kind=MeetingKind.MONTHLY_MEETING,
                               date=date(2026, 6, 30), start_time=time(15), title="月度工作例会")
        cls.past = Meeting.objects.create(plan=c.plan, kind=MeetingKind.MONTHLY_MEETING,
                                          date=date(2026, 4, 30), start_time=time(15),
                                          title="月度工作例会")

    def url(self, step, meeting=None):
        return f"/supervision/meetings/{(meeting or self.meeting).pk}/{step}/"

    def test_the_office_moves_and_cancels_from_the_page_with_a_reason(self):
        self.client.force_login(self.cast.office_staff)
        page = self.client.get(f"/supervision/meetings/{self.meeting.pk}/")
        self.assertContains(page, 'data-testid="move-form"')
        answer = self.client.post(self.url("move"), {"date": "2026-06-02", "start_time": "09:30",
                                                     "reason": "主要领导外出调研"})
        self.assertRedirects(answer, f"/supervision/meetings/{self.meeting.pk}/",
                             fetch_redirect_response=False)
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.date, self.meeting.start_time, self.meeting.sequence),
                         (date(2026, 6, 2), time(9, 30), 1))
        change = MeetingChange.objects.get(meeting=self.meeting)
        self.assertEqual((change.kind, change.old_date, change.old_start_time, change.reason,
                          change.by), ("moved", date(2026, 5, 29), time(15), "主要领导外出调研",
                                       self.cast.office_staff))
        page = self.client.get(f"/supervision/meetings/{self.meeting.pk}/")
        self.assertContains(page, "主要领导外出调研")
        self.assertContains(page, "已改期")
        answer = self.client.post(self.url("cancel"), {"reason": "并入季度现场推进会"})
        self.assertEqual(answer.status_code, 302)
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.status, self.meeting.sequence), ("cancelled", 2))
        page = self.client.get(f"/supervision/meetings/{self.meeting.pk}/")
        self.assertContains(page, "已取消")
        self.assertNotContains(page, 'data-testid="move-form"')
        listed = self.client.get("/supervision/meetings/")
        self.assertContains(listed, "<s><a")

    def test_the_default_range_is_marked_so_the_filter_fold_does_not_count_it(self):
        # static/js/app.js counts a filter as chosen when it differs from data-default.
        self.client.force_login(self.cast.office_staff)
        page = self.client.get("/supervision/meetings/")
        self.assertContains(page, '<select name="when" id="id_when" data-default="upcoming">')
        self.assertContains(page, '<option value="upcoming" selected>')
        self.assertContains(page, '<select name="kind" id="id_kind"><option value="" selected>')
        chosen = self.client.get("/supervision/meetings/", {"when": "all"})
        self.assertContains(chosen, '<option value="all" selected>')  # counted: not the default

    def test_bad_input_on_the_page_is_a_400_with_the_reason(self):
        self.client.force_login(self.cast.office_admin)
        cases = [
            ("move", {"date": "2026-06-02"}, "该字段是必填项"),
            ("move", {"date": "2026-06-02", "reason": "   "}, "该字段是必填项"),
            ("move", {"date": "2026-13-40", "reason": "x"}, "输入一个有效的日期"),
            ("move", {"date": "2026-05-29", "start_time": "15:00", "reason": "x"},
             "新的日期和时间与原安排相同"),
            ("move", {"date": "2026-05-01", "reason": "x"}, "不能改到今天之前"),
            ("move", {"date": "2026-06-30", "reason": "x"}, "已有一场月度工作例会"),
            ("move", {"date": "2026-06-02", "start_time": "25:00", "reason": "x"},
             "输入一个有效的时间"),
            ("cancel", {"reason": ""}, "该字段是必填项"),
            ("cancel", {"reason": "x" * 501}, "不超过 500 字符"),
        ]
        for step, data, said in cases:
            with self.subTest(step=step, data=data):
                answer = self.client.post(self.url(step), data)
                self.assertContains(answer, said, status_code=400)
        answer = self.client.post(self.url("move", self.past), {"date": "2026-06-03",
                                                                "reason": "补开"})
        self.assertContains(answer, "会议已于2026年4月30日召开，不能改期", status_code=400)
        self.assertEqual(self.client.post(self.url("postpone"), {"reason": "x"}).status_code,
                         404)
        self.assertFalse(MeetingChange.objects.exists())
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.date, self.meeting.sequence), (date(2026, 5, 29), 0))

    def test_only_the_office_changes_a_meeting(self):
        for member in ("reporter_a", "head_a", "city_leader", "supervision", "citizen"):
            with self.subTest(member=member):
                self.client.force_login(getattr(self.cast, member))
                for step in ("move", "cancel"):
                    answer = self.client.post(self.url(step), {"date": "2026-06-02",
                                                               "reason": "x"})
                    self.assertEqual(answer.status_code, 403)
                client = APIClient()
                client.force_authenticate(getattr(self.cast, member))
                answer = client.post(f"/api/supervision/meetings/{self.meeting.pk}/cancel/",
                                     {"reason": "x"}, format="json")
                self.assertEqual(answer.status_code, 403)
        self.assertFalse(MeetingChange.objects.exists())

    def test_the_api_moves_and_cancels_with_the_same_rules(self):
        client = APIClient()
        client.force_authenticate(self.cast.office_admin)
        base = f"/api/supervision/meetings/{self.meeting.pk}"
        for data, field in (({"date": "2026-06-02"}, "reason"),
                            ({"date": "2026-06-02", "reason": ""}, "reason"),
                            ({"date": "x", "reason": "y"}, "date"),
                            ({"date": "2026-06-02", "start_time": "9点", "reason": "y"},
                             "start_time"),
                            ({"date": "2026-05-01", "reason": "y"}, "date"),
                            ({"date": "2026-06-30", "reason": "y"}, "date")):
            with self.subTest(data=data):
                answer = client.post(f"{base}/move/", data, format="json")
                self.assertEqual(answer.status_code, 400, answer.content)
                self.assertIn(field, answer.json())
        self.assertEqual(client.post("/api/supervision/meetings/abc/move/", {},
                                     format="json").status_code, 404)
        answer = client.post(f"{base}/move/", {"date": "2026-06-03", "start_time": "08:30",
                                               "reason": "避开节前安全检查"}, format="json")
        self.assertEqual(answer.status_code, 200, answer.content)
        body = answer.json()
        self.assertEqual((body["date"], body["start_time"], body["sequence"], body["status"]),
                         ("2026-06-03", "08:30:00", 1, "scheduled"))
        self.assertEqual(body["changes"][0]["reason"], "避开节前安全检查")
        answer = client.post(f"{base}/cancel/", {"reason": "议题已在专题会研究"}, format="json")
        self.assertEqual(answer.json()["status"], "cancelled")
        answer = client.post(f"{base}/cancel/", {"reason": "再次取消"}, format="json")
        self.assertEqual(answer.status_code, 400)
        self.assertIn("该会议已取消", str(answer.json()))
        listed = client.get("/api/supervision/meetings/", {"status": "cancelled"}).json()
        self.assertEqual([m["id"] for m in listed["results"]], [self.meeting.pk])
        self.assertEqual(client.get("/api/supervision/meetings/", {"status": "x"}).status_code,
                         400)


@on_mid_may_2026
class QueryCountTests(CastTestCase):
    """The meeting list page, its endpoint and a feed do not grow queries with rows."""

    def add_meetings(self, n, start):
        for i in range(n):
            meeting = Meeting.objects.create(
                plan=self.cast.plan, kind=MeetingKind.WEEKLY_DISPATCH,
                date=start + timedelta(days=i), start_time=time(9), title="每周工作调度")
            actions.do_move_meeting(meeting, date=meeting.date, start_time=time(10),
                                    reason="改到十点", acting_user=self.cast.office_admin)

    def count(self, fetch):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(fetch().status_code, 200)
        return len(queries)

    def test_lists_and_feed_cost_the_same_for_two_meetings_or_eight(self):
        client = APIClient()
        client.force_authenticate(self.cast.office_admin)
        self.client.force_login(self.cast.office_admin)
        token = actions.do_calendar_token(self.cast.office_admin).token
        fetches = {"page": lambda: self.client.get("/supervision/meetings/"),
                   "api": lambda: client.get("/api/supervision/meetings/"),
                   "feed": lambda: self.client.get(f"/supervision/calendar/{token}.ics")}
        self.add_meetings(2, date(2026, 6, 1))
        fetches["feed"]()  # the day's first read is audited (one write); compare later reads
        few = {name: self.count(fetch) for name, fetch in fetches.items()}
        self.add_meetings(6, date(2026, 7, 1))
        many = {name: self.count(fetch) for name, fetch in fetches.items()}
        self.assertEqual(many, few)
