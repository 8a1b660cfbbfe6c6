from core.home import HomePanel, register_panel
from core.navigation import register
from org.roles import Cap, allowed_with


def register_menu():
    register("台账", "项目台账", "projects:project_list", allowed_with(Cap.VIEW_PROJECTS), order=1)
    register("台账", "本周填报", "projects:due", allowed_with(Cap.SUBMIT_REPORTS), order=2)
    register("台账", "审核队列", "projects:review", allowed_with(Cap.MANAGE_PROJECTS), order=3)
    register("台账", "报送情况", "projects:matrix", allowed_with(Cap.MANAGE_PROJECTS), order=3.5)
    register("台账", "台账导入", "projects:import", allowed_with(Cap.IMPORT_LEDGER), order=4)
    register("台账", "我的分包", "projects:my_assignments", _is_leader, order=0)
    register_panel(HomePanel("ledger", "项目亮灯", "projects/panels/ledger.html",
                             allowed_with(Cap.VIEW_PROJECTS), _ledger_context, order=5))
    from projects.panels import register_panels

    register_panels()


def _is_leader(user) -> bool:
    """我的分包 is the page of those whose reach is their 分包 (city leaders)."""
    from org.roles import Reach, reach_of

    return reach_of(user) == Reach.ASSIGNMENTS


def _ledger_context(user) -> dict:
    from projects.choices import COLOUR_HEX, COLOUR_ICON, Colour
    from projects.engine import colour_counts
    from projects.models import Project

    visible = Project.objects.visible_to(user)
    counts = colour_counts(visible)
    ctx = {"counts": [(c, Colour(c).label, counts[c], COLOUR_HEX[c], COLOUR_ICON[c])
                      for c in Colour.values],
           "total": sum(counts.values())}
    return ctx  # what a reporter still owes is the 我的填报 panel (projects/panels.py)
