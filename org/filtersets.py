"""One FilterSet per model, shared by the HTML list and the API endpoint."""

import django_filters
from django.db.models import Q

from core.api.filters import FilterSet
from org.choices import Role, UnitKind
from org.models import CityLeader, LeaderAssignment, Person, Unit, User


class SearchFilterMixin(FilterSet):
    q = django_filters.CharFilter(label="关键字", method="search")
    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)


class UnitFilterSet(SearchFilterMixin):
    kind = django_filters.ChoiceFilter(label="单位类型", choices=UnitKind.choices)
    search_fields = ("name", "short_name", "admin_code")

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent"]


class PersonFilterSet(SearchFilterMixin):
    search_fields = ("name", "title", "unit__name")

    class Meta:
        model = Person
        fields = ["q", "unit"]


class CityLeaderFilterSet(SearchFilterMixin):
    search_fields = ("person__name", "position")

    class Meta:
        model = CityLeader
        fields = ["q"]


class LeaderAssignmentFilterSet(FilterSet):
    class Meta:
        model = LeaderAssignment
        fields = ["leader", "unit", "kind"]


class AccountFilterSet(SearchFilterMixin):
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices)
    search_fields = ("username", "person__name", "unit__name")

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]
