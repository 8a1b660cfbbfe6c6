from core.navigation import register
from org.roles import Cap, allowed_with


def register_menu():
    register("考评", "阶段考评", "evaluation:evaluation_list", allowed_with(Cap.VIEW_PROJECTS),
             order=1)
    # Units read the rules they are scored by; only the office edits them (on the page).
    register("考评", "考评方案", "evaluation:scheme_list", allowed_with(Cap.VIEW_PROJECTS),
             order=2)
