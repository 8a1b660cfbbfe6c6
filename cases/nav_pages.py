"""Navigation items of the case pages (registered when the app is ready)."""

from cases import permissions
from core.navigation import register


def _desk(user) -> bool:
    return permissions.is_desk(user)


def _unit_staff(user) -> bool:
    return (user.is_authenticated and user.role in permissions.UNIT_STAFF_ROLES
            and bool(user.unit_id))


def _citywide(user) -> bool:
    return user.is_authenticated and user.role in permissions.CITYWIDE_READERS


register("城市管理", "指挥中心", "cases:desk", _desk, order=1)
register("城市管理", "本单位案件", "cases:unit", _unit_staff, order=2)
register("城市管理", "案件地图", "cases:map", _citywide, order=3)
