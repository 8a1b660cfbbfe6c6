"""The 序时 schedule of a year plan as monthly amounts, for the project page's form."""

from decimal import Decimal

from django import template

register = template.Library()


def monthly_from_cumulative(cumulative) -> list[Decimal]:
    values = [Decimal(str(v)) for v in cumulative]
    return [b - a for a, b in zip([Decimal("0"), *values[:-1]], values, strict=True)]


@register.simple_tag
def schedule_months(year_plan) -> list[tuple[int, Decimal, Decimal]]:
    """(month, that month's planned amount, cumulative to that month's end) × 12."""
    cumulative = year_plan.schedule()
    return list(zip(range(1, 13), monthly_from_cumulative(cumulative), cumulative, strict=True))
