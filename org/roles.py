"""What each role may do: the one table every permission check reads."""

from enum import StrEnum

from org.choices import Role


class Cap(StrEnum):
    VIEW_ORG = "view_org"              # unit directory, people, leaders
    MANAGE_ORG = "manage_org"          # edit units, people, leaders
    VIEW_PLANS = "view_plans"
    MANAGE_PLANS = "manage_plans"
    VIEW_FULL_PHONE = "view_full_phone"  # unmask phone numbers (within scope), logged
    MANAGE_ACCOUNTS = "manage_accounts"  # create/disable accounts, reset passwords
    ASSIGN_ROLES = "assign_roles"        # change roles, unlock locked-out logins
    VIEW_AUDIT = "view_audit"
    VIEW_ACCOUNTS = "view_accounts"
    USE_API = "use_api"
    VIEW_PROJECTS = "view_projects"      # ledger, within the role's scope
    MANAGE_PROJECTS = "manage_projects"  # create/edit projects, review reports, approve re-baselines
    SUBMIT_REPORTS = "submit_reports"    # file progress reports for own unit's projects
    IMPORT_LEDGER = "import_ledger"      # Excel ledger import (within scope)
    SUPERVISE = "supervise"              # draft and issue bulletins, review rectifications


_INTERNAL_READ = {Cap.VIEW_ORG, Cap.VIEW_PLANS, Cap.VIEW_PROJECTS, Cap.USE_API}
_OFFICE = {Cap.MANAGE_PROJECTS, Cap.IMPORT_LEDGER}
_REPORTER = {Cap.SUBMIT_REPORTS, Cap.IMPORT_LEDGER}

CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.OFFICE_ADMIN: frozenset(_INTERNAL_READ | _OFFICE | {Cap.MANAGE_ORG, Cap.MANAGE_PLANS,
                                                             Cap.VIEW_FULL_PHONE}),
    Role.OFFICE_STAFF: frozenset(_INTERNAL_READ | _OFFICE),
    Role.UNIT_HEAD: frozenset(_INTERNAL_READ | _REPORTER | {Cap.VIEW_FULL_PHONE,
                                                            Cap.VIEW_ACCOUNTS}),
    Role.UNIT_REPORTER: frozenset(_INTERNAL_READ | _REPORTER),
    Role.CITY_LEADER: frozenset(_INTERNAL_READ),
    Role.SUPERVISION: frozenset(_INTERNAL_READ | {Cap.SUPERVISE}),
    Role.ROAD_CHIEF: frozenset({Cap.VIEW_ORG, Cap.USE_API}),
    Role.INSPECTOR: frozenset({Cap.VIEW_ORG, Cap.USE_API}),
    Role.CITIZEN: frozenset(),
    Role.SYS_ADMIN: frozenset({Cap.VIEW_ORG, Cap.MANAGE_ACCOUNTS, Cap.VIEW_ACCOUNTS}),
    Role.SEC_ADMIN: frozenset({Cap.ASSIGN_ROLES, Cap.VIEW_ACCOUNTS}),
    Role.AUDIT_ADMIN: frozenset({Cap.VIEW_AUDIT}),
}


class Reach(StrEnum):
    """How far a role's reading reaches, once its capabilities let it read a kind of record."""

    CITY = "city"                # every unit's records
    ASSIGNMENTS = "assignments"  # a city leader: the units and projects of their 分包
    OWN_UNIT = "own_unit"        # the account's unit and the units below it
    NOTHING = "nothing"


# Who sees everything, and how far everyone else sees: the one table every `visible_to()`
# reads (the capabilities above say *what* a role may read, this says *whose*).
REACH: dict[str, Reach] = {
    Role.OFFICE_ADMIN: Reach.CITY,
    Role.OFFICE_STAFF: Reach.CITY,
    Role.SUPERVISION: Reach.CITY,
    # The account administrator sees every unit's people to manage their accounts; it holds
    # no capability over business records, so its reach ends there.
    Role.SYS_ADMIN: Reach.CITY,
    Role.CITY_LEADER: Reach.ASSIGNMENTS,
    Role.UNIT_HEAD: Reach.OWN_UNIT,
    Role.UNIT_REPORTER: Reach.OWN_UNIT,
    Role.ROAD_CHIEF: Reach.OWN_UNIT,
    Role.INSPECTOR: Reach.OWN_UNIT,
    Role.CITIZEN: Reach.NOTHING,
    Role.SEC_ADMIN: Reach.NOTHING,
    Role.AUDIT_ADMIN: Reach.NOTHING,
}
CITYWIDE_ROLES = frozenset(role for role, reach in REACH.items() if reach == Reach.CITY)


def reach_of(user) -> Reach:
    if user is None or not user.is_authenticated or not user.is_active:
        return Reach.NOTHING
    return REACH.get(user.role, Reach.NOTHING)


def sees_whole_city(user) -> bool:
    """Whether the user reads every unit's records of the kinds their capabilities allow."""
    return reach_of(user) == Reach.CITY


def capabilities_of(user) -> frozenset[Cap]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return CAPABILITIES.get(user.role, frozenset())


def has_cap(user, cap: Cap) -> bool:
    return cap in capabilities_of(user)


def allowed_with(cap: Cap, roles=None):
    """A `user -> bool` check for menus and panels: does the user's role hold `cap`?

    `roles`, when given, narrows a menu entry to the roles whose work uses the page (one of
    the sets below); the page itself stays open to every role holding `cap`.
    """
    if roles is None:
        return lambda user: has_cap(user, cap)
    return lambda user: has_cap(user, cap) and user.role in roles


# Menus list what a role's work uses, not everything it may open: on a phone a unit reporter's
# menu is its filing and its own projects, not the command hall's pages.
# 驾驶舱: the overview of a scope — the office, supervision, leaders and a unit's head; a
# reporter works project by project (台账, 本周填报).
OVERVIEW_ROLES = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.SUPERVISION,
                            Role.CITY_LEADER, Role.UNIT_HEAD})
# 大屏: the command hall's wall display, shown by the office to leaders and supervisors.
COMMAND_SCREEN_ROLES = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.SUPERVISION,
                                  Role.CITY_LEADER})
# 接口文档: for those who connect systems to the platform — the office, and the field roles
# whose apps read it. Anyone else holding an API token finds the link on 我的账号.
API_DOCS_ROLES = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.ROAD_CHIEF,
                            Role.INSPECTOR})
# Reference lists a reporter does not consult to file (市级领导, 核心板块): everyone else
# who may read them.
REFERENCE_ROLES = frozenset(set(Role.values) - {Role.UNIT_REPORTER})
