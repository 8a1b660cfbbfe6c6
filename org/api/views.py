from core.api.views import ScopedReadOnlyViewSet
from org.api.serializers import (
    CityLeaderSerializer,
    LeaderAssignmentSerializer,
    PersonSerializer,
    UnitSerializer,
)
from org.filtersets import (
    CityLeaderFilterSet,
    LeaderAssignmentFilterSet,
    PersonFilterSet,
    UnitFilterSet,
)
from org.models import CityLeader, LeaderAssignment, Person, Unit
from org.roles import Cap


class OrgViewSet(ScopedReadOnlyViewSet):
    required_cap = Cap.VIEW_ORG  # the same right as the pages


class UnitViewSet(OrgViewSet):
    """单位名录。"""

    model = Unit
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet


class PersonViewSet(OrgViewSet):
    """人员（电话号码为掩码）。"""

    model = Person
    personal_data = True
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet


class CityLeaderViewSet(OrgViewSet):
    """市级领导。"""

    model = CityLeader
    serializer_class = CityLeaderSerializer
    filterset_class = CityLeaderFilterSet
    select_related = ("person",)


class LeaderAssignmentViewSet(OrgViewSet):
    """市级领导分包联系。"""

    model = LeaderAssignment
    serializer_class = LeaderAssignmentSerializer
    filterset_class = LeaderAssignmentFilterSet
