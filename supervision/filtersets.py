"""The filters of supervision's lists: each list page and its API endpoint share one FilterSet,
so a page and its endpoint accept the same query string (as projects/filtersets.py does)."""

from datetime import timedelta

import django_filters
from django.utils import timezone

from core.api.filters import FilterSet
from org.models import Unit
from plans.models import Plan
from supervision.choices import (
    ActionItemSource,
    ActionItemStatus,
    BulletinStatus,
    EscalationLevel,
    EscalationStatus,
    MeetingKind,
    MeetingStatus,
)
from supervision.models import ActionItem, Bulletin, EscalationStep, Meeting

YES = [("1", "是")]
# A meeting list starts a week back: last week's meetings are still being followed up.
RECENT_DAYS = 7


WHEN_DEFAULT = "upcoming"


class MeetingFilterSet(FilterSet):
    plan = django_filters.ModelChoiceFilter(label="计划", queryset=Plan.objects.active())
    kind = django_filters.ChoiceFilter(label="会议类型", choices=MeetingKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=MeetingStatus.choices)
    date = django_filters.DateFilter(label="日期")
    date_from = django_filters.DateFilter(label="日期起", field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label="日期止", field_name="date", lookup_expr="lte")
    # The page opens on "upcoming" (MeetingListView); `initial` marks it as the default, so
    # the filter fold does not count it as chosen (core/templatetags/cj.py filter_field).
    when = django_filters.ChoiceFilter(
        label="范围", choices=[("upcoming", "近期及以后"), ("all", "全部")], method="filter_when",
        empty_label=None, initial=WHEN_DEFAULT)
    mine = django_filters.ChoiceFilter(label="只看我参加的", choices=YES, method="filter_mine")

    class Meta:
        model = Meeting
        fields = ["plan", "kind", "status", "date", "date_from", "date_to", "when", "mine"]

    def filter_when(self, queryset, name, value):
        if value == "upcoming":
            return queryset.filter(date__gte=timezone.localdate() - timedelta(days=RECENT_DAYS))
        return queryset

    def filter_mine(self, queryset, name, value):
        if value != "1" or self.request is None:
            return queryset
        return queryset.filter(pk__in=Meeting.objects.attended_by(self.request.user).values("pk"))


class ActionItemFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ActionItemStatus.choices)
    source = django_filters.ChoiceFilter(label="来源", choices=ActionItemSource.choices)
    unit = django_filters.ModelChoiceFilter(label="承办单位", queryset=Unit.objects.active())
    project = django_filters.NumberFilter(label="相关项目")
    overdue = django_filters.ChoiceFilter(label="仅逾期未办结", choices=YES, method="filter_overdue")

    class Meta:
        model = ActionItem
        fields = ["status", "source", "unit", "project", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value != "1":
            return queryset
        return (queryset.filter(deadline__lt=timezone.localdate())
                .exclude(status=ActionItemStatus.CLOSED))


class BulletinFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=BulletinStatus.choices)
    year = django_filters.NumberFilter(label="年度")
    unit = django_filters.ModelChoiceFilter(label="被通报单位", queryset=Unit.objects.active(),
                                            field_name="lines__unit", distinct=True)

    class Meta:
        model = Bulletin
        fields = ["status", "year", "unit"]


class EscalationFilterSet(FilterSet):
    unit = django_filters.ModelChoiceFilter(label="单位", queryset=Unit.objects.active())
    level = django_filters.ChoiceFilter(label="措施", choices=EscalationLevel.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=EscalationStatus.choices)

    class Meta:
        model = EscalationStep
        fields = ["unit", "level", "status"]
