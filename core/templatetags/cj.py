from django import template

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
