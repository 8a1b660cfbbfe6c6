from core.navigation import register
from org.roles import COMMAND_SCREEN_ROLES, OVERVIEW_ROLES, Cap, allowed_with, has_cap
from projects.sections import Section, register_section


def register_menu():
    register("挂图作战", "作战地图", "maps:battle_map", allowed_with(Cap.VIEW_PROJECTS), order=1)
    register("挂图作战", "推进时序", "maps:timeline", allowed_with(Cap.VIEW_PROJECTS), order=4)
    register("挂图作战", "驾驶舱", "maps:cockpit",
             allowed_with(Cap.VIEW_PROJECTS, OVERVIEW_ROLES), order=2)
    register("挂图作战", "大屏", "maps:screen",
             allowed_with(Cap.VIEW_PROJECTS, COMMAND_SCREEN_ROLES), order=3)
    register("挂图作战", "图层管理", "maps:layer_list", allowed_with(Cap.MANAGE_PROJECTS), order=5)
    register_section(Section("timeline", "maps/_timeline_link.html", lambda p, u: {}, order=5))
    register_section(Section("conformity", "maps/_conformity_section.html", _conformity_context,
                             order=10))


def _conformity_context(project, user) -> dict:
    from maps.models import ConformityCheck

    return {"latest": ConformityCheck.objects.filter(project=project).select_related(
                "run_by").first(),
            "may_run": has_cap(user, Cap.MANAGE_PROJECTS) and project.geometry is not None}
