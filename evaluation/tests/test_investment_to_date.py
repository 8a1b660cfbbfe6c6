"""Investment is scored against the 序时 share of the year plan on the day each project's
reported figure refers to (never after the period's end).

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
# The last weekly period ending within the first half: 22 to 28 June.
LAST_WEEK_OF_JUNE = date(2026, 6, 22)


@time_machine.travel(AFTER_FIRST_HALF)
class InvestmentToDateTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # three projects, 1,200 planned each for 2026
        cls.office = cls.cast.office_admin
        # Unit A (project A alone) reports 600 for the week to 28 June, ahead of its 序时
        # share on that day: 500 + 100 × 28/30 = 593.33.
        cls.file(cls.ledger.project_a, cls.cast.reporter_a, Decimal("600"))
        # Unit B reports 300 of its two projects' 2 × 593.33: the unreported shared project
        # is measured on 28 June too, the end of the last period closed by 30 June.
        cls.file(cls.ledger.project_b, cls.cast.reporter_b, Decimal("300"))

    @classmethod
    def file(cls, project, reporter, cumulative):
        do_submit_report(project, acting_user=reporter, period_start=LAST_WEEK_OF_JUNE,
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
        self.assertEqual((a.achieved, a.target, a.value), (Decimal("600"), Decimal("593.33"),
                                                           Decimal("1.0112")))
        self.assertEqual(a.points, Decimal("60.00"))  # not 30: the whole year was not due
        project = a.facts.get()
        self.assertEqual((project.planned, project.planned_to_date, project.day),
                         (Decimal("1200"), Decimal("593.33"), date(2026, 6, 28)))

    def test_a_week_running_past_the_periods_end_is_left_to_the_next(self):
        # The week of 29 June to 5 July, filed on 10 July, describes 5 July: counting it
        # against 序时 on 30 June would credit the first half with July's work.
        do_submit_report(self.ledger.project_a, acting_user=self.cast.reporter_a,
                         period_start=FIRST_HALF[1], investment_year_cumulative=Decimal("900"),
                         progress_percent=60)
        a = self.investment(self.cast.unit_a)
        self.assertEqual((a.achieved, a.target), (Decimal("600"), Decimal("593.33")))

    def test_a_unit_behind_schedule_gets_its_share_of_the_points(self):
        b = self.investment(self.cast.unit_b)
        self.assertEqual((b.achieved, b.target), (Decimal("300"), Decimal("1186.66")))
        self.assertEqual(b.points, Decimal("15.17"))  # 60 × 300 / 1,186.66

    def test_the_plans_own_monthly_schedule_is_followed(self):
        # A back-loaded plan: 196.67 due by 28 June, the rest in the second half.
        monthly = [Decimal(v) for v in (0, 0, 50, 100, 150, 200, 400, 600, 800, 1000, 1100,
                                        1200)]
        do_set_year_plan(self.ledger.project_a, 2026, Decimal("1200"), monthly=monthly,
                         acting_user=self.office)
        a = self.investment(self.cast.unit_a)
        self.assertEqual(a.target, Decimal("196.67"))
        self.assertEqual(a.points, Decimal("60.00"))  # 600 done of 196.67 due: capped

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
        # 600 + 100 × 5/31 on 5 July, the end of the last period closed (due 3 July): the
        # reported figure is not that recent, and the days since are not lag.
        self.assertEqual(investment.target, Decimal("616.13"))
        self.assertIsNone(a.get(item__fact=Fact.MILESTONES).target)  # nothing due yet
        evaluation.refresh_from_db()
        self.assertEqual(evaluation.facts_as_of, date(2026, 7, 10))
        self.client.force_login(self.office)
        page = self.client.get(investment.score.get_absolute_url())
        self.assertContains(page, "序时计划616.13万元（各项目按其已填报数据所指日期计序时进度，"
                                  "最晚截至7月10日，非全年计划）")
        self.assertContains(page, "<td class=\"nowrap\">2026-07-05</td>", html=False)
