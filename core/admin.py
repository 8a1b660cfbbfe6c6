"""Admin-site base: access by role capability, archive instead of delete, and no
filtering, searching or sorting by personal data."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F

# Fields holding personal data or secrets, by model label. The admin masks or hides their
# values, but a filter, a search or a sort answers "does the number start with 138123?"
# and ~40 such answers recover a full phone number past the masking and the audited
# reveal. So no admin filters, searches or sorts by them — directly or through a relation
# (person__phone, unit__people__phone) — whoever asks, the full-phone right included.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "org.Person": frozenset({"phone"}),
    "org.User": frozenset({"email", "password"}),
    "core.AuditEvent": frozenset({"ip"}),
    "authtoken.Token": frozenset({"key"}),
    "notify.NotifySetting": frozenset({"webhook_url", "webhook_secret"}),
}


def touches_personal_field(model, path: str) -> bool:
    """Whether the lookup or ordering `path` (e.g. "person__phone__startswith") reaches a
    field of PERSONAL_FIELDS, following relations both ways."""
    for part in path.lstrip("-").split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or lookup (startswith, year): the path ends here
        if field.name in PERSONAL_FIELDS.get(model._meta.label, ()):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def _ordering_paths(order_field) -> list[str]:
    """The field paths an admin_order_field sorts by: a name, or the F()s of an expression."""
    if isinstance(order_field, str):
        return [order_field]
    return [e.name for e in order_field.flatten() if isinstance(e, F)]


class GuardedChangeList(ChangeList):
    """A change list whose ?o= cannot sort by personal data (ordering leaks by rank)."""

    def get_ordering_field(self, field_name):
        order_field = super().get_ordering_field(field_name)
        if order_field and any(touches_personal_field(self.model, p)
                               for p in _ordering_paths(order_field)):
            return None
        return order_field


class CapabilityAdmin(admin.ModelAdmin):
    """A ModelAdmin opened to roles holding `manage_cap`; nobody may delete."""

    manage_cap: str = ""
    view_caps: tuple[str, ...] = ()

    def _may(self, request, caps) -> bool:
        user = request.user
        return user.is_active and any(user.has_cap(c) for c in caps if c)

    def lookup_allowed(self, lookup, value, request=None):
        # Django allows any lookup on a local field (?phone__startswith=138): not these.
        if touches_personal_field(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        return [f for f in super().get_search_fields(request)
                if not touches_personal_field(self.model, f.lstrip("^=@"))]

    def get_list_filter(self, request):
        return [f for f in super().get_list_filter(request)
                if not (isinstance(f, str | tuple | list)
                        and touches_personal_field(self.model, f if isinstance(f, str) else f[0]))]

    def get_ordering(self, request):
        return [o for o in super().get_ordering(request) or ()
                if not any(touches_personal_field(self.model, p) for p in _ordering_paths(o))]

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def get_sortable_by(self, request):
        # Headers GuardedChangeList would not sort by are not offered as sortable.
        return [name for name in super().get_sortable_by(request)
                if not self._sorts_by_personal_data(name)]

    def _sorts_by_personal_data(self, name) -> bool:
        attr = name if callable(name) else getattr(self, name, getattr(self.model, name, None))
        attr = getattr(attr, "fget", attr)  # a property's getter carries admin_order_field
        order_field = getattr(attr, "admin_order_field", None)
        if order_field is None:
            order_field = name if isinstance(name, str) else ""
        return any(touches_personal_field(self.model, p) for p in _ordering_paths(order_field))

    def has_module_permission(self, request):
        return self._may(request, (self.manage_cap, *self.view_caps))

    def has_view_permission(self, request, obj=None):
        return self._may(request, (self.manage_cap, *self.view_caps))

    def has_add_permission(self, request):
        return self._may(request, (self.manage_cap,))

    def has_change_permission(self, request, obj=None):
        return self._may(request, (self.manage_cap,))

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="归档所选记录")
    def archive_selected(self, request, queryset):
        for obj in queryset:
            obj.archive()
        messages.success(request, f"已归档 {queryset.count()} 条记录。")

    @admin.action(description="恢复所选记录")
    def restore_selected(self, request, queryset):
        for obj in queryset:
            obj.restore()

    actions = ["archive_selected", "restore_selected"]


class CapabilityInline(admin.TabularInline):
    """An inline editable by roles holding `manage_cap`; rows are never deleted here."""

    manage_cap: str = ""
    extra = 0

    def _may(self, request) -> bool:
        return request.user.has_cap(self.manage_cap)

    def has_add_permission(self, request, obj=None):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return False
