from core.navigation import register
from org.roles import Cap, allowed_with
from projects.sections import Section, register_section


def register_menu():
    register("调度督查", "会议安排", "supervision:meeting_list", allowed_with(Cap.VIEW_PROJECTS), order=1)
    register("调度督查", "交办事项", "supervision:item_list", allowed_with(Cap.VIEW_PROJECTS), order=2)
    register("调度督查", "督查通报", "supervision:bulletin_list", allowed_with(Cap.VIEW_PROJECTS), order=3)
    register("调度督查", "问责升级", "supervision:escalation_list", allowed_with(Cap.VIEW_PROJECTS),
             order=4)
    # 我的消息 is the notify app's page (every app's notifications land there); listed here
    # because notify, a service below every app, has no menu group of its own.
    register("调度督查", "我的消息", "notify:messages", lambda u: u.is_authenticated, order=8)
    register("调度督查", "日历订阅", "supervision:calendar", allowed_with(Cap.VIEW_PROJECTS), order=9)
    register_section(Section("action_items", "supervision/_project_items.html", _project_items,
                             order=20))


def _project_items(project, user) -> dict:
    from org.models import Unit
    from supervision.actions import _may_issue
    from supervision.models import ActionItem

    return {"items": ActionItem.objects.visible_to(user).filter(project=project)
            .select_related("unit"),
            "open_problems": project.problem_items.active().filter(resolved=False)
            .select_related("report")[:10],
            "may_issue": _may_issue(user),
            "units": Unit.objects.active().only("pk", "name") if _may_issue(user) else []}
