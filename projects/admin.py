"""Office maintenance of the ledger. Every save goes through projects.actions, so
the admin records history, honours re-baselining and recomputes colours."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import CapabilityAdmin, CapabilityInline
from org.roles import Cap
from plans.choices import PlanStatus
from projects import actions
from projects.models import (
    Milestone,
    PlanReporting,
    ProcedureItem,
    Project,
    ProjectYearPlan,
    StatusRuleSet,
)


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


class _ManagedInline(CapabilityInline):
    manage_cap = Cap.MANAGE_PROJECTS


class YearPlanForm(forms.ModelForm):
    class Meta:
        model = ProjectYearPlan
        fields = ("year", "planned_investment")

    def clean(self):
        """The schedule is not on the form: give the instance the one do_set_year_plan will
        store (the old shape rescaled to the new total), so the model's own check of
        schedule against total passes instead of failing on a field the form lacks."""
        data = super().clean()
        amount = data.get("planned_investment")
        if amount is not None and self.instance.pk and self.instance.monthly_cumulative:
            self.instance.monthly_cumulative = [
                str(v) for v in actions.rescale_schedule(self.instance.schedule(), amount)]
        return data


class YearPlanInline(_ManagedInline):
    model = ProjectYearPlan
    form = YearPlanForm
    fields = ("year", "planned_investment")
    verbose_name_plural = "年度投资计划（新年度按月均匀分布；修改年度总额时按原序时比例缩放）"


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ("name", "planned_date", "weight")

    def clean_planned_date(self):
        value = self.cleaned_data["planned_date"]
        instance = self.instance
        if instance.pk and value != instance.planned_date and \
                instance.project.plan.status == PlanStatus.APPROVED:
            raise ValidationError("计划已批准，调整节点日期须由责任单位提交调整申请、办公室审批。")
        return value


class MilestoneInline(_ManagedInline):
    model = Milestone
    form = MilestoneForm
    fields = ("name", "planned_date", "weight")
    ordering = ("seq",)


class ProcedureInline(_ManagedInline):
    model = ProcedureItem
    fields = ("kind", "status", "required_by", "done_on", "document_no")


@admin.register(Project)
class ProjectAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_PROJECTS
    list_display = ("code", "name", "lead_unit", "stage", "total_investment")
    list_filter = ("stage", "category")
    search_fields = ("code", "name")
    readonly_fields = ("code",)
    autocomplete_fields = ("lead_unit", "responsible_person", "leader", "cooperating_units")
    exclude = ("problems",)
    inlines = [YearPlanInline, MilestoneInline, ProcedureInline]

    def get_queryset(self, request):
        return Project.objects.visible_to(request.user)

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k != "cooperating_units"}
        if change:
            changed = {k: data[k] for k in form.changed_data if k in data}
            actions.do_update_project(obj, acting_user=request.user, **changed)
        else:
            created = actions.do_create_project(acting_user=request.user, **data)
            obj.pk, obj.code, obj._state.adding = created.pk, created.code, False

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the actions too (history, re-baseline rule, colours)."""
        project = form.instance
        # The admin's change message reads these, normally set by formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            if formset.model is ProjectYearPlan:
                actions.do_set_year_plan(project, data["year"], data["planned_investment"],
                                         acting_user=request.user)
            elif formset.model is Milestone:
                self._save_milestone(request, project, inline_form)
            elif formset.model is ProcedureItem:
                actions.do_set_procedure(project, data["kind"], status=data["status"],
                                         required_by=data["required_by"],
                                         done_on=data["done_on"],
                                         document_no=data["document_no"],
                                         acting_user=request.user)

    def _save_milestone(self, request, project, inline_form):
        data, milestone = inline_form.cleaned_data, inline_form.instance
        if milestone.pk is None:
            actions.do_add_milestone(project, name=data["name"], planned_date=data["planned_date"],
                                     weight=data["weight"], acting_user=request.user)
            return
        if "planned_date" in inline_form.changed_data:
            actions.do_move_milestone(milestone, data["planned_date"], acting_user=request.user)
        milestone.name, milestone.weight = data["name"], data["weight"]
        milestone.save()
