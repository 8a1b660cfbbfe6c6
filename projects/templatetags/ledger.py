from decimal import Decimal

from django import template
from django.utils.html import format_html

from projects.choices import COLOUR_ICON, Colour

register = template.Library()


@register.simple_tag
def colour_badge(colour):
    """The 亮灯 colour with its icon and word, so print-outs and colour-blind readers lose nothing."""
    if not colour:
        return format_html('<span class="lamp lamp-none">未计算</span>')
    return format_html('<span class="lamp lamp-{}">{} {}</span>', colour, COLOUR_ICON[colour],
                       Colour(colour).label)


@register.filter
def wan(value):
    """万元 with thousands separators and two decimals; 亿元 shown alongside when large."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    text = f"{amount:,.2f}"
    return text


@register.filter
def yi_hint(value):
    if value is None:
        return ""
    amount = Decimal(value)
    return f"约{amount / 10000:,.2f}亿元" if amount >= 10000 else ""


@register.filter
def ratio(actual, planned):
    if not planned:
        return "—"
    return f"{Decimal(actual or 0) / Decimal(planned) * 100:.1f}%"
