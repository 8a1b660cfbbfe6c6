"""Navigation entries and home panels contributed by the organisation app."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.home import HomePanel, register_panel
from core.navigation import register
from org.choices import Role
from org.roles import API_DOCS_ROLES, REFERENCE_ROLES, Cap, allowed_with, capabilities_of, has_cap


def register_menu():
    register("组织与计划", "单位名录", "org:unit_list", allowed_with(Cap.VIEW_ORG), order=10)
    register("组织与计划", "人员", "org:person_list", allowed_with(Cap.VIEW_ORG), order=11)
    register("组织与计划", "市级领导", "org:leader_list", allowed_with(Cap.VIEW_ORG, REFERENCE_ROLES),
             order=12)
    register("系统管理", "账号", "org:account_list", allowed_with(Cap.VIEW_ACCOUNTS), order=10)
    register("系统管理", "登录锁定", "org:lockouts", allowed_with(Cap.ASSIGN_ROLES), order=11)
    register("系统管理", "审计日志", "audit_log", allowed_with(Cap.VIEW_AUDIT), order=12)
    register("系统管理", "后台维护", "admin:index",
             lambda u: u.is_staff and bool(capabilities_of(u) & {
                 Cap.MANAGE_ORG, Cap.MANAGE_PLANS, Cap.MANAGE_ACCOUNTS, Cap.ASSIGN_ROLES}),
             order=13)
    register("系统管理", "接口文档", "api_docs", allowed_with(Cap.USE_API, API_DOCS_ROLES),
             order=20)
    register("系统管理", "我的账号", "org:account", lambda u: u.is_authenticated, order=29)
    register("系统管理", "修改密码", "password_change", lambda u: u.is_authenticated, order=30)

    register_panel(HomePanel("me", "我的账号", "org/panels/me.html",
                             lambda u: u.is_authenticated, _me_context, order=0))
    register_panel(HomePanel("admin", "系统概况", "org/panels/admin.html",
                             lambda u: u.role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN),
                             _admin_context, order=50))


def _me_context(user) -> dict:
    from org.models import LeaderAssignment

    days_left = None
    if settings.PASSWORD_MAX_AGE_DAYS and user.password_changed_at:
        expires = user.password_changed_at + timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
        days_left = (expires - timezone.now()).days
    assignments = []
    if user.role == Role.CITY_LEADER:
        assignments = LeaderAssignment.objects.visible_to(user).select_related("unit")
    return {"days_left": days_left, "assignments": assignments}


def _admin_context(user) -> dict:
    from axes.models import AccessAttempt
    from django.db.models import Count

    from core.models import AuditEvent
    from org.models import User

    labels = dict(Role.choices)
    counts = User.objects.values_list("role").annotate(n=Count("id")).order_by("role")
    ctx = {
        "accounts_by_role": [(labels.get(role, role), n) for role, n in counts],
        "locked": AccessAttempt.objects.filter(
            failures_since_start__gte=settings.LOGIN_FAILURE_LIMIT).count(),
    }
    if has_cap(user, Cap.VIEW_AUDIT):
        ctx["recent_events"] = AuditEvent.objects.all()[:10]
    return ctx
