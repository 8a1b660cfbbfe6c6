from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from core.api.ranges import as_int, out_of_range, pk_range
from core.scope import get_for_user, visible


def check_pk(model, pk, message=None):
    """The id in a URL as an int; one that is no integer, or one the database cannot hold,
    names no row: 404 with a reason before any query."""
    number = as_int(pk)
    if number is None or out_of_range(number, *pk_range(model)):
        raise NotFound(message or f"{model._meta.verbose_name}不存在或无权查看。")
    return number


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only endpoint whose rows always come from Model.objects.visible_to(user)."""

    model = None
    # Any path segment reaches get_object, which answers a JSON 404 with a reason for
    # whatever is not an id (Django's own 404 page would carry none).
    lookup_value_regex = r"[^/]+"
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = visible(self.model, self.request.user)
        return qs.select_related(*self.select_related) if self.select_related else qs

    def get_object(self):
        obj = get_for_user(self.model, self.request.user, check_pk(self.model, self.kwargs["pk"]))
        self.check_object_permissions(self.request, obj)
        return obj
