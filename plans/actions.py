"""State changes of plans, their taxonomy and core districts."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from org.roles import Cap, has_cap
from plans.choices import PlanStatus
from plans.models import Category, CoreDistrict, Plan, Programme, Task

_TAXONOMY = {"category": Category, "task": Task, "programme": Programme}


def _require_manage(acting_user):
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PLANS):
        raise PermissionDenied("当前角色无权维护计划。")


@transaction.atomic
def do_create_plan(*, name, start_year, end_year, acting_user=None, **fields) -> Plan:
    _require_manage(acting_user)
    plan = Plan(name=name, start_year=start_year, end_year=end_year, **fields)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def do_approve_plan(plan: Plan, *, acting_user=None, on=None) -> Plan:
    """Approve a plan: from now on, moving a milestone's planned date is a re-baseline."""
    _require_manage(acting_user)
    if plan.status != PlanStatus.DRAFT:
        raise PermissionDenied("只有编制中的计划可以批准。")
    plan.status = PlanStatus.APPROVED
    plan.approved_on = on or timezone.localdate()
    plan.save()
    return plan


@transaction.atomic
def do_add_taxonomy(plan: Plan, kind: str, *, code, name, acting_user=None, description="",
                    sort_order=0):
    """Add a category, task or programme to a plan."""
    _require_manage(acting_user)
    item = _TAXONOMY[kind](plan=plan, code=code, name=name, description=description,
                           sort_order=sort_order)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def do_create_district(*, name, boundary, acting_user=None, **fields) -> CoreDistrict:
    _require_manage(acting_user)
    district = CoreDistrict(name=name, **fields)
    district.set_boundary(boundary)
    district.full_clean()
    district.save()
    return district


@transaction.atomic
def do_update_district(district: CoreDistrict, *, acting_user=None, **fields) -> CoreDistrict:
    _require_manage(acting_user)
    for key, value in fields.items():
        setattr(district, key, value)
    district.full_clean()  # re-derives area and bbox from the boundary
    district.save()
    return district
