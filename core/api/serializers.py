"""Serializer fields that refuse what the database (or the calendar) cannot hold, and ids
the writing user may not see.

- ids: an id beyond the key's range is "does not exist" (400), never a driver overflow;
  an infinite float (JSON `1e400`) is the wrong type;
- scope: every id a write accepts is looked up through the related model's
  `visible_to(request.user)`; an id outside it is "does not exist", exactly like an id
  that names no row, so a write can neither point at nor reveal what the user cannot open
  (a leader once filed an action item on another district's report problem and then read
  it on the item's page). The request comes from the serializer's context; a serializer
  used for input without one is a programming error, refused loudly;
- dates: within DATE_MIN..DATE_MAX (see core.api.ranges);
- text: DRF's CharField already refuses NUL bytes (PostgreSQL cannot store them); give
  every plain CharField that feeds a limited column its `max_length`.

Every app's ModelSerializer derives from `ModelSerializer` here, so relations and date
fields built from models get these checks without naming them.
"""

import math

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from rest_framework import relations, serializers
from rest_framework.exceptions import NotFound

from core.api.ranges import DATE_MAX, DATE_MIN, out_of_range, pk_range
from core.scope import visible, within_scope

_DATE_REASON = f"日期须在{DATE_MIN:%Y-%m-%d}至{DATE_MAX:%Y-%m-%d}之间。"


def request_user(field):
    """The user a field validates for: the request's, from the serializer context."""
    request = field.context.get("request")
    if request is None:
        raise ImproperlyConfigured(
            f"{type(field.root).__name__}.{field.field_name or field.parent.field_name}: "
            "pass context={'request': request} so the ids it accepts are scoped.")
    return request.user


class PrimaryKeyRelatedField(relations.PrimaryKeyRelatedField):
    """A relation whose choices are the related rows the requesting user may see.

    `unscoped="reason"` is for a related model without a row scope (a shared lookup
    table); core/tests/test_write_scope.py lists every such field with its reason.
    """

    def __init__(self, *, unscoped: str = "", **kwargs):
        self.unscoped = unscoped
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset is None or self.unscoped:
            return queryset
        return within_scope(queryset, request_user(self))

    def to_internal_value(self, data):
        if self.pk_field is None:
            if isinstance(data, float) and not math.isfinite(data):
                self.fail("incorrect_type", data_type=type(data).__name__)
            queryset = self.get_queryset()
            if queryset is not None and out_of_range(data, *pk_range(queryset.model)):
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """The id of a `model` row the user may see, given as a plain integer.

    The view fetches the row itself (and may check more, e.g. that a milestone belongs to
    the project). An id outside `visible_to(user)` is refused here already, as one that
    names no row: 400, or 404 with `as_url_id=True` for the id that names what the request
    is about (the project a report is filed for), as the same id in a URL would be.
    """

    default_error_messages = {"does_not_exist": "{name}“{pk}”不存在或无权查看。"}

    def __init__(self, model, *, as_url_id: bool = False, **kwargs):
        self.model, self.as_url_id = model, as_url_id
        lo, hi = pk_range(model)
        kwargs.setdefault("min_value", max(lo or 1, 1))
        if hi is not None:
            kwargs.setdefault("max_value", hi)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)
        if pk is None or visible(self.model, request_user(self)).filter(pk=pk).exists():
            return pk
        name = self.model._meta.verbose_name
        if self.as_url_id:
            raise NotFound(f"{name}不存在或无权查看。")
        self.fail("does_not_exist", name=name, pk=pk)


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
