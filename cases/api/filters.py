"""Filters of GET /api/cases/cases/ (on the shared, hardened FilterSet base)."""

import math

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cases.choices import CaseGroup, CaseKind, CaseSource, CaseState, Urgency
from cases.models import Case, CaseType, Grid, RoadSegment
from core.api.filters import FilterSet, OrderingFilter
from org.models import Unit

BBOX_REASON = "bbox 应为 最小经度,最小纬度,最大经度,最大纬度（WGS84）。"


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """minLon,minLat,maxLon,maxLat: four finite numbers in range, min ≤ max."""
    try:
        parts = [float(v) for v in str(value).split(",")]
    except ValueError:
        raise ValidationError(BBOX_REASON) from None
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        raise ValidationError(BBOX_REASON)
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(BBOX_REASON)
    return min_lon, min_lat, max_lon, max_lat


class BBoxField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return parse_bbox(value) if value else None


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        if not value:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)


class CaseFilterSet(FilterSet):
    state = django_filters.MultipleChoiceFilter(label="状态", choices=CaseState.choices)
    type = django_filters.ModelChoiceFilter(label="案件类型", queryset=CaseType.objects.all(),
                                            field_name="type_version__case_type")
    kind = django_filters.ChoiceFilter(label="类别", choices=CaseKind.choices,
                                       field_name="type_version__case_type__kind")
    group = django_filters.ChoiceFilter(label="管理分类", choices=CaseGroup.choices,
                                        field_name="type_version__case_type__group")
    unit = django_filters.ModelChoiceFilter(label="处置单位", queryset=Unit.objects.all(),
                                            field_name="handling_unit")
    grid = django_filters.ModelChoiceFilter(label="网格", queryset=Grid.objects.all())
    segment = django_filters.ModelChoiceFilter(label="路段", queryset=RoadSegment.objects.all())
    source = django_filters.ChoiceFilter(label="来源", choices=CaseSource.choices)
    urgency = django_filters.ChoiceFilter(label="紧急程度", choices=Urgency.choices)
    # Local calendar days (TIME_ZONE): the database compares the day, no Python datetime
    # arithmetic that year 1 or 9999 could overflow.
    reported_from = django_filters.DateFilter(label="上报日期起", field_name="reported_at",
                                              lookup_expr="date__gte")
    reported_to = django_filters.DateFilter(label="上报日期止", field_name="reported_at",
                                            lookup_expr="date__lte")
    closed_from = django_filters.DateFilter(label="结案日期起", field_name="closed_at",
                                            lookup_expr="date__gte")
    closed_to = django_filters.DateFilter(label="结案日期止", field_name="closed_at",
                                          lookup_expr="date__lte")
    bbox = BBoxFilter(label="范围（最小经度,最小纬度,最大经度,最大纬度）")
    ordering = OrderingFilter(label="排序", fields=(("reported_at", "reported_at"),
                                                   ("deadline_at", "deadline_at"),
                                                   ("number", "number")))

    class Meta:
        model = Case
        fields = ["state", "type", "kind", "group", "unit", "grid", "segment", "source",
                  "urgency", "reported_from", "reported_to", "closed_from", "closed_to", "bbox",
                  "ordering"]
