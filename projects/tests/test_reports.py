"""Filing reports: late and missing facts, cumulative rules, review, incremental colours."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from projects import actions, engine
from projects.choices import Colour, ReportStatus, TransitionTrigger
from projects.models import ProgressReport, ProjectStatus, StatusTransition
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class ReportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def submit(self, project=None, user=None, **kw):
        kw.setdefault("investment_period", Decimal("100"))
        kw.setdefault("progress_text", "路基施工")
        kw.setdefault("progress_percent", 30)
        return actions.do_submit_report(project or self.ledger.project_a,
                                        acting_user=user or self.cast.reporter_a, **kw)

    def test_on_time_report_and_cumulative(self):
        report = self.submit(investment_period=Decimal("1100"))
        self.assertEqual(report.status, ReportStatus.SUBMITTED)
        self.assertFalse(report.is_late)
        self.assertEqual(report.investment_year_cumulative, Decimal("1100"))
        status = ProjectStatus.objects.get(project=self.ledger.project_a)
        self.assertEqual(status.investment, Colour.GREEN)  # 1100 of 1200 is ahead of 序时

    def test_a_retried_submission_does_not_duplicate(self):
        self.submit()
        with self.assertRaisesMessage(ValidationError, "已提交"):
            self.submit()
        self.assertEqual(ProgressReport.objects.filter(project=self.ledger.project_a).count(), 1)

    def test_cumulative_cannot_go_down_without_a_correction_note(self):
        reporting = engine.reporting_for(self.cast.plan)
        this = reporting.period_start(timezone.localdate())
        self.submit(period_start=this - timedelta(days=7), investment_year_cumulative=Decimal("500"))
        with self.assertRaisesMessage(ValidationError, "不能低于上期"):
            self.submit(investment_year_cumulative=Decimal("400"))
        report = self.submit(investment_year_cumulative=Decimal("400"), correction_note="上期误报")
        self.assertEqual(report.correction_note, "上期误报")

    def test_missing_then_late(self):
        reporting = engine.reporting_for(self.cast.plan)
        now = timezone.now()
        closed = engine.last_closed_period(reporting, now)
        created = engine.record_missing_reports(now=now)
        self.assertGreater(created, 0)
        self.assertEqual(engine.record_missing_reports(now=now), 0)  # idempotent
        missing = ProgressReport.objects.get(project=self.ledger.project_a, period_start=closed)
        self.assertEqual(missing.status, ReportStatus.MISSING)
        engine.recompute(self.cast.plan.projects.all())
        status = ProjectStatus.objects.get(project=self.ledger.project_a)
        self.assertIn(status.reporting, (Colour.YELLOW, Colour.RED))
        self.assertTrue(any("未" in r and "报送" in r for r in status.reasons["reporting"]))
        late = self.submit(period_start=closed)
        self.assertEqual(late.pk, missing.pk)
        self.assertTrue(late.is_late)
        self.assertEqual(late.status, ReportStatus.SUBMITTED)

    def test_milestones_reached_and_problems(self):
        today = timezone.localdate()
        report = self.submit(milestones_reached=[(self.ledger.milestone_a2, today)],
                             problems=[("征地拆迁滞后", "自然资源和规划局")])
        self.ledger.milestone_a2.refresh_from_db()
        self.assertEqual(self.ledger.milestone_a2.actual_date, today)
        self.assertEqual(self.ledger.milestone_a2.reached_in, report)
        self.assertEqual(report.problem_items.get().coordinate_with, "自然资源和规划局")
        self.ledger.project_a.refresh_from_db()
        self.assertEqual(self.ledger.project_a.problems, "征地拆迁滞后")

    def test_only_the_lead_units_reporter_files(self):
        for user in (self.cast.reporter_b, self.cast.city_leader, self.cast.supervision,
                     self.cast.citizen):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.submit(user=user)
        with self.assertRaises(PermissionDenied):  # cooperating unit A cannot report for B
            self.submit(project=self.ledger.project_shared)
        self.assertFalse(ProgressReport.objects.exists())

    def test_office_returns_and_the_unit_refiles(self):
        report = self.submit()
        with self.assertRaises(PermissionDenied):
            actions.do_return_report(report, reason="数据有误", acting_user=self.cast.reporter_a)
        actions.do_return_report(report, reason="投资数据有误", acting_user=self.cast.office_staff)
        report.refresh_from_db()
        self.assertEqual((report.status, report.return_reason), (ReportStatus.RETURNED, "投资数据有误"))
        again = self.submit(investment_period=Decimal("90"))
        self.assertEqual(again.pk, report.pk)
        actions.do_accept_report(again, acting_user=self.cast.office_staff)
        again.refresh_from_db()
        self.assertEqual(again.status, ReportStatus.ACCEPTED)

    def test_each_colour_change_is_a_transition_row(self):
        before = StatusTransition.objects.filter(project=self.ledger.project_a,
                                                 dimension="investment").count()
        self.submit(investment_period=Decimal("1150"))
        latest = StatusTransition.objects.filter(project=self.ledger.project_a,
                                                 dimension="investment").first()
        self.assertEqual(StatusTransition.objects.filter(project=self.ledger.project_a,
                                                         dimension="investment").count(),
                         before + 1)
        self.assertEqual((latest.from_colour, latest.to_colour, latest.trigger),
                         (Colour.RED, Colour.GREEN, TransitionTrigger.REPORT))

    def test_suspension_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            actions.do_change_stage(self.ledger.project_a, "suspended",
                                    acting_user=self.cast.reporter_a)
        actions.do_change_stage(self.ledger.project_a, "suspended", reason="汛期停工",
                                acting_user=self.cast.reporter_a)
        status = ProjectStatus.objects.get(project=self.ledger.project_a)
        self.assertIn("项目停工：汛期停工", status.reasons["overall"])


class RebaselineTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_direct_move_is_refused_after_approval(self):
        with self.assertRaisesMessage(ValidationError, "调整申请"):
            actions.do_move_milestone(self.ledger.milestone_a2,
                                      self.ledger.milestone_a2.planned_date + timedelta(days=30),
                                      acting_user=self.cast.office_admin)

    def test_request_approve_keeps_the_baseline(self):
        m = self.ledger.milestone_a2
        original = m.planned_date
        new = original + timedelta(days=45)
        req = actions.do_request_rebaseline(m, new, reason="设计变更",
                                            acting_user=self.cast.reporter_a)
        with self.assertRaises(PermissionDenied):
            actions.do_decide_rebaseline(req, approve=True, acting_user=self.cast.reporter_a)
        with self.assertRaisesMessage(ValidationError, "待审批"):
            actions.do_request_rebaseline(m, new, reason="再次", acting_user=self.cast.reporter_a)
        actions.do_decide_rebaseline(req, approve=True, note="同意", acting_user=self.cast.office_admin)
        m.refresh_from_db()
        self.assertEqual((m.baseline_date, m.planned_date), (original, new))
        self.client.force_login(self.cast.reporter_a)
        html = self.client.get(self.ledger.project_a.get_absolute_url()).content.decode()
        self.assertIn(f"{original:%Y-%m-%d}", html)
        self.assertIn(f"{new:%Y-%m-%d}", html)
        self.assertIn("已调整", html)

    def test_reject_leaves_the_date(self):
        m = self.ledger.milestone_a2
        req = actions.do_request_rebaseline(m, m.planned_date + timedelta(days=10), reason="x",
                                            acting_user=self.cast.reporter_a)
        actions.do_decide_rebaseline(req, approve=False, acting_user=self.cast.office_admin)
        m.refresh_from_db()
        self.assertEqual(m.planned_date, m.baseline_date)

    def test_other_unit_cannot_request(self):
        with self.assertRaises(PermissionDenied):
            actions.do_request_rebaseline(self.ledger.milestone_a2, self.ledger.milestone_a2.planned_date,
                                          reason="x", acting_user=self.cast.reporter_b)

    def test_review_pages_do_it_through_the_ui(self):
        m = self.ledger.milestone_a2
        self.client.force_login(self.cast.reporter_a)
        new = m.planned_date + timedelta(days=20)
        self.client.post(f"/projects/milestones/{m.pk}/rebaseline/",
                         {"new_date": new.isoformat(), "reason": "雨季"})
        self.client.force_login(self.cast.office_admin)
        page = self.client.get("/projects/review/").content.decode()
        self.assertIn("雨季", page)
        req = m.rebaselines.get()
        self.client.post(f"/projects/rebaselines/{req.pk}/approve/")
        m.refresh_from_db()
        self.assertEqual(m.planned_date, new)


class StagePageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_suspend_and_resume_from_the_project_page(self):
        url = f"/projects/{self.ledger.project_a.pk}/stage/"
        self.client.force_login(self.cast.reporter_a)
        today = timezone.localdate().isoformat()
        response = self.client.post(url, {"stage": "suspended", "on": today, "reason": ""},
                                    follow=True)
        self.assertContains(response, "停工须说明原因")
        self.client.post(url, {"stage": "suspended", "on": today, "reason": "汛期"})
        self.ledger.project_a.refresh_from_db()
        self.assertEqual(self.ledger.project_a.stage, "suspended")
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.client.post(url, {"stage": "construction", "on": today,
                                                "reason": "复工"}).status_code, 404)
