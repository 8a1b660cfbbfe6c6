from core.home import HomePanel, register_panel
from core.navigation import register
from org.roles import REFERENCE_ROLES, Cap, allowed_with


def register_menu():
    register("组织与计划", "计划", "plans:plan_list", allowed_with(Cap.VIEW_PLANS), order=1)
    register("组织与计划", "核心板块", "plans:district_list",
             allowed_with(Cap.VIEW_PLANS, REFERENCE_ROLES), order=2)
    register_panel(HomePanel("plans", "计划概览", "plans/panels/plans.html",
                             allowed_with(Cap.VIEW_PLANS), _plans_context, order=10))


def _plans_context(user) -> dict:
    from django.db.models import Count, Q

    from plans.models import CoreDistrict, Plan

    plans = Plan.objects.visible_to(user).annotate(
        n_categories=Count("categories", filter=Q(categories__archived_at=None), distinct=True),
        n_tasks=Count("tasks", filter=Q(tasks__archived_at=None), distinct=True),
    )
    return {"plans": plans, "district_count": CoreDistrict.objects.visible_to(user).count()}
