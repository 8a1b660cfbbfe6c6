from django import template

from core import dates as _dates

register = template.Library()


@register.filter
def show_value(value):
    """A history value as a reader expects it: blanks as —, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value


@register.simple_tag
def filter_field(bound_field):
    """A filter field; selects are written directly, because Django's per-option widget
    templates cost more than the whole ledger query on a 300-unit select."""
    from django import forms
    from django.utils.html import format_html, format_html_join

    widget = bound_field.field.widget
    # A filter with a default the page applies when nobody chose (the field's `initial`)
    # says so, so that the filter fold counts only what the person chose (static/js/app.js).
    default = bound_field.field.initial
    default = "" if default is None else str(default)
    if type(widget) is not forms.Select:
        return bound_field.as_widget(attrs={"data-default": default}) if default \
            else str(bound_field)
    value = bound_field.value()
    selected = "" if value is None else str(value)
    options = format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((str(v.value if hasattr(v, "value") else v),
          ' selected' if str(v.value if hasattr(v, "value") else v) == selected else "", label)
         for v, label in bound_field.field.choices))
    extra = format_html(' data-default="{}"', default) if default else ""
    return format_html('<select name="{}" id="{}"{}>{}</select>', bound_field.html_name,
                       bound_field.auto_id, extra, options)


# Dates in local time, written the Chinese way (core/dates.py). Django's `|date` converts
# to local time too; these exist so a page and a document write a date the same way.
@register.filter
def cn_date(value):
    """{{ bulletin.issued_at|cn_date }} → 2026年11月29日 (local day)."""
    return _dates.cn_date(value)


@register.filter
def cn_datetime(value):
    """{{ event.at|cn_datetime }} → 2026年11月29日 01:30 (local time)."""
    return _dates.cn_datetime(value)


@register.filter
def local_date(value):
    """The local calendar day of an aware datetime, for `|date:` or comparisons."""
    return _dates.local_date(value)


@register.filter
def wan_yi(value):
    """An amount held in 万元, as a reader takes it in: 1亿 and above as 亿元 with two
    decimals (123,456.7 → 12.35亿元), below as 万元 with separators (4,692.24万元)."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return "—"
    if abs(amount) >= 10000:
        return f"{amount / 10000:,.2f}亿元"
    return f"{amount:,.2f}万元"
