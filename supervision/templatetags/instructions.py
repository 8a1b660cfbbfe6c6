"""The 批示 form on a project page (supervision/_project_items.html), shown to whoever
may write one (supervision.actions.items.may_instruct)."""

from datetime import timedelta

from django import template

from core.dates import today
from supervision.actions.items import may_instruct

register = template.Library()

# The deadline offered by default: a week, the rhythm of the weekly dispatch.
DEFAULT_DAYS = 7


@register.filter(name="may_instruct")
def may_instruct_filter(user) -> bool:
    return may_instruct(user)


@register.inclusion_tag("supervision/_instruction_form.html", takes_context=True)
def instruction_form(context, project):
    from org.choices import Role
    from org.models import CityLeader

    user = context["request"].user
    shown = may_instruct(user)
    # The office records a leader's 批示: it names the leader (the project's by default).
    leaders = (list(CityLeader.objects.active().select_related("person"))
               if shown and user.role != Role.CITY_LEADER else [])
    return {"shown": shown, "project": project, "leaders": leaders,
            "deadline": today() + timedelta(days=DEFAULT_DAYS), "csrf_token": context.get("csrf_token"),
            "request": context["request"]}
