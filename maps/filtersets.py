import django_filters
from django.db.models import OuterRef, Subquery

from maps.choices import Verdict
from maps.models import ConformityCheck
from projects.filtersets import ProjectFilterSet


class MapFilterSet(ProjectFilterSet):
    """The ledger's filters plus the latest conformity verdict (a map filter)."""

    verdict = django_filters.ChoiceFilter(label="规划符合性", choices=Verdict.choices,
                                          method="filter_verdict")

    class Meta(ProjectFilterSet.Meta):
        fields = [*ProjectFilterSet.Meta.fields, "verdict"]

    def filter_verdict(self, queryset, name, value):
        latest = ConformityCheck.objects.filter(project=OuterRef("pk")).order_by("-run_at", "-id")
        return queryset.annotate(latest_verdict=Subquery(latest.values("verdict")[:1])).filter(
            latest_verdict=value)
