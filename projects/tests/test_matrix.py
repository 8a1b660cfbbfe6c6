"""报送情况: the unit × period matrix against a hand-built week, and the meeting pack, the
bulletin, the scores, the leaders' digest and the matrix reading the same periods from the
plan's reporting calendar."""

from datetime import date, datetime, time
from decimal import Decimal

import time_machine
from django.urls import reverse

from core.models import AuditEvent
from evaluation import facts as evaluation_facts
from notify.models import Notification
from plans import actions as plan_actions
from projects import actions, engine, matrix, periods
from projects.choices import Stage
from projects.matrix import CellState
from projects.models import ProgressReport, Project
from supervision.bulletins import draft_lines
from supervision.choices import BulletinSection, MeetingKind
from supervision.digest import digest_text
from supervision.models import Meeting
from supervision.packs import build_content
from tests.base import SHANGHAI, CastTestCase

# The plan's periods run Sunday to Saturday, due Thursday 17:00; meetings look back over a
# Monday-to-Sunday week. "Now" is Monday 18 May 2026: the week 11–17 May holds the period
# that started on Sunday 10 May (due Thursday 14 May) — it starts the day before the window.
NOW = datetime(2026, 5, 18, 10, 0, tzinfo=SHANGHAI)
PERIOD = date(2026, 5, 10)
WEEK = (date(2026, 5, 11), date(2026, 5, 17))


def at(day, hour=9):
    return datetime(2026, 5, day, hour, 0, tzinfo=SHANGHAI)


@time_machine.travel(NOW)
class MatrixTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.reporting = engine.reporting_for(cast.plan)
        cls.reporting.anchor = date(2024, 1, 7)  # a Sunday
        cls.reporting.save()
        category = plan_actions.do_add_taxonomy(cast.plan, "category", code="JC", name="基础设施")

        def project(name, unit, start=PERIOD, stage=Stage.CONSTRUCTION):
            return actions.do_create_project(
                plan=cast.plan, category=category, name=name, lead_unit=unit,
                total_investment=Decimal("5000"), start_date=start, stage=stage)

        cls.on_time = project("甲一路", cast.unit_a)
        cls.late = project("甲二桥", cast.unit_a)
        cls.no_row = project("甲三馆", cast.unit_a, start=date(2026, 5, 1))
        cls.planning = project("甲四园", cast.unit_a, stage=Stage.PLANNING)  # owes nothing
        cls.missing = project("乙一厂", cast.unit_b)
        cls.returned = project("乙二站", cast.unit_b)
        cls.pending = project("乙三校", cast.unit_b)

        def file(p, user, when):
            return actions.do_submit_report(p, acting_user=user, period_start=PERIOD, now=when,
                                            investment_period=Decimal("10"), progress_percent=5,
                                            progress_text="路基施工")

        actions.do_accept_report(file(cls.on_time, cast.reporter_a, at(12)),
                                 acting_user=cast.office_admin)
        file(cls.late, cast.reporter_a, at(15))
        engine.record_missing_reports(now=NOW, projects=Project.objects.filter(pk=cls.missing.pk))
        actions.do_return_report(file(cls.returned, cast.reporter_b, at(13)),
                                 reason="投资数据有误", acting_user=cast.office_admin)
        file(cls.pending, cast.reporter_b, at(13))

    def week(self):
        return periods.periods_due(self.reporting, *WEEK)

    def build(self, period_list=None):
        return matrix.build_matrix(Project.objects.filter(plan=self.cast.plan), self.reporting,
                                   period_list or self.week())

    def names(self, row, state, index=-1):
        return {e.name for e in row.cells[index].entries if e.state == state}

    def test_the_window_holds_the_period_that_started_the_day_before(self):
        self.assertEqual([p.start for p in self.week()], [PERIOD])
        # Read by start date, the Monday-to-Sunday window would hold no period at all.
        self.assertFalse(ProgressReport.objects.filter(period_start__range=WEEK).exists())

    def test_each_cell_of_the_week(self):
        table = self.build()
        a, b = table.row(self.cast.unit_a.pk), table.row(self.cast.unit_b.pk)
        self.assertEqual(self.names(a, CellState.ON_TIME), {"甲一路"})
        self.assertEqual(self.names(a, CellState.LATE), {"甲二桥"})
        self.assertEqual(self.names(a, CellState.MISSING), {"甲三馆"})  # no row at all
        self.assertNotIn("甲四园", {e.name for e in a.cells[0].entries})
        self.assertEqual(self.names(b, CellState.MISSING), {"乙一厂"})
        self.assertEqual(self.names(b, CellState.RETURNED), {"乙二站"})
        self.assertEqual(self.names(b, CellState.PENDING), {"乙三校"})
        self.assertEqual((a.missing, a.late, a.returned), (1, 1, 0))
        self.assertEqual((b.missing, b.late, b.returned), (1, 0, 1))
        self.assertEqual([r.unit_name for r in table.rows], ["乙局", "甲局"])  # worst first
        self.assertEqual([state for state, _ in b.cells[0].groups()],
                         [CellState.MISSING, CellState.RETURNED, CellState.PENDING])

    def test_default_window_is_the_last_six_due_periods(self):
        window = matrix.default_periods(self.reporting, NOW)
        self.assertEqual([p.start for p in window],
                         [date(2026, 4, 5), date(2026, 4, 12), date(2026, 4, 19),
                          date(2026, 4, 26), date(2026, 5, 3), PERIOD])
        a = self.build(window).row(self.cast.unit_a.pk)
        # 甲三馆 began on 1 May: it owes from the period of 26 April, not before.
        self.assertEqual([self.names(a, CellState.MISSING, i) for i in range(6)],
                         [set(), set(), set(), {"甲三馆"}, {"甲三馆"}, {"甲三馆"}])

    def test_a_period_still_open_is_not_missing(self):
        this_week = periods.periods_due(self.reporting, date(2026, 5, 18), date(2026, 5, 24))
        b = self.build(this_week).row(self.cast.unit_b.pk)
        self.assertEqual({e.state for e in b.cells[0].entries}, {CellState.OPEN})
        self.assertEqual(b.owed_periods, [])

    def test_pack_bulletin_and_matrix_agree_on_the_week(self):
        engine.record_missing_reports(now=NOW)  # the nightly job: rows for what was not filed
        table = self.build()
        meeting = Meeting.objects.create(plan=self.cast.plan, kind=MeetingKind.WEEKLY_DISPATCH,
                                         date=date(2026, 5, 18), start_time=time(9),
                                         title="每周工作调度会", location="指挥部")
        pack = {r["unit_id"]: (r["missing"], r["late"])
                for r in build_content(meeting, *WEEK)["reports"]}
        from_matrix = {r.unit_id: (r.missing, r.late) for r in table.rows
                       if r.missing or r.late}
        self.assertEqual(pack, from_matrix)
        self.assertEqual(pack, {self.cast.unit_a.pk: (1, 1), self.cast.unit_b.pk: (1, 0)})
        bulletin = {line["unit"].pk: set(line["facts"]["reports"]) for line in draft_lines(*WEEK)
                    if line["section"] == BulletinSection.MISSING_REPORTS}
        missing_ids = {r.unit_id: {e.report_id for c in r.cells for e in c.entries
                                   if e.state == CellState.MISSING}
                       for r in table.rows if r.missing}
        self.assertEqual(bulletin, missing_ids)
        self.assertNotIn(None, set().union(*bulletin.values()))
        # Scores: on time is 已报 or 待审; everything else owed counts against the unit.
        scored = {unit: {"on_time": set(f["on_time"]), "late": set(f["late"])}
                  for unit, f in evaluation_facts.reports_by_unit(*WEEK).items()}

        def ids(row, states):
            return {e.report_id for c in row.cells for e in c.entries if e.state in states}

        self.assertEqual(scored, {r.unit_id: {
            "on_time": ids(r, (CellState.ON_TIME, CellState.PENDING)),
            "late": ids(r, (CellState.MISSING, CellState.LATE, CellState.RETURNED))}
            for r in table.rows})
        # The leader's digest on the Monday (its week 12–18 May holds the same period).
        _, text = digest_text(self.cast.city_leader, date(2026, 5, 18))
        self.assertIn("- 甲局：未报1份，迟报1份", text)
        self.assertNotIn("乙局", text)  # not the leader's 分包


@time_machine.travel(NOW)
class MatrixPageTests(MatrixTests):
    """The page: the office only, names behind the counts, 催报 that says 已提醒 only once a
    notification row exists."""

    def test_only_the_office_sees_the_page(self):
        for user in (self.cast.reporter_a, self.cast.head_a, self.cast.city_leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("projects:matrix")).status_code, 403)
            response = self.client.post(reverse("projects:matrix_remind",
                                                args=[self.cast.unit_a.pk]),
                                        {"plan": self.cast.plan.pk})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Notification.objects.exists())

    def test_page_names_the_projects_and_reminds_a_unit(self):
        self.client.force_login(self.cast.office_staff)
        query = {"plan": self.cast.plan.pk, "start": "2026-05-11", "end": "2026-05-17"}
        page = self.client.get(reverse("projects:matrix"), query)
        self.assertContains(page, "5月10日—5月16日")
        self.assertContains(page, "甲三馆")
        self.assertContains(page, "未报 1")
        self.assertContains(page, "迟报 1")
        self.assertContains(page, "退回 1")
        self.assertNotContains(page, "已提醒")
        response = self.client.post(reverse("projects:matrix_remind", args=[self.cast.unit_a.pk]),
                                    query)
        self.assertEqual(response.status_code, 302)
        told = Notification.objects.filter(event=matrix.REMIND_EVENT)
        self.assertEqual({n.user for n in told}, {self.cast.reporter_a, self.cast.head_a})
        self.assertIn("甲三馆", told.first().body)
        self.assertTrue(AuditEvent.objects.filter(object_id=str(self.cast.unit_a.pk),
                                                  detail__what="催报").exists())
        page = self.client.get(response["Location"])
        self.assertContains(page, "已提醒", count=1)  # unit A only; unit B was not reminded
        # Asking again tells nobody twice.
        self.client.post(reverse("projects:matrix_remind", args=[self.cast.unit_a.pk]), query)
        self.assertEqual(told.count(), 2)

    def test_the_default_page_shows_and_names_the_last_six_periods(self):
        self.client.force_login(self.cast.office_admin)
        page = self.client.get(reverse("projects:matrix"))
        self.assertEqual(len(page.context["matrix"].periods), 6)
        self.assertContains(page, 'name="start" value="2026-04-09"')  # the first one's due day
        self.assertContains(page, 'name="end" value="2026-05-14"')

    def test_a_unit_nobody_acts_for_is_never_shown_as_reminded(self):
        self.cast.reporter_b.is_active = False
        self.cast.reporter_b.save()
        self.assertEqual(actions.do_remind_unit(self.cast.unit_b, self.week(),
                                                acting_user=self.cast.office_admin,
                                                plan=self.cast.plan), 0)
        self.assertFalse(self.build().row(self.cast.unit_b.pk).reminded)

    def test_a_reminder_about_one_plan_is_not_one_about_another(self):
        # A second plan on the same calendar: unit A owes 甲五渠 for the same week.
        other = plan_actions.do_create_plan(name="第二批计划", start_year=2024, end_year=2026)
        reporting = engine.reporting_for(other)
        reporting.anchor = self.reporting.anchor
        reporting.save()
        category = plan_actions.do_add_taxonomy(other, "category", code="SL", name="水利")
        actions.do_create_project(plan=other, category=category, name="甲五渠",
                                  lead_unit=self.cast.unit_a, total_investment=Decimal("100"),
                                  start_date=PERIOD, stage=Stage.CONSTRUCTION)
        week = periods.periods_due(reporting, *WEEK)
        self.assertEqual(actions.do_remind_unit(self.cast.unit_a, self.week(),
                                                acting_user=self.cast.office_admin,
                                                plan=self.cast.plan), 2)
        self.assertTrue(self.build().row(self.cast.unit_a.pk).reminded)
        second = matrix.build_matrix(Project.objects.filter(plan=other), reporting, week)
        self.assertFalse(second.row(self.cast.unit_a.pk).reminded)  # not this plan's reminder
        # ... and the second plan's reminder is sent, naming its own project.
        self.assertEqual(actions.do_remind_unit(self.cast.unit_a, week,
                                                acting_user=self.cast.office_admin,
                                                plan=other), 2)
        self.assertTrue(matrix.build_matrix(Project.objects.filter(plan=other), reporting,
                                            week).row(self.cast.unit_a.pk).reminded)
        latest = Notification.objects.filter(event=matrix.REMIND_EVENT,
                                             user=self.cast.reporter_a).order_by("pk").last()
        self.assertIn("甲五渠", latest.body)
        self.assertNotIn("甲三馆", latest.body)

    def test_a_window_out_of_bounds_is_refused_in_chinese(self):
        self.client.force_login(self.cast.office_admin)
        plan = self.cast.plan.pk
        cases = {
            ("0001-01-01", ""): "日期须在2000年1月1日至2099年12月31日之间",
            ("", "9999-12-31"): "日期须在2000年1月1日至2099年12月31日之间",
            ("2000-01-01", "2026-05-17"): "一次最多查看60个填报周期",
            ("2000-01-01", ""): "一次最多查看60个填报周期",  # up to the last closed period
            ("2026-05-17", "2026-05-11"): "“截止日自”不能晚于“截止日至”",
        }
        for (start, end), error in cases.items():
            query = {"plan": plan, "start": start, "end": end}
            page = self.client.get(reverse("projects:matrix"), query)
            self.assertContains(page, error, status_code=400, msg_prefix=str(query))
            self.assertIsNone(page.context["matrix"])
            self.assertNotContains(page, "没有可查看的计划", status_code=400)
            # 催报 over the same window says the same, and tells nobody.
            remind = self.client.post(reverse("projects:matrix_remind",
                                              args=[self.cast.unit_a.pk]), query)
            self.assertContains(remind, error, status_code=400, msg_prefix=str(query))
        self.assertFalse(Notification.objects.exists())
        # Two years of weekly columns is more than one page shows; a year is not.
        self.assertEqual(self.client.get(reverse("projects:matrix"), {
            "plan": plan, "start": "2024-05-18", "end": "2026-05-17"}).status_code, 400)
        page = self.client.get(reverse("projects:matrix"), {
            "plan": plan, "start": "2025-05-18", "end": "2026-05-17"})
        self.assertEqual(len(page.context["matrix"].periods), 52)

    def test_the_calendar_never_overflows_at_the_ends_of_time(self):
        self.assertEqual(periods.periods_due(self.reporting, date.min, date.min), [])
        self.assertEqual(periods.periods_due(self.reporting, date.max, date.max), [])
        near_start = periods.periods_due(self.reporting, date.min, date(1, 1, 31))
        self.assertTrue(all(p.start >= date.min for p in near_start))

    def test_menu_entry(self):
        self.client.force_login(self.cast.office_admin)
        self.assertContains(self.client.get("/"), reverse("projects:matrix"))
        self.client.force_login(self.cast.reporter_a)
        self.assertNotContains(self.client.get("/"), reverse("projects:matrix"))


# The page tests inherit the matrix fixture; the matrix cases need not run twice.
for _name in [n for n in vars(MatrixTests) if n.startswith("test_")]:
    setattr(MatrixPageTests, _name, None)
