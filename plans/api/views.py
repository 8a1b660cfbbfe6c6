from django.db.models import Prefetch

from core.api.views import ScopedReadOnlyViewSet
from org.roles import Cap
from plans.api.serializers import CoreDistrictSerializer, PlanSerializer
from plans.filtersets import CoreDistrictFilterSet, PlanFilterSet
from plans.models import Category, CoreDistrict, Plan, Programme, Task


class PlanViewSet(ScopedReadOnlyViewSet):
    """计划及其分类、任务、专项工程。"""

    model = Plan
    required_cap = Cap.VIEW_PLANS
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            Prefetch("categories", queryset=Category.objects.active()),
            Prefetch("tasks", queryset=Task.objects.active()),
            Prefetch("programmes", queryset=Programme.objects.active()),
        )


class CoreDistrictViewSet(ScopedReadOnlyViewSet):
    """核心板块（边界为GeoJSON，经纬度 CGCS2000）。"""

    model = CoreDistrict
    required_cap = Cap.VIEW_PLANS
    serializer_class = CoreDistrictSerializer
    filterset_class = CoreDistrictFilterSet
