"""A unit's score page names every fact behind it, with a link: each overdue milestone
(name, planned date), each missing report (project, period), each overdue action item
(title, deadline). A published page keeps the names it was scored with."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation import actions
from evaluation.choices import FactKind
from evaluation.models import ScoreFact, UnitScore
from evaluation.presets import preset_scheme
from projects.actions import do_add_milestone
from projects.choices import ReportStatus
from projects.engine import record_missing_reports
from projects.models import Milestone, ProgressReport
from supervision import actions as supervision
from supervision.actions import do_create_action_item
from supervision.models import ActionItem
from tests.base import SHANGHAI, CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class DrillDownTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.office = cls.cast.office_admin
        today = timezone.localdate()
        cls.late_milestone = do_add_milestone(cls.ledger.project_a, name="雨污管网迁改完成",
                                              planned_date=today - timedelta(days=10))
        record_missing_reports()  # project A never filed: every closed period is missing
        cls.item = do_create_action_item(title="限期完成甲路杆线迁移", unit=cls.cast.unit_a,
                                         deadline=today + timedelta(days=3),
                                         acting_user=cls.office)
        # Issued earlier and now past its deadline, never answered.
        ActionItem.objects.filter(pk=cls.item.pk).update(deadline=today - timedelta(days=5))
        cls.evaluation = actions.do_create_evaluation(
            scheme=preset_scheme("comprehensive", acting_user=cls.office),
            period_start=today - timedelta(days=200), period_end=today, acting_user=cls.office)
        actions.do_compute(cls.evaluation, acting_user=cls.office)
        cls.score = UnitScore.objects.get(evaluation=cls.evaluation, unit=cls.cast.unit_a)

    def page(self, user=None):
        self.client.force_login(user or self.office)
        response = self.client.get(self.score.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response

    def test_each_overdue_milestone_is_named_with_its_planned_date_and_a_link(self):
        page = self.page()
        project_url = self.ledger.project_a.get_absolute_url()
        self.assertContains(page, f'<a href="{project_url}">雨污管网迁改完成</a>', html=True)
        self.assertContains(page, (timezone.localdate() - timedelta(days=10)).isoformat())
        # The milestone met on time cost nothing: it is counted, not listed.
        self.assertContains(page, "应完成2个，按期1个，逾期或未完成1个。")

    def test_each_missing_report_is_named_by_project_and_period_with_a_link(self):
        page = self.page()
        missing = ProgressReport.objects.filter(
            project=self.ledger.project_a, status=ReportStatus.MISSING,
            period_start__gte=self.evaluation.period_start)
        self.assertGreater(missing.count(), 10)
        for report in missing:
            self.assertContains(page, f'<a href="/projects/reports/{report.pk}/">'
                                      f'{self.ledger.project_a.name}</a>', html=True)
        first = missing.order_by("period_start").first()
        period = f"{first.period_start:%Y-%m-%d} 至 {first.period_end:%Y-%m-%d}"
        self.assertContains(page, period)
        self.assertContains(page, "未报送")

    def test_each_overdue_action_item_is_named_with_its_deadline_and_a_link(self):
        page = self.page()
        self.assertContains(page, f'<a href="{self.item.get_absolute_url()}">限期完成甲路杆线迁移</a>',
                            html=True)
        self.assertContains(page, (timezone.localdate() - timedelta(days=5)).isoformat())

    def test_investment_lists_each_project_with_its_schedule_share(self):
        facts = ScoreFact.objects.filter(item_score__score=self.score, kind="project")
        self.assertEqual([(f.name, f.planned) for f in facts],
                         [(self.ledger.project_a.name, Decimal("1200"))])
        self.assertContains(self.page(), f'<a href="{self.ledger.project_a.get_absolute_url()}">'
                                         f'{self.ledger.project_a.name}</a>', html=True)

    def test_a_published_page_keeps_the_names_it_was_scored_with(self):
        actions.do_publish(self.evaluation, acting_user=self.office)
        Milestone.objects.filter(pk=self.late_milestone.pk).update(name="改名后的节点")
        page = self.page(self.cast.reporter_b)  # published: other units read it too
        self.assertContains(page, "雨污管网迁改完成")
        self.assertNotContains(page, "改名后的节点")

    def test_the_page_reads_a_fixed_number_of_queries_whatever_the_facts(self):
        self.client.force_login(self.office)
        counts = []
        for score in UnitScore.objects.filter(evaluation=self.evaluation):
            with CaptureQueriesContext(connection) as queries:
                self.client.get(score.get_absolute_url())
            counts.append(len(queries))
        self.assertEqual(len(set(counts)), 1, counts)

    def test_each_late_rectification_is_named_by_its_bulletin_with_a_link(self):
        today = timezone.localdate()
        bureau = self.cast.supervision
        draft = supervision.do_draft_bulletin(period_start=today - timedelta(days=7),
                                              period_end=today, acting_user=bureau)
        bulletin = supervision.do_issue_bulletin(
            draft, rectification_deadline=today + timedelta(days=10), acting_user=bureau)
        # Two weeks on, unit A has sent no feedback: its rectification is late.
        with time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=SHANGHAI)):
            evaluation = actions.do_create_evaluation(
                scheme=preset_scheme("comprehensive", acting_user=self.office),
                period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
                acting_user=self.office)
            actions.do_compute(evaluation, acting_user=self.office)
        fact = ScoreFact.objects.get(item_score__score__evaluation=evaluation,
                                     item_score__score__unit=self.cast.unit_a,
                                     kind=FactKind.RECTIFICATION)
        self.assertEqual((fact.on_time, fact.day, fact.parent_id),
                         (False, today + timedelta(days=10), bulletin.pk))
        self.assertIn(bulletin.title, fact.name)
        self.client.force_login(self.office)
        page = self.client.get(UnitScore.objects.get(evaluation=evaluation,
                                                     unit=self.cast.unit_a).get_absolute_url())
        self.assertContains(page, f'<a href="{bulletin.get_absolute_url()}">{fact.name}</a>',
                            html=True)
