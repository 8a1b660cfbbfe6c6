"""Numbers of 阶段考评 as people read them; the stored values stay Decimal."""

from decimal import Decimal

from django import template

from evaluation.formulas import number_text

register = template.Library()


@register.filter
def plain(value):
    """A weight or parameter without trailing zeros: 60, 0.5."""
    return "" if value is None else number_text(value)


@register.filter
def percent(value):
    """A completion rate (1 = 100 %) as a percentage to two places: 47.92%."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"
