"""Admin-site base: access by role capability, archive instead of delete."""

from django.contrib import admin, messages


class CapabilityAdmin(admin.ModelAdmin):
    """A ModelAdmin opened to roles holding `manage_cap`; nobody may delete."""

    manage_cap: str = ""
    view_caps: tuple[str, ...] = ()

    def _may(self, request, caps) -> bool:
        user = request.user
        return user.is_active and any(user.has_cap(c) for c in caps if c)

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
