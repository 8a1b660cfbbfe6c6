from core.navigation import register
from org.roles import Cap, allowed_with


def register_menu():
    register("考评", "阶段考评", "evaluation:scheme_list", allowed_with(Cap.VIEW_PROJECTS), order=1)
