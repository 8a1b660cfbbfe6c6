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

from core.api.ranges import DATE_MAX, DATE_MIN
from core.dates import cn_date
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin
from org.models import Unit
from org.roles import Cap
from plans.models import Plan
from projects import actions, engine, matrix, periods
from projects.models import Project

# The most columns one page shows (a year of weekly columns is 53); a longer window is
# refused, not cut, so the page never shows less than it says.
MAX_PERIODS = 60


class MatrixForm(forms.Form):
    # A choice among the plans the user sees (not a model field: nothing is written to it).
    plan = forms.TypedChoiceField(label="计划", coerce=int, required=False, empty_value=None)
    start = forms.DateField(label="截止日自", required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end = forms.DateField(label="截止日至", required=False,
                          widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, plans, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now
        self.plans = {plan.pk: plan for plan in plans}
        self.fields["plan"].choices = [(pk, plan.name) for pk, plan in self.plans.items()]
        if self.plans:
            self.fields["plan"].initial = next(iter(self.plans))

    def clean_plan(self):
        """The chosen plan; the first one the user sees when none is chosen."""
        pk = self.cleaned_data["plan"]
        return self.first_plan() if pk is None else self.plans[pk]

    def _within_bounds(self, field):
        # Far from year 1 and 9999, where the calendar's date arithmetic overflows.
        day = self.cleaned_data.get(field)
        if day is not None and not DATE_MIN <= day <= DATE_MAX:
            raise forms.ValidationError(f"日期须在{cn_date(DATE_MIN)}至{cn_date(DATE_MAX)}之间。")
        return day

    def clean_start(self):
        return self._within_bounds("start")

    def clean_end(self):
        return self._within_bounds("end")

    def clean(self):
        """Resolve the window into `periods` (and `reporting`): the last due periods by
        default, else the periods due between the two days, at most MAX_PERIODS of them."""
        data = super().clean()
        if self.errors:
            return data
        plan = data["plan"]
        if plan is None:  # no plan to show at all
            data["reporting"], data["periods"] = None, []
            return data
        reporting = data["reporting"] = engine.reporting_for(plan)
        start, end = data.get("start"), data.get("end")
        if not start and not end:
            data["periods"] = matrix.default_periods(reporting, self.now)
            return data
        end = end or periods.last_closed(reporting, self.now).due_day
        start = start or end - timedelta(days=reporting.cycle_days * (matrix.DEFAULT_PERIODS - 1))
        if start > end:
            raise forms.ValidationError("“截止日自”不能晚于“截止日至”。")
        too_long = forms.ValidationError(
            f"所选日期范围太长：一次最多查看{MAX_PERIODS}个填报周期（该计划每{reporting.cycle_days}"
            "天一期），请缩短日期范围。")
        # Counted before the periods are listed: a window can hold at most one more period
        # than whole cycles fit in it.
        if (end - start).days // reporting.cycle_days > MAX_PERIODS:
            raise too_long
        data["periods"] = periods.periods_due(reporting, start, end)
        if len(data["periods"]) > MAX_PERIODS:
            raise too_long
        return data

    def first_plan(self):
        return next(iter(self.plans.values()), None)


def _plans(user):
    """Plans with projects the user sees."""
    visible = Project.objects.visible_to(user).values("plan_id")
    return Plan.objects.active().filter(pk__in=visible)


def _window(form):
    """(plan, reporting, periods) the form asks for; with no form data, the first plan's
    last due periods."""
    if form.is_bound:
        data = form.cleaned_data
        return data["plan"], data["reporting"], data["periods"]
    plan = form.first_plan()
    if plan is None:
        return None, None, []
    reporting = engine.reporting_for(plan)
    return plan, reporting, matrix.default_periods(reporting, form.now)


def _page(request, form, status=200):
    """The page for a form; one with errors (a window out of bounds) shows them, no table."""
    plan, table, period_list = None, None, []
    if not form.errors:
        plan, reporting, period_list = _window(form)
        if plan is not None:
            projects = Project.objects.visible_to(request.user).filter(plan=plan)
            table = matrix.build_matrix(projects, reporting, period_list, form.now)
            if not form.is_bound and period_list:  # say which window the default shows
                form.initial.update(start=period_list[0].due_day, end=period_list[-1].due_day)
    return render(request, "projects/matrix.html", {
        "form": form, "plan": plan, "matrix": table, "states": matrix.CellState,
        # 催报 asks about exactly the window shown (its first and last due days).
        "window": (period_list[0].due_day.isoformat(), period_list[-1].due_day.isoformat())
        if period_list else None,
        "owed_states": [s.value for s in matrix.OWED]}, status=status)


class MatrixView(CapabilityRequiredMixin, View):
    required_cap = Cap.MANAGE_PROJECTS

    def get(self, request):
        form = MatrixForm(request.GET or None, plans=_plans(request.user), now=timezone.now())
        return _page(request, form, status=400 if form.errors else 200)


class MatrixRemindView(CapabilityRequiredMixin, View):
    """催报 one unit about the owed periods of the window shown."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, unit_pk):
        unit = get_for_user(Unit, request.user, unit_pk)
        form = MatrixForm(request.POST, plans=_plans(request.user), now=timezone.now())
        if "plan" in form.errors or (not form.errors and form.cleaned_data["plan"] is None):
            raise Http404("计划不存在。")
        if form.errors:  # a window out of bounds: the page, saying why
            return _page(request, form, status=400)
        plan, _, period_list = _window(form)
        told = actions.do_remind_unit(unit, period_list, acting_user=request.user, plan=plan)
        if told:
            messages.success(request, f"催报已发送给{unit.name}的{told}名人员。")
        else:
            messages.info(request, f"没有发出新的提醒：{unit.name}在所选周期没有欠报项目、"
                                   "已就这些周期提醒过，或没有可接收提醒的账号。")
        query = urlencode({k: request.POST[k] for k in ("plan", "start", "end")
                           if request.POST.get(k)})
        return redirect(f"{reverse('projects:matrix')}?{query}")
