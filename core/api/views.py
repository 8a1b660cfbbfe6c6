from rest_framework import viewsets

from core.scope import get_for_user, visible


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only endpoint whose rows always come from Model.objects.visible_to(user)."""

    model = None
    lookup_value_regex = r"\d+"
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = visible(self.model, self.request.user)
        return qs.select_related(*self.select_related) if self.select_related else qs

    def get_object(self):
        obj = get_for_user(self.model, self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj
