"""Who may do what with a case, in one place (actions ask here; visible_to reads here).

The desk (指挥中心) is the office for now; a handling unit is the unit staff of the unit the
case is dispatched to (a 回退待审 case stays with it until the desk decides); 核查 is the
inspector the desk sent the check to.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from org.choices import Role

DESK_ROLES = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_STAFF})
# Read-only, city-wide: the supervision bureau follows cases for its 督查; city leaders
# read the cases behind the 绩效评价 figures (its drill-down). Reading only: every step
# asks is_desk / is_handling_unit / is_checker, and the desk page is_desk, never this set.
CITYWIDE_READERS = DESK_ROLES | {Role.SUPERVISION, Role.CITY_LEADER}
UNIT_STAFF_ROLES = frozenset({Role.UNIT_HEAD, Role.UNIT_REPORTER})
FIELD_REPORTER_ROLES = frozenset({Role.INSPECTOR, Role.ROAD_CHIEF})


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_desk(user) -> bool:
    return _active(user) and user.role in DESK_ROLES


def may_report(user) -> bool:
    """Inspectors and road chiefs report from the street; the desk enters 12345/citizen cases."""
    return _active(user) and (user.role in FIELD_REPORTER_ROLES or user.role in DESK_ROLES)


def is_handling_unit(user, case) -> bool:
    return (_active(user) and user.role in UNIT_STAFF_ROLES and case.handling_unit_id is not None
            and user.unit_id == case.handling_unit_id)


def is_checker(user, case) -> bool:
    return (_active(user) and user.role == Role.INSPECTOR and case.checker_id is not None
            and case.checker_id == user.pk)


def require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def require_desk(user) -> None:
    require(is_desk(user), "只有指挥中心可以办理此环节。")


def require_handling_unit(user, case) -> None:
    require(is_handling_unit(user, case), "只有案件的处置单位可以办理此环节。")


def require_checker(user, case) -> None:
    require(is_checker(user, case), "只有被派发核查的监督员可以核查此案件。")


def joined_by(user) -> Q:
    """Cases the user added a sighting to (重复上报): he follows them as his own reports.
    do_join takes only a sighting with a photo near the case, so a join is no way into
    cases elsewhere."""
    from cases.choices import EventType
    from cases.models import CaseEvent

    return Q(pk__in=CaseEvent.objects.filter(kind=EventType.JOIN, actor=user)
             .values("case_id"))


def visible_cases(queryset, user):
    if not _active(user):
        return queryset.none()
    if user.role in CITYWIDE_READERS:
        return queryset
    if user.role in UNIT_STAFF_ROLES:
        if not user.unit_id:
            return queryset.none()
        return queryset.filter(handling_unit_id=user.unit_id)
    if user.role == Role.INSPECTOR:
        return queryset.filter(Q(reporter=user) | Q(checker=user) | joined_by(user))
    if user.role == Role.ROAD_CHIEF:
        from cases.models import RoadChief

        own = Q(reporter=user) | joined_by(user)
        if not user.person_id:
            return queryset.filter(own)
        segments = RoadChief.objects.active().filter(person_id=user.person_id)
        return queryset.filter(own | Q(segment_id__in=segments.values("segment_id")))
    return queryset.none()
