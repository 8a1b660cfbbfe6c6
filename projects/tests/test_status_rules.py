"""The status engine's rules, as properties (hypothesis) and as worked examples."""

from datetime import date, timedelta
from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.choices import COLOUR_RANK, Colour, Stage
from projects.status import (
    Facts,
    MilestoneFact,
    ProcedureFact,
    Rules,
    evaluate,
    evaluate_investment,
    evaluate_milestones,
    evaluate_reporting,
    schedule_to_date,
)

TODAY = date(2024, 7, 12)
RULES = Rules()
SANYA = Rules(investment_mode="relative", investment_yellow=Decimal("1"),
              investment_red=Decimal("50"))

offsets = st.integers(min_value=-60, max_value=60)
names = st.text(alphabet="主体结构封顶开工竣工验收道路基础", min_size=1, max_size=8)


def rank(colour):
    return COLOUR_RANK[colour]


class MilestoneProperties(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(name=names, planned=offsets, earlier=offsets, later_by=st.integers(0, 90))
    def test_a_later_actual_date_never_improves_the_colour(self, name, planned, earlier,
                                                            later_by):
        planned_date = TODAY + timedelta(days=planned)
        first = TODAY + timedelta(days=earlier)
        second = first + timedelta(days=later_by)
        a = evaluate_milestones(Facts(TODAY, milestones=(MilestoneFact(name, planned_date, first),)),
                                RULES)
        b = evaluate_milestones(Facts(TODAY, milestones=(MilestoneFact(name, planned_date,
                                                                       second),)), RULES)
        self.assertLessEqual(rank(a.colour), rank(b.colour))

    @settings(max_examples=300, deadline=None)
    @given(name=names, planned=offsets)
    def test_every_reason_names_the_milestone_and_its_date(self, name, planned):
        planned_date = TODAY + timedelta(days=planned)
        verdict = evaluate_milestones(Facts(TODAY, milestones=(MilestoneFact(name, planned_date),)),
                                      RULES)
        if verdict.colour != Colour.GREEN:
            self.assertEqual(len(verdict.reasons), 1)
            self.assertIn(f"「{name}」", verdict.reasons[0])
            self.assertIn(f"{planned_date:%Y-%m-%d}", verdict.reasons[0])
        else:
            self.assertEqual(verdict.reasons, [])

    def test_default_thresholds(self):
        def colour(days_overdue):
            m = MilestoneFact("主体结构封顶", TODAY - timedelta(days=days_overdue))
            return evaluate_milestones(Facts(TODAY, milestones=(m,)), RULES)

        self.assertEqual(colour(-8).colour, Colour.GREEN)       # due in 8 days
        self.assertEqual(colour(-7).colour, Colour.YELLOW)      # due within 7 days: notice
        self.assertIn("7天后到期", colour(-7).reasons[0])
        self.assertEqual(colour(7).colour, Colour.YELLOW)       # overdue ≤ 7 days
        self.assertEqual(colour(8).colour, Colour.RED)          # overdue > 7 days
        self.assertEqual(colour(12).reasons,
                         ["节点「主体结构封顶」计划2024-06-30，已超期12天"])


class InvestmentProperties(SimpleTestCase):
    def facts(self, actual, schedule=Decimal("500"), planned=Decimal("1000")):
        return Facts(TODAY, year_planned=planned, year_schedule_to_date=schedule,
                     year_actual=Decimal(actual))

    @settings(max_examples=300, deadline=None)
    @given(a=st.integers(0, 1200), b=st.integers(0, 1200))
    def test_more_investment_never_worsens_the_colour(self, a, b):
        low, high = sorted((a, b))
        for rules in (RULES, SANYA):
            self.assertGreaterEqual(rank(evaluate_investment(self.facts(low), rules).colour),
                                    rank(evaluate_investment(self.facts(high), rules).colour))

    @settings(max_examples=200, deadline=None)
    @given(a=st.integers(0, 1200))
    def test_reasons_state_the_figures(self, a):
        verdict = evaluate_investment(self.facts(a), RULES)
        for reason in verdict.reasons:
            self.assertIn(f"{Decimal(a):.2f}万元", reason)
            self.assertIn("序时进度（50.0%）", reason)

    def test_default_points_and_sanya_relative(self):
        # schedule 50% of the year's plan; actual 35% → 15 points behind → yellow.
        self.assertEqual(evaluate_investment(self.facts(350), RULES).colour, Colour.YELLOW)
        self.assertEqual(evaluate_investment(self.facts(401), RULES).colour, Colour.GREEN)
        self.assertEqual(evaluate_investment(self.facts(190), RULES).colour, Colour.RED)
        # 三亚: relative lag ≤ 50% yellow, > 50% red (190 of 500 = 62% behind).
        self.assertEqual(evaluate_investment(self.facts(300), SANYA).colour, Colour.YELLOW)
        self.assertEqual(evaluate_investment(self.facts(190), SANYA).colour, Colour.RED)

    def test_investment_is_not_judged_before_construction(self):
        facts = Facts(TODAY, stage=Stage.PRELIMINARY, year_planned=Decimal("1000"),
                      year_schedule_to_date=Decimal("500"))
        self.assertEqual(evaluate_investment(facts, RULES).colour, Colour.GREEN)

    def test_schedule_to_date_is_linear_within_a_month(self):
        cumulative = [Decimal(100 * (i + 1)) for i in range(12)]
        self.assertEqual(schedule_to_date(cumulative, date(2024, 1, 31)), Decimal("100"))
        self.assertEqual(schedule_to_date(cumulative, date(2024, 6, 15)), Decimal("550"))


class ReportingAndOverallProperties(SimpleTestCase):
    def test_missing_periods(self):
        def colour(n):
            return evaluate_reporting(Facts(TODAY, missing_streak=n,
                                            last_missing_deadline=TODAY), RULES)

        self.assertEqual(colour(0).colour, Colour.GREEN)
        self.assertEqual(colour(1).colour, Colour.YELLOW)
        self.assertEqual(colour(2).colour, Colour.RED)
        self.assertIn("已连续2期未报送进度", colour(2).reasons[0])

    @settings(max_examples=300, deadline=None)
    @given(days_later=st.integers(0, 20))
    def test_catching_up_turns_red_to_yellow_not_green(self, days_later):
        """Whatever made it red, a project that was red shows at least yellow until a
        full period in good standing has passed."""
        was = evaluate(Facts(TODAY, missing_streak=2, last_missing_deadline=TODAY), RULES)
        self.assertEqual(was.overall, Colour.RED)
        good = Facts(TODAY)  # everything caught up
        now = evaluate(good, RULES, previous_overall=was.overall,
                       red_hold_until=was.red_hold_until)
        self.assertEqual(now.overall, Colour.YELLOW)
        self.assertTrue(any("观察期" in r for r in now.overall_reasons))
        later = Facts(TODAY + timedelta(days=days_later))
        after = evaluate(later, RULES, previous_overall=now.overall,
                         red_hold_until=now.red_hold_until)
        expected = Colour.YELLOW if days_later < RULES.catchup_days else Colour.GREEN
        self.assertEqual(after.overall, expected)

    @settings(max_examples=200, deadline=None)
    @given(streak=st.integers(0, 4), overdue=st.integers(-10, 40), done=st.booleans(),
           proc_overdue=st.integers(-10, 60))
    def test_overall_is_the_worst_dimension_and_every_colour_has_a_reason(
            self, streak, overdue, done, proc_overdue):
        facts = Facts(
            TODAY, missing_streak=streak, last_missing_deadline=TODAY,
            milestones=(MilestoneFact("开工", TODAY - timedelta(days=overdue)),),
            procedures=(ProcedureFact("施工许可", TODAY - timedelta(days=proc_overdue), done),))
        result = evaluate(facts, RULES)
        worst = max((v.colour for v in result.dimensions.values()), key=rank)
        self.assertEqual(result.overall, worst)
        for verdict in result.dimensions.values():
            self.assertEqual(verdict.colour != Colour.GREEN, bool(verdict.reasons))

    def test_stage_states(self):
        self.assertEqual(evaluate(Facts(TODAY, stage=Stage.PLANNING), RULES).overall, Colour.GREY)
        self.assertEqual(evaluate(Facts(TODAY, stage=Stage.COMPLETED), RULES).overall, Colour.BLUE)
        suspended = evaluate(Facts(TODAY, stage=Stage.SUSPENDED, stage_reason="征地未完成"), RULES)
        self.assertEqual(suspended.overall, Colour.YELLOW)
        self.assertIn("项目停工：征地未完成", suspended.overall_reasons)
