"""Navigation items of the field (phone) pages: inspectors and road chiefs (and the desk's
上报, for cases it takes from the 12345 hotline)."""

from core.navigation import register
from org.choices import Role


def _may_report(user) -> bool:
    from cases import permissions

    return permissions.may_report(user)


def _field_reporter(user) -> bool:
    return getattr(user, "role", None) in (Role.INSPECTOR, Role.ROAD_CHIEF) and user.is_active


def _road_chief(user) -> bool:
    return getattr(user, "role", None) == Role.ROAD_CHIEF and user.is_active


register("城市管理", "上报案件", "cases:report", _may_report, order=10)
register("城市管理", "我的案件", "cases:my", _field_reporter, order=11)
register("城市管理", "我的路段", "cases:segments", _road_chief, order=12)
