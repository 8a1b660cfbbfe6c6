"""The formula library of scoring schemes. Pure functions: facts in, points out.

Every formula is bounded by its item's points (and caps), so weights add up as configured.
"""

from decimal import Decimal


def _d(value) -> Decimal:
    return Decimal(str(value))


def ratio_points(ratio, points, cap_ratio=1) -> Decimal:
    """points × min(ratio, cap): e.g. investment 60 × completed/plan, capped at 100 %."""
    r = max(Decimal("0"), min(_d(ratio), _d(cap_ratio)))
    return (_d(points) * r / _d(cap_ratio)).quantize(Decimal("0.01"))


def points_per_percentage_point(value_pct, baseline_pct, points, per_point=1, floor=0):
    """points ± per_point for each percentage point above/below the baseline, within [floor, points].

    E.g. 形象进度 30 points ±1 per point around 序时.
    """
    raw = _d(points) + (_d(value_pct) - _d(baseline_pct)) * _d(per_point)
    return max(_d(floor), min(_d(points), raw)).quantize(Decimal("0.01"))


def per_occurrence(count, points, per_item, cap=None) -> Decimal:
    """points − per_item × count, the deduction capped at `cap` (default: all the points)."""
    deduction = min(_d(per_item) * _d(count), _d(cap if cap is not None else points))
    return max(Decimal("0"), _d(points) - deduction).quantize(Decimal("0.01"))


def rank_points(rank, group_size, points, step=1) -> Decimal:
    """First place gets the points, each place below loses `step`, never below zero."""
    if group_size <= 0:
        return Decimal("0")
    return max(Decimal("0"), _d(points) - _d(step) * (int(rank) - 1)).quantize(Decimal("0.01"))


FORMULAS = {
    "ratio": ratio_points,
    "per_point": points_per_percentage_point,
    "per_occurrence": per_occurrence,
    "rank": rank_points,
}
