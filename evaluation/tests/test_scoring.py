"""Scoring rules without the database: bounded bases, caps, shared places, parameters."""

from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.choices import Fact, Formula
from evaluation.facts import Row, UnitFact
from evaluation.formulas import resolve_params
from evaluation.scoring import (
    Rule,
    Totals,
    Unit,
    base_points,
    capped_adjustment,
    score_all,
    score_item,
    shared_places,
)

points = st.decimals(min_value=1, max_value=100, places=2)
counts = st.integers(min_value=0, max_value=40)


def counted(on_time, late):
    rows = [Row("milestone", i, True) for i in range(on_time)]
    rows += [Row("milestone", 1000 + i, False) for i in range(late)]
    return UnitFact(Decimal(on_time), Decimal(on_time + late), rows)


class ScoringProperties(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(data=st.data(), n=st.integers(1, 6))
    def test_the_base_stays_within_the_full_points(self, data, n):
        rules = [Rule(i, Fact.MILESTONES, Formula.PER_OCCURRENCE, data.draw(points),
                      {"per_item": Decimal(1), "cap": Decimal(100)}) for i in range(n)]
        items = [score_item(rule, counted(data.draw(counts), data.draw(counts)))
                 for rule in rules]
        base = base_points(items, Decimal(100))
        self.assertTrue(Decimal(0) <= base <= Decimal(100), base)

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.decimals(-20, 20, places=2), max_size=8),
           st.decimals(0, 20, places=2), st.decimals(0, 20, places=2))
    def test_adjustments_stay_within_their_caps(self, adjustments, bonus, deduction):
        total = capped_adjustment(adjustments, Totals(Decimal(100), bonus, deduction))
        self.assertTrue(-deduction <= total <= bonus)

    @given(st.lists(st.integers(0, 5), max_size=12))
    def test_equal_values_share_a_place(self, values):
        ordered = sorted(values, reverse=True)
        places = shared_places(ordered)
        for value, place in zip(ordered, places, strict=True):
            self.assertEqual(place, 1 + sum(1 for v in ordered if v > value))

    def test_units_with_equal_totals_share_a_rank_and_idle_units_are_not_ranked(self):
        rule = Rule(1, Fact.MILESTONES, Formula.RATIO, Decimal(100), {"cap": Decimal(1)})
        facts = {Fact.MILESTONES: {1: counted(3, 1), 2: counted(3, 1), 3: counted(1, 1)}}
        units = [Unit(pk, "city_dept") for pk in (1, 2, 3, 4)]
        results = score_all([rule], units, facts, Totals(Decimal(100), Decimal(5), Decimal(10)))
        self.assertEqual([(r.unit_id, r.total, r.rank) for r in results],
                         [(1, Decimal("75.00"), 1), (2, Decimal("75.00"), 1),
                          (3, Decimal("50.00"), 3), (4, Decimal("0"), None)])
        self.assertFalse(results[3].takes_part)  # 不参评: listed, not ranked last

    def test_parameters_take_defaults_and_report_each_bound(self):
        values, errors = resolve_params(Formula.PER_OCCURRENCE, Decimal(10), {})
        self.assertEqual((values, errors), ({"per_item": Decimal(1), "cap": Decimal(10)}, {}))
        _, errors = resolve_params(Formula.PER_POINT, Decimal(30),
                                   {"baseline": Decimal(-1), "floor": Decimal(31)})
        self.assertEqual(errors, {"baseline": "“基准（%）”应不小于0且不超过200。",
                                  "floor": "“最低得分”应不小于0且不超过30。"})
