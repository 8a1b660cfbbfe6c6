import django_filters

from org.filtersets import SearchFilterMixin
from plans.choices import PlanStatus
from plans.models import CoreDistrict, Plan


class PlanFilterSet(SearchFilterMixin):
    status = django_filters.ChoiceFilter(label="状态", choices=PlanStatus.choices)
    search_fields = ("name", "short_name")

    class Meta:
        model = Plan
        fields = ["q", "status", "kind"]


class CoreDistrictFilterSet(SearchFilterMixin):
    search_fields = ("name",)

    class Meta:
        model = CoreDistrict
        fields = ["q", "plan", "lead_unit"]
