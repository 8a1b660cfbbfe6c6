"""Investment is scored against the 序时 share of the year plan on the period's end.

Scored against the whole year's plan, a unit exactly on schedule at 30 June got half the
points (the best 市直部门 of the demo's first half scored 40 of 100 for it).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from evaluation import actions
from evaluation.choices import Fact
from evaluation.models import ItemScore
from evaluation.presets import preset_scheme
from projects.actions import do_add_milestone, do_set_year_plan, do_submit_report
from tests.base import SHANGHAI, CastTestCase
from tests.ledger_cast import build_ledger

# Friday 10 July 2026, 10:00 in Beijing: the first half is over and its last period filed.
AFTER_FIRST_HALF = datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))


@time_machine.travel(AFTER_FIRST_HALF)
class InvestmentToDateTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # three projects, 1,200 planned each for 2026
        cls.office = cls.cast.office_admin
        # Unit A (project A alone) is on 序时 on 30 June: 6 of 12 even months = 600.
        cls.file(cls.ledger.project_a, cls.cast.reporter_a, Decimal("600"))
        # Unit B is at a quarter of its 序时 (300 of 2 × 600).
        cls.file(cls.ledger.project_b, cls.cast.reporter_b, Decimal("300"))

    @classmethod
    def file(cls, project, reporter, cumulative):
        do_submit_report(project, acting_user=reporter, period_start=FIRST_HALF[1],
                         investment_year_cumulative=cumulative, progress_percent=50)

    def investment(self, unit) -> ItemScore:
        evaluation = actions.do_create_evaluation(
            scheme=preset_scheme("investment_led", acting_user=self.office),
            period_start=FIRST_HALF[0], period_end=FIRST_HALF[1], acting_user=self.office)
        actions.do_compute(evaluation, acting_user=self.office)
        return ItemScore.objects.get(score__evaluation=evaluation, score__unit=unit,
                                     item__fact=Fact.INVESTMENT)

    def test_a_unit_on_schedule_at_the_periods_end_gets_full_marks(self):
        a = self.investment(self.cast.unit_a)
        self.assertEqual((a.achieved, a.target, a.value), (Decimal("600"), Decimal("600.00"),
                                                           Decimal("1")))
        self.assertEqual(a.points, Decimal("60.00"))  # not 30: the whole year was not due
        project = a.facts.get()
        self.assertEqual((project.planned, project.planned_to_date),
                         (Decimal("1200"), Decimal("600.00")))

    def test_a_unit_behind_schedule_gets_its_share_of_the_points(self):
        b = self.investment(self.cast.unit_b)
        self.assertEqual((b.achieved, b.target), (Decimal("300"), Decimal("1200.00")))
        self.assertEqual(b.points, Decimal("15.00"))  # 60 × 25 %

    def test_the_plans_own_monthly_schedule_is_followed(self):
        # A back-loaded plan: 200 due by the end of June, the rest in the second half.
        monthly = [Decimal(v) for v in (0, 0, 50, 100, 150, 200, 400, 600, 800, 1000, 1100,
                                        1200)]
        do_set_year_plan(self.ledger.project_a, 2026, Decimal("1200"), monthly=monthly,
                         acting_user=self.office)
        a = self.investment(self.cast.unit_a)
        self.assertEqual(a.target, Decimal("200.00"))
        self.assertEqual(a.points, Decimal("60.00"))  # 600 done of 200 due: capped at full

    def test_a_running_period_is_measured_up_to_today(self):
        # The second half, computed on 10 July: 序时 is taken on 10 July, not 31 December,
        # and a milestone due in August is not late yet.
        do_add_milestone(self.ledger.project_a, name="竣工验收",
                         planned_date=timezone.localdate() + timedelta(days=30))
        evaluation = actions.do_create_evaluation(
            scheme=preset_scheme("investment_led", acting_user=self.office),
            period_start=date(2026, 7, 1), period_end=date(2026, 12, 31),
            acting_user=self.office)
        actions.do_compute(evaluation, acting_user=self.office)
        a = ItemScore.objects.filter(score__evaluation=evaluation, score__unit=self.cast.unit_a)
        investment = a.get(item__fact=Fact.INVESTMENT)
        # 600 + 100 × 10/31 on 10 July.
        self.assertEqual(investment.target, Decimal("632.26"))
        self.assertIsNone(a.get(item__fact=Fact.MILESTONES).target)  # nothing due yet
        evaluation.refresh_from_db()
        self.assertEqual(evaluation.facts_as_of, date(2026, 7, 10))
        self.client.force_login(self.office)
        page = self.client.get(investment.score.get_absolute_url())
        self.assertContains(page, "序时计划632.26万元（截至7月10日的序时进度，非全年计划）")
