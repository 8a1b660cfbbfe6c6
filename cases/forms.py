"""Forms of the case pages: the list filters (desk, unit, map and export share them) and one
small form per step button. The forms only read input; every step is a do_* in
cases/actions.py."""

import django_filters
from django import forms
from django.db.models import Q

from cases.choices import CaseSource, CaseState, LimitUnit, Urgency
from cases.models import Case, CaseType
from core.api.filters import FilterSet
from core.forms import MultiplePhotoField, ScopedChoicesMixin
from org.choices import Role
from org.models import Unit, User

MAX_PHOTOS = 9  # a phone's picker shows nine at a time
REASON_MAX = 500


def date_input():
    """A browser date picker (it accepts only an ISO value)."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class CaseFilterSet(FilterSet):
    """The case list's filters: the desk's tabs, the unit's list, the map and the export
    read the same query string."""

    q = django_filters.CharFilter(label="关键字", method="search")
    state = django_filters.ChoiceFilter(label="状态", choices=CaseState.choices, null_label=None)
    case_type = django_filters.ModelChoiceFilter(
        label="案件类型", field_name="type_version__case_type",
        queryset=CaseType.objects.active().filter(active=True), null_label=None)
    unit = django_filters.ModelChoiceFilter(label="处置单位", field_name="handling_unit",
                                            queryset=Unit.objects.active(), null_label="未派遣")
    # A code prefix, not a select: a city has thousands of grids, and a 12-digit prefix
    # picks a community's, a 9-digit one a street's.
    grid = django_filters.CharFilter(label="网格编码", method="filter_grid")
    source = django_filters.ChoiceFilter(label="来源", choices=CaseSource.choices,
                                         null_label=None)
    urgency = django_filters.ChoiceFilter(label="紧急程度", choices=Urgency.choices,
                                          null_label=None)
    date_from = django_filters.DateFilter(label="上报日期起", field_name="reported_at",
                                          lookup_expr="date__gte", widget=date_input())
    date_to = django_filters.DateFilter(label="上报日期止", field_name="reported_at",
                                        lookup_expr="date__lte", widget=date_input())

    class Meta:
        model = Case
        fields = ["q", "state", "case_type", "unit", "grid", "source", "urgency", "date_from",
                  "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(description__icontains=value)
                               | Q(address__icontains=value))

    def filter_grid(self, queryset, name, value):
        value = value.strip()
        if not value.isdigit() or len(value) > 15:
            # A typo is "nothing found", said by the empty list, never a 500.
            return queryset.none()
        return queryset.filter(grid__code__startswith=value)


class UnitCaseFilterSet(CaseFilterSet):
    """The unit's own list: every case is its own, so no 处置单位 filter."""

    class Meta(CaseFilterSet.Meta):
        fields = [name for name in CaseFilterSet.Meta.fields if name != "unit"]

    unit = None


# --- step forms --------------------------------------------------------------------------


class ConfirmForm(forms.Form):
    """A step with nothing to fill in (签收)."""


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写理由。"})


class SuperviseForm(forms.Form):
    note = forms.CharField(label="督办意见", max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "请填写督办意见。"})


class DuplicateForm(forms.Form):
    """并案: the open case this report repeats (the page offers the nearby ones)."""

    of = forms.IntegerField(label="并入案件", min_value=1, max_value=2**62,
                            error_messages={"required": "请选择要并入的案件。"})
    note = forms.CharField(label="说明", required=False, max_length=REASON_MAX)


class UnitChoiceForm(ScopedChoicesMixin, forms.Form):
    """派遣/改派: a unit. Left empty on 派遣, the routing proposal is taken."""

    unit = forms.ModelChoiceField(label="处置单位", queryset=Unit.objects.active(),
                                  required=False)
    note = forms.CharField(label="说明", required=False, max_length=REASON_MAX)

    def __init__(self, *args, unit_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if unit_required:
            self.fields["unit"].required = True
            self.fields["unit"].error_messages["required"] = "请选择处置单位。"


class InspectorField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        return f"{name}（{obj.unit.name}）" if obj.unit_id else name


class SendCheckForm(ScopedChoicesMixin, forms.Form):
    inspector = InspectorField(
        label="核查监督员", required=False, empty_label="（上报的监督员）",
        queryset=User.objects.filter(role=Role.INSPECTOR, is_active=True)
        .select_related("unit").order_by("username"))
    # The account directory is scoped to those who manage accounts, which the desk does
    # not; it picks among active inspectors only (narrowed here, checked again by
    # do_send_check), and sees no more of them than their names and units.
    inspector.unscoped = "派发核查: the desk picks an active inspector; do_send_check checks the role"


class PositionMixin(forms.Form):
    """Where the phone was when the step was taken (filled by cases_desk.js when allowed)."""

    lon = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90,
                           widget=forms.HiddenInput)


class HandleForm(PositionMixin):
    photos = MultiplePhotoField(label="处置后照片", required=True, max_files=MAX_PHOTOS,
                                error_messages={"required": "处置须上传处置后照片。"})
    note = forms.CharField(label="处置说明", required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(PositionMixin):
    reason = forms.CharField(label="回退理由", max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写回退理由。"})


class CheckForm(PositionMixin):
    passed = forms.TypedChoiceField(label="核查结果", choices=[("1", "通过"), ("0", "不通过")],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    photos = MultiplePhotoField(label="核查照片", required=True, max_files=MAX_PHOTOS,
                                error_messages={"required": "核查须上传现场照片。"})
    note = forms.CharField(label="核查说明", required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(forms.Form):
    amount = forms.IntegerField(label="延长时限", min_value=1, max_value=999)
    unit = forms.ChoiceField(label="单位", choices=LimitUnit.choices, initial=LimitUnit.DAY)
    reason = forms.CharField(label="延期理由", max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写延期理由。"})


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批", choices=[("1", "批准"), ("0", "不予批准")],
                                     coerce=lambda v: v == "1")
    note = forms.CharField(label="审批意见", required=False, max_length=REASON_MAX)


def errors_text(form) -> str:
    """A form's errors as one Chinese sentence for a message on the page."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = "；".join(errors)
        parts.append(f"{label}：{text}" if label and not text.startswith("请") else text)
    return "；".join(parts)
