"""Office maintenance of the city-management base data. Cases and their timelines are
read-only here: every change of a case goes through cases.actions (pages come later)."""

from django.contrib import admin

from cases import actions
from cases.models import (
    Case,
    CaseEvent,
    CasePause,
    CaseType,
    CaseTypeVersion,
    Component,
    ExtensionRequest,
    Grid,
    Road,
    RoadChief,
    RoadSegment,
)
from core.admin import CapabilityAdmin, CapabilityInline
from core.models import WorkdayOverride
from org.roles import Cap

# The desk is the office for now (cases.permissions.DESK_ROLES hold MANAGE_PROJECTS).
DESK_CAP = Cap.MANAGE_PROJECTS


@admin.register(Grid)
class GridAdmin(CapabilityAdmin):
    manage_cap = DESK_CAP
    list_display = ("code", "name", "street_unit", "community_unit")
    search_fields = ("code", "name")


class RoadChiefInline(CapabilityInline):
    manage_cap = DESK_CAP
    model = RoadChief
    fields = ("level", "person")
    extra = 0


@admin.register(Road)
class RoadAdmin(CapabilityAdmin):
    manage_cap = DESK_CAP
    list_display = ("name", "sort_order")
    search_fields = ("name",)


@admin.register(RoadSegment)
class RoadSegmentAdmin(CapabilityAdmin):
    manage_cap = DESK_CAP
    list_display = ("road", "order", "start_name", "end_name")
    inlines = [RoadChiefInline]


@admin.register(Component)
class ComponentAdmin(CapabilityAdmin):
    manage_cap = DESK_CAP
    list_display = ("code", "type_code", "name", "owner_unit", "state")
    search_fields = ("code", "name")
    list_filter = ("state",)


@admin.register(CaseType)
class CaseTypeAdmin(CapabilityAdmin):
    manage_cap = DESK_CAP
    list_display = ("kind", "major_code", "major_name", "minor_code", "minor_name", "group",
                    "active")
    list_filter = ("kind", "group", "active")
    search_fields = ("major_name", "minor_name")


@admin.register(CaseTypeVersion)
class CaseTypeVersionAdmin(CapabilityAdmin):
    """A version is never edited: adding one here is the office's edit of the type."""

    manage_cap = DESK_CAP
    list_display = ("case_type", "number", "normal_amount", "normal_unit", "urgent_amount",
                    "urgent_unit", "owner_first")
    exclude = ("number",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data
                  if name != "case_type"}
        saved = actions.do_new_type_version(form.cleaned_data["case_type"],
                                            acting_user=request.user, **fields)
        obj.pk = saved.pk


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(CapabilityAdmin):
    """工作日调整: the office enters a year's 放假安排 (days off and 调休 working days) when
    chinesecalendar does not have it yet, or corrects a day. The case clocks use it within
    a minute (core.workdays); archive a row to withdraw it."""

    manage_cap = DESK_CAP
    list_display = ("date", "is_workday", "note", "archived_at")
    list_filter = ("is_workday",)
    search_fields = ("note",)
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        from zoneinfo import ZoneInfo

        from django.contrib import messages
        from django.utils import timezone

        from core import workdays

        today = timezone.localdate(timezone=ZoneInfo("Asia/Shanghai"))
        warning = workdays.calendar_coverage_warning(today)
        if warning and request.method == "GET":
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


class _ReadOnlyAdmin(CapabilityAdmin):
    manage_cap = ""
    view_caps = (DESK_CAP,)


@admin.register(Case)
class CaseAdmin(_ReadOnlyAdmin):
    list_display = ("number", "type_version", "state", "urgency", "source", "handling_unit",
                    "deadline_at")
    list_filter = ("state", "urgency", "source")
    search_fields = ("number",)


@admin.register(CaseEvent)
class CaseEventAdmin(_ReadOnlyAdmin):
    list_display = ("case", "kind", "from_state", "to_state", "at")
    list_filter = ("kind",)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(_ReadOnlyAdmin):
    list_display = ("case", "amount", "unit", "status", "decided_at")


@admin.register(CasePause)
class CasePauseAdmin(_ReadOnlyAdmin):
    list_display = ("case", "kind", "start", "end")
