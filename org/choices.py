from django.db import models


class UnitKind(models.TextChoices):
    CITY_DEPT = "city_dept", "市直部门"
    TOWN = "town", "乡镇办(街道)"
    COMMUNITY = "community", "社区(村)"
    OTHER = "other", "其他单位"


class Role(models.TextChoices):
    """One role per account. Business roles first, then the three administrators."""

    OFFICE_ADMIN = "office_admin", "领导小组办公室管理员"
    OFFICE_STAFF = "office_staff", "领导小组办公室工作人员"
    UNIT_HEAD = "unit_head", "责任单位负责人"
    UNIT_REPORTER = "unit_reporter", "责任单位填报员"
    CITY_LEADER = "city_leader", "市级领导"
    SUPERVISION = "supervision", "督查局"
    ROAD_CHIEF = "road_chief", "路长"
    INSPECTOR = "inspector", "监督员"
    CITIZEN = "citizen", "市民"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# 三权分立: these roles administer the system and never hold business rights.
ADMINISTRATIVE_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
# Roles whose account is tied to a responsible unit.
UNIT_ROLES = frozenset({Role.UNIT_HEAD, Role.UNIT_REPORTER, Role.ROAD_CHIEF, Role.INSPECTOR})


class LeaderAssignmentKind(models.TextChoices):
    CONTACT = "contact", "分包联系"
    LEAD = "lead", "牵头负责"
