"""报送情况: the office's unit × period matrix of a plan, with 催报 per unit."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.scope import get_for_user
from core.views import CapabilityRequiredMixin
from org.models import Unit
from org.roles import Cap
from plans.models import Plan
from projects import actions, engine, matrix, periods
from projects.models import Project

# A window longer than this many periods is cut (a year of weekly columns is 53).
MAX_PERIODS = 60


class MatrixForm(forms.Form):
    # A choice among the plans the user sees (not a model field: nothing is written to it).
    plan = forms.TypedChoiceField(label="计划", coerce=int)
    start = forms.DateField(label="截止日自", required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end = forms.DateField(label="截止日至", required=False,
                          widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {plan.pk: plan for plan in plans}
        self.fields["plan"].choices = [(pk, plan.name) for pk, plan in self.plans.items()]
        if self.plans:
            self.fields["plan"].initial = next(iter(self.plans))

    def clean_plan(self):
        return self.plans[self.cleaned_data["plan"]]

    def first_plan(self):
        return next(iter(self.plans.values()), None)


def _plans(user):
    """Plans with projects the user sees."""
    visible = Project.objects.visible_to(user).values("plan_id")
    return Plan.objects.active().filter(pk__in=visible)


def _window(form, now):
    """(plan, reporting, periods) the form asks for; the last due periods by default."""
    data = form.cleaned_data if form.is_valid() else {}
    plan = data.get("plan") or form.first_plan()
    if plan is None:
        return None, None, []
    reporting = engine.reporting_for(plan)
    start, end = data.get("start"), data.get("end")
    if not start and not end:
        return plan, reporting, matrix.default_periods(reporting, now)
    end = end or periods.last_closed(reporting, now).due_day
    start = start or end - timedelta(days=reporting.cycle_days * (matrix.DEFAULT_PERIODS - 1))
    return plan, reporting, periods.periods_due(reporting, start, end)[-MAX_PERIODS:]


class MatrixView(CapabilityRequiredMixin, View):
    required_cap = Cap.MANAGE_PROJECTS

    def get(self, request):
        now = timezone.now()
        form = MatrixForm(request.GET or None, plans=_plans(request.user))
        plan, reporting, period_list = _window(form, now)
        table = None
        if plan is not None:
            projects = Project.objects.visible_to(request.user).filter(plan=plan)
            table = matrix.build_matrix(projects, reporting, period_list, now)
            if not form.is_bound and period_list:  # say which window the default shows
                form.initial.update(start=period_list[0].due_day, end=period_list[-1].due_day)
        return render(request, "projects/matrix.html", {
            "form": form, "plan": plan, "matrix": table, "states": matrix.CellState,
            # 催报 asks about exactly the window shown (its first and last due days).
            "window": (period_list[0].due_day.isoformat(), period_list[-1].due_day.isoformat())
            if period_list else None,
            "owed_states": [s.value for s in matrix.OWED]})


class MatrixRemindView(CapabilityRequiredMixin, View):
    """催报 one unit about the owed periods of the window shown."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, unit_pk):
        unit = get_for_user(Unit, request.user, unit_pk)
        form = MatrixForm(request.POST, plans=_plans(request.user))
        if not form.is_valid():
            raise Http404("计划不存在。")
        plan, _, period_list = _window(form, timezone.now())
        told = actions.do_remind_unit(unit, period_list, acting_user=request.user, plan=plan)
        if told:
            messages.success(request, f"催报已发送给{unit.name}的{told}名人员。")
        else:
            messages.info(request, f"没有发出新的提醒：{unit.name}在所选周期没有欠报项目、"
                                   "已就这些周期提醒过，或没有可接收提醒的账号。")
        query = urlencode({k: request.POST[k] for k in ("plan", "start", "end")
                           if request.POST.get(k)})
        return redirect(f"{reverse('projects:matrix')}?{query}")
