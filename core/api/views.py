from django.utils.cache import add_never_cache_headers
from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from core.api.ranges import as_int, out_of_range, pk_range
from core.audit import record_audit
from core.choices import AuditEventType
from core.scope import get_for_user, visible


def check_pk(model, pk, message=None):
    """The id in a URL as an int; one that is no integer, or one the database cannot hold,
    names no row: 404 with a reason before any query."""
    number = as_int(pk)
    if number is None or out_of_range(number, *pk_range(model)):
        raise NotFound(message or f"{model._meta.verbose_name}不存在或无权查看。")
    return number


def audit_list_read(request, model, data) -> None:
    """Record one page of an API list read in the audit trail, as an export.

    The rule: every successful list read is audited (any page, any limit); reading one
    row by id is not. The browser's pages and map never call /api/ (the map polls
    /maps/data/…), so these are scripts and integrations — bulk reads, which 等保 wants
    traceable — and the audit table grows by one row per page they fetch.
    """
    rows = data.get("results", []) if isinstance(data, dict) else data
    matched = data.get("count") if isinstance(data, dict) else len(rows)
    record_audit(AuditEventType.EXPORT, request=request, what="接口列表读取",
                 model=model._meta.label, path=request.path,
                 query=request.GET.urlencode()[:500], returned=len(rows), matched=matched)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only endpoint whose rows always come from Model.objects.visible_to(user).

    List reads are audited (audit_list_read); `personal_data = True` marks an endpoint
    whose answers carry personal data: they are sent with Cache-Control: no-store.
    """

    model = None
    personal_data = False
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

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            audit_list_read(request, self.model, response.data)
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.personal_data:
            add_never_cache_headers(response)
        return response
