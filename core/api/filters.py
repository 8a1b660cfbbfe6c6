"""FilterSets whose id and number filters refuse what the database cannot hold.

An id beyond the key's range (a 27-digit `?project=`) reaches the driver as an int it
cannot bind — OverflowError on SQLite — and django-filter's NumberFilter passes it on as a
Decimal, which Django's own overflow guard does not catch. Here such a value is refused
as an invalid choice (400 with the field's reason) before any query.

`FilterSet` is the base of every app's filtersets (pages and API share them);
`FilterBackend` applies the same to the FilterSets DRF builds from `filterset_fields`,
and to any explicit one that does not derive from the base.
"""

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet
from django_filters.utils import get_model_field

from core.api.ranges import integer_range, out_of_range, pk_range


class _PkRangeMixin:
    def _refuse_out_of_range(self, value):
        lo, hi = pk_range(self.queryset.model, self.to_field_name)
        if out_of_range(value, lo, hi):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})


class ModelChoiceField(_PkRangeMixin, filter_fields.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            self._refuse_out_of_range(value)
        return super().to_python(value)


class ModelMultipleChoiceField(_PkRangeMixin, filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value or ():
            lo, hi = pk_range(self.queryset.model, self.to_field_name)
            if out_of_range(item, lo, hi):
                raise ValidationError(self.error_messages["invalid_choice"],
                                      code="invalid_choice", params={"value": item})
        return super()._check_values(value)


_RANGED_LOOKUPS = {"exact", "gt", "gte", "lt", "lte"}


def harden(filterset):
    """Give each id and integer filter of this FilterSet instance the database's range."""
    model = filterset._meta.model
    for f in filterset.filters.values():
        if isinstance(f, django_filters.ModelMultipleChoiceFilter):
            _swap_field(f, ModelMultipleChoiceField)
        elif isinstance(f, django_filters.ModelChoiceFilter):
            _swap_field(f, ModelChoiceField)
        elif isinstance(f, django_filters.NumberFilter) and f.lookup_expr in _RANGED_LOOKUPS:
            lo, hi = _model_integer_range(model, f.field_name)
            if lo is not None:
                if issubclass(f.field_class, forms.DecimalField):  # (itself an IntegerField)
                    _swap_field(f, forms.IntegerField, force=True)
                f.extra.setdefault("min_value", lo)
                f.extra.setdefault("max_value", hi)
    return filterset


def _swap_field(f, field_class, force=False):
    if force or not issubclass(f.field_class, field_class):
        f.field_class = field_class
        f.__dict__.pop("_field", None)  # built lazily; rebuild with the new class


def _model_integer_range(model, field_name):
    if model is None or not field_name:
        return None, None
    try:
        field = get_model_field(model, field_name)
    except FieldDoesNotExist:
        return None, None
    return integer_range(field) if field is not None else (None, None)


class _Hardened:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        harden(self)


class FilterSet(_Hardened, django_filters.FilterSet):
    """Base of every app's FilterSet."""


class _RestFilterSet(_Hardened, RestFilterSet):
    pass


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend with every FilterSet hardened (see `harden`)."""

    filterset_base = _RestFilterSet

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        return harden(filterset) if filterset is not None else None


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering choice, its descending entries labelled in Chinese.

    django-filter writes "%s (descending)" and ships no Chinese for it, so a sort list read
    "项目编号 (descending)"; every app's FilterSet orders with this one.
    """

    descending_fmt = "%s（降序）"
