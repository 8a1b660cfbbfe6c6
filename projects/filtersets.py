import django_filters
from django import forms
from django.db.models import Q

from core.api.filters import FilterSet, OrderingFilter
from org.models import CityLeader, Unit
from plans.models import Category, CoreDistrict, Plan, Task
from projects.anomalies import Flag
from projects.choices import Colour, Stage
from projects.models import ProgressReport, Project


class ProjectFilterSet(FilterSet):
    """The ledger's filters: the list page, the API, the Excel export and the map share it."""

    q = django_filters.CharFilter(label="关键字", method="search")
    plan = django_filters.ModelChoiceFilter(label="计划", queryset=Plan.objects.active())
    category = django_filters.ModelChoiceFilter(label="类别", queryset=Category.objects.active())
    task = django_filters.ModelChoiceFilter(label="建设任务", queryset=Task.objects.active())
    core_district = django_filters.ModelChoiceFilter(label="核心板块",
                                                     queryset=CoreDistrict.objects.active())
    lead_unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=Unit.objects.active())
    leader = django_filters.ModelChoiceFilter(
        label="分包领导", queryset=CityLeader.objects.active().select_related("person"))
    stage = django_filters.ChoiceFilter(label="阶段", choices=Stage.choices)
    colour = django_filters.ChoiceFilter(label="亮灯", choices=Colour.choices,
                                         field_name="status__overall")
    special_team = django_filters.ChoiceFilter(label="专班推进", choices=[("1", "是"), ("0", "否")],
                                               method="filter_special_team")
    ordering = OrderingFilter(
        label="排序",
        fields=(("code", "code"), ("name", "name"), ("total_investment", "total_investment"),
                ("start_date", "start_date")),
        field_labels={"code": "项目编号", "name": "项目名称", "total_investment": "总投资",
                      "start_date": "开工日期"},
    )

    class Meta:
        model = Project
        fields = ["q", "plan", "category", "task", "core_district", "lead_unit", "leader",
                  "stage", "colour", "special_team"]

    def filter_special_team(self, queryset, name, value):
        return queryset.filter(special_team=value == "1")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)
                               | Q(content__icontains=value)
                               | Q(lead_unit__name__icontains=value))


class ReportFilterSet(FilterSet):
    project = django_filters.NumberFilter(label="项目")
    period_start = django_filters.DateFilter(label="周期开始")

    class Meta:
        model = ProgressReport
        fields = ["project", "status", "period_start", "is_late"]


ANY_FLAG, NO_FLAG = "any", "none"


class ReviewFilterSet(FilterSet):
    """The review queue's filters: period, unit, plan and anomaly (projects/anomalies.py)."""

    period = django_filters.DateFilter(label="周期（含该日）", method="filter_period",
                                       widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    # Every project has a unit and a plan: no 未填 choice.
    unit = django_filters.ModelChoiceFilter(label="责任单位", field_name="project__lead_unit",
                                            queryset=Unit.objects.active(), null_label=None)
    plan = django_filters.ModelChoiceFilter(label="计划", field_name="project__plan",
                                            queryset=Plan.objects.active(), null_label=None)
    # Last: it reads the flags of what the other filters left.
    anomaly = django_filters.ChoiceFilter(
        label="异常", method="filter_anomaly", empty_label="全部", null_label=None,
        choices=[(ANY_FLAG, "有异常"), (NO_FLAG, "无异常"), *Flag.choices])

    class Meta:
        model = ProgressReport
        fields = ["period", "unit", "plan", "anomaly"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)

    def filter_anomaly(self, queryset, name, value):
        from projects.anomalies import flags_by_report

        flags = flags_by_report(queryset)
        if value == NO_FLAG:
            ids = [pk for pk, found in flags.items() if not found]
        elif value == ANY_FLAG:
            ids = [pk for pk, found in flags.items() if found]
        else:
            ids = [pk for pk, found in flags.items() if value in found]
        return queryset.filter(pk__in=ids)
