from django.contrib import admin

from core.admin import CapabilityAdmin
from org.roles import Cap
from plans.models import Category, CoreDistrict, Plan, Programme, Task


class _TaxonomyInline(admin.TabularInline):
    extra = 0
    fields = ("code", "name", "description", "sort_order")

    def has_delete_permission(self, request, obj=None):
        return False

    def _may(self, request):
        return request.user.has_cap(Cap.MANAGE_PLANS)

    def has_add_permission(self, request, obj=None):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)


class CategoryInline(_TaxonomyInline):
    model = Category


class TaskInline(_TaxonomyInline):
    model = Task


class ProgrammeInline(_TaxonomyInline):
    model = Programme


@admin.register(Plan)
class PlanAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_PLANS
    list_display = ("name", "kind", "start_year", "end_year", "status")
    inlines = [CategoryInline, TaskInline, ProgrammeInline]


@admin.register(CoreDistrict)
class CoreDistrictAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_PLANS
    list_display = ("name", "area_km2", "lead_unit", "plan")
    readonly_fields = ("area_km2", "min_lon", "min_lat", "max_lon", "max_lat")
