from django.contrib import admin

from core.admin import CapabilityAdmin
from geo.models import LandUseRule, Layer


@admin.register(Layer)
class LayerAdmin(CapabilityAdmin):
    """Names, kinds, styles and publicity of layers; features come only from imports."""

    manage_cap = "manage_projects"
    list_display = ("name", "kind", "is_public", "current_version")
    readonly_fields = ("current_version",)
    actions = []  # layers are not archived; a new import makes a new version


@admin.register(LandUseRule)
class LandUseRuleAdmin(CapabilityAdmin):
    """用地兼容规则: which 用地性质 allow which project categories (used by conformity)."""

    manage_cap = "manage_projects"
    list_display = ("land_use", "category_code", "allowed", "note")
    list_filter = ("allowed", "category_code")
    list_editable = ("allowed",)
    actions = []

    def delete_queryset(self, request, queryset):  # rules are data the office may remove
        queryset.delete()

    def has_delete_permission(self, request, obj=None):
        return request.user.has_cap(self.manage_cap)
