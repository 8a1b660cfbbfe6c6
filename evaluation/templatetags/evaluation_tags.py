"""Numbers of 阶段考评 as people read them; the stored values stay Decimal."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from evaluation.choices import FACT_UNITS
from evaluation.formulas import number_text
from projects.templatetags import ledger

register = template.Library()


@register.filter
def plain(value):
    """A weight or parameter without trailing zeros: 60, 0.5."""
    return "" if value is None else number_text(value)


@register.filter
def percent(value):
    """A completion rate (1 = 100 %) as a percentage to one place: 47.9%."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


@register.filter
def wan(value):
    """万元 to two places with thousands separators: 4,692.24 (the ledger's `wan`)."""
    return ledger.wan(value)


@register.filter
def figure(value, fact):
    """An item's achieved or target figure with its unit: 4,692.24万元 of investment, a
    count (3期) of the others; — when there is none."""
    if value is None:
        return "—"
    if fact == "investment":
        return f"{ledger.wan(value)}万元"
    return f"{number_text(value)}{FACT_UNITS.get(fact, '')}"
