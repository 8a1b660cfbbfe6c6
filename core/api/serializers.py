"""Serializer fields that refuse what the database (or the calendar) cannot hold.

- ids: an id beyond the key's range is "does not exist" (400), never a driver overflow;
  an infinite float (JSON `1e400`) is the wrong type;
- dates: within DATE_MIN..DATE_MAX (see core.api.ranges);
- text: DRF's CharField already refuses NUL bytes (PostgreSQL cannot store them); give
  every plain CharField that feeds a limited column its `max_length`.

Every app's ModelSerializer derives from `ModelSerializer` here, so relations and date
fields built from models get these checks without naming them.
"""

import math

from django.db import models
from rest_framework import relations, serializers

from core.api.ranges import DATE_MAX, DATE_MIN, out_of_range, pk_range

_DATE_REASON = f"日期须在{DATE_MIN:%Y-%m-%d}至{DATE_MAX:%Y-%m-%d}之间。"


class PrimaryKeyRelatedField(relations.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if self.pk_field is None:
            if isinstance(data, float) and not math.isfinite(data):
                self.fail("incorrect_type", data_type=type(data).__name__)
            queryset = self.get_queryset()
            if queryset is not None and out_of_range(data, *pk_range(queryset.model)):
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """The id of a `model` row given as a plain integer (the view looks it up in scope)."""

    def __init__(self, model, **kwargs):
        lo, hi = pk_range(model)
        kwargs.setdefault("min_value", max(lo or 1, 1))
        if hi is not None:
            kwargs.setdefault("max_value", hi)
        super().__init__(**kwargs)


class DateField(serializers.DateField):
    default_error_messages = {"out_of_range": _DATE_REASON}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not DATE_MIN <= day <= DATE_MAX:
            self.fail("out_of_range")
        return day


class DateTimeField(serializers.DateTimeField):
    default_error_messages = {"out_of_range": _DATE_REASON}

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not DATE_MIN <= moment.date() <= DATE_MAX:
            self.fail("out_of_range")
        return moment


class ModelSerializer(serializers.ModelSerializer):
    """Base of every app's ModelSerializer: ranged relations and dates."""

    serializer_related_field = PrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }


def max_length(model, field_name: str) -> int | None:
    """The column length of a model's CharField, for a plain serializer field that fills it."""
    return model._meta.get_field(field_name).max_length
