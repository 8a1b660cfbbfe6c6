"""Shared base views: every list and detail page reads through visible_to()."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.generic import DetailView, ListView

from core.choices import AuditEventType
from core.home import panels_for
from core.models import AuditEvent, ObjectChange
from core.scope import get_for_user, visible


def user_may(user, cap) -> bool:
    return bool(getattr(user, "has_cap", None)) and user.has_cap(cap)


class CapabilityRequiredMixin:
    """Refuse the page (403) unless the user's role has `required_cap`."""

    required_cap: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.required_cap and not user_may(request.user, self.required_cap):
            raise PermissionDenied("当前角色无权访问该页面。")
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(CapabilityRequiredMixin, ListView):
    """A filtered, paginated list of what the user may see.

    `filterset_class` is the same FilterSet the API uses, so a page and its
    endpoint accept the same query string.
    """

    filterset_class = None
    paginate_by = 50
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = visible(self.model, self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET, queryset=qs,
                                                  request=self.request)
            qs = self.filterset.qs if self.filterset.is_valid() else qs.none()
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_without_page"] = query.urlencode()
        page = ctx.get("page_obj")
        ctx["row_offset"] = page.start_index() - 1 if page else 0
        return ctx


class ScopedDetailView(CapabilityRequiredMixin, DetailView):
    def get_object(self, queryset=None):
        return get_for_user(self.model, self.request.user, self.kwargs["pk"])


class HistoryView(ScopedDetailView):
    """The history tab of any tracked object: who changed what, when, from where."""

    template_name = "core/history.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=self.object.pk,
        ).select_related("content_type")
        ctx["page_obj"] = Paginator(changes, 50).get_page(self.request.GET.get("page"))
        ctx["tab"] = "history"
        return ctx


def healthz(request):
    """Liveness for the reverse proxy: the process runs and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request):
    """One home page; its panels depend on the role (see core.home)."""
    return render(request, "core/home.html", {"panels": panels_for(request.user)})


class AuditLogView(CapabilityRequiredMixin, ListView):
    """The audit administrator's reader. There is no edit or delete anywhere."""

    required_cap = "view_audit"
    template_name = "core/audit_log.html"
    paginate_by = 100

    def get_queryset(self):
        qs = AuditEvent.objects.all()
        event = self.request.GET.get("event")
        if event in AuditEventType.values:
            qs = qs.filter(event_type=event)
        if username := self.request.GET.get("username", "").strip():
            qs = qs.filter(username__icontains=username)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["event_choices"] = AuditEventType.choices
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_without_page"] = query.urlencode()
        return ctx
