from django.contrib import admin

from core.admin import CapabilityAdmin
from org.roles import Cap
from projects import actions
from projects.models import PlanReporting, Project, StatusRuleSet


@admin.register(StatusRuleSet)
class StatusRuleSetAdmin(CapabilityAdmin):
    """Rules are data; saving recomputes every project that uses the rule set."""

    manage_cap = Cap.MANAGE_PROJECTS
    list_display = ("name", "preset", "milestone_red_days", "investment_mode",
                    "investment_yellow", "investment_red", "report_red_periods")

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            actions.do_update_rule_set(obj, acting_user=request.user, **fields)
        else:
            obj.save()


@admin.register(PlanReporting)
class PlanReportingAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_PROJECTS
    list_display = ("plan", "cycle_days", "deadline_offset_days", "deadline_time", "rule_set")

    def save_model(self, request, obj, form, change):
        obj.save()
        if "rule_set" in form.changed_data:
            actions.do_set_plan_rules(obj, obj.rule_set, acting_user=request.user)


@admin.register(Project)
class ProjectAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_PROJECTS
    list_display = ("code", "name", "lead_unit", "stage", "total_investment")
    list_filter = ("stage", "category")
    search_fields = ("code", "name")
    readonly_fields = ("code",)
    autocomplete_fields = ("lead_unit", "responsible_person", "leader", "cooperating_units")
    exclude = ("geometry",)

    def get_queryset(self, request):
        return Project.objects.visible_to(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name != "cooperating_units"}
        if change:
            actions.do_update_project(obj, acting_user=request.user, **fields)
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "cooperating_units"}
            created = actions.do_create_project(acting_user=request.user, **data)
            obj.pk, obj.code = created.pk, created.code
