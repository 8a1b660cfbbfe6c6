"""Formula library properties: caps hold, monotone in the fact, bounded by the item's points."""

from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.formulas import (
    per_occurrence,
    points_per_percentage_point,
    rank_points,
    ratio_points,
)

ratios = st.decimals(min_value=0, max_value=3, places=3)
points = st.integers(min_value=1, max_value=100)


class FormulaProperties(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(a=ratios, b=ratios, p=points)
    def test_ratio_is_capped_and_monotone(self, a, b, p):
        low, high = sorted((a, b))
        self.assertLessEqual(ratio_points(low, p), ratio_points(high, p))
        self.assertLessEqual(ratio_points(high, p), p)
        self.assertGreaterEqual(ratio_points(low, p), 0)

    @settings(max_examples=300, deadline=None)
    @given(a=st.decimals(0, 150, places=1), b=st.decimals(0, 150, places=1),
           base=st.decimals(0, 100, places=1), p=points)
    def test_per_point_is_bounded_and_monotone(self, a, b, base, p):
        low, high = sorted((a, b))
        x, y = (points_per_percentage_point(v, base, p) for v in (low, high))
        self.assertLessEqual(x, y)
        self.assertTrue(0 <= x <= p and 0 <= y <= p)

    @settings(max_examples=300, deadline=None)
    @given(a=st.integers(0, 50), b=st.integers(0, 50), p=points,
           per=st.decimals(Decimal("0.1"), 10, places=1), cap=st.integers(0, 100))
    def test_deductions_are_capped_and_monotone(self, a, b, p, per, cap):
        few, many = sorted((a, b))
        self.assertGreaterEqual(per_occurrence(few, p, per, cap), per_occurrence(many, p, per, cap))
        self.assertGreaterEqual(per_occurrence(many, p, per, cap), max(0, p - min(cap, p)) - 0)

    @settings(max_examples=200, deadline=None)
    @given(n=st.integers(1, 300), p=points, data=st.data())
    def test_rank_points_fall_with_rank(self, n, p, data):
        r1 = data.draw(st.integers(1, n))
        r2 = data.draw(st.integers(r1, n))
        self.assertGreaterEqual(rank_points(r1, n, p), rank_points(r2, n, p))
        self.assertEqual(rank_points(1, n, p), p)

    def test_published_style_examples(self):
        self.assertEqual(ratio_points(Decimal("0.8"), 60), Decimal("48.00"))   # 60 × 80 %
        self.assertEqual(points_per_percentage_point(85, 90, 30), Decimal("25.00"))  # −1/pt
        self.assertEqual(points_per_percentage_point(95, 90, 30), Decimal("30.00"))  # capped
        self.assertEqual(per_occurrence(3, 10, 2), Decimal("4.00"))
