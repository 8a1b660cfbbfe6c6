from django import template

from org.models import mask_phone

register = template.Library()


@register.filter
def masked(phone: str) -> str:
    return mask_phone(phone) or "—"
