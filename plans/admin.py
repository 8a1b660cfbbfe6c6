from django.contrib import admin

from core.admin import CapabilityAdmin, CapabilityInline
from org.roles import Cap
from plans.models import Category, CoreDistrict, Plan, Programme, Task


class _TaxonomyInline(CapabilityInline):
    manage_cap = Cap.MANAGE_PLANS
    fields = ("code", "name", "description", "sort_order")


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
