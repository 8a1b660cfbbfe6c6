"""Forms of 阶段考评: the scheme editor (settings and items), new evaluations, 加减分.

The editor's checks are evaluation.validation's, the same the actions apply, so a page
shows each message beside its field instead of failing.
"""

from django import forms

from core.forms import ScopedChoicesMixin
from evaluation.choices import GROUPS, Fact, Formula, VersionStatus
from evaluation.formulas import LIBRARY, number_text
from evaluation.models import Scheme
from evaluation.presets import PRESETS
from evaluation.validation import (
    ItemSpec,
    all_param_fields,
    check_item,
    check_settings,
    param_field,
)
from org.models import Unit

POINTS = {"max_digits": 6, "decimal_places": 2}


class MessagesMixin:
    def error_messages(self) -> list[str]:
        """Every error as one line, named by its field's label (for a message banner)."""
        return [f"{self.fields[name].label}：{e}" if name in self.fields else e
                for name, errors in self.errors.items() for e in errors]


class AdjustmentForm(MessagesMixin, ScopedChoicesMixin, forms.Form):
    """加分/扣分 on an evaluation: a ranked unit (city department or town), points, a reason."""

    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(kind__in=GROUPS))
    points = forms.DecimalField(label="分数（正加负减）", max_digits=5, decimal_places=2)
    reason = forms.CharField(label="事由", max_length=200)
    evidence = forms.CharField(label="依据（文号等）", max_length=200, required=False)


class EvaluationForm(MessagesMixin, ScopedChoicesMixin, forms.Form):
    """A new evaluation: a scheme with a published version and a period."""

    scheme = forms.ModelChoiceField(label="考评方案", queryset=Scheme.objects.filter(
        versions__status=VersionStatus.PUBLISHED, versions__archived_at=None).distinct())
    name = forms.CharField(label="考评名称", max_length=100, required=False,
                           help_text="不填则用方案名称")
    period_start = forms.DateField(label="考评期间起", widget=forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date"}))
    period_end = forms.DateField(label="考评期间止", widget=forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "考评期间止不能早于期间起。")
        return data


class SchemeForm(MessagesMixin, forms.Form):
    name = forms.CharField(label="方案名称", max_length=100)
    preset = forms.ChoiceField(label="起点", required=False, choices=[
        ("", "空白方案"), *((key, f"预设：{spec['name']}") for key, spec in PRESETS.items())])
    description = forms.CharField(label="适用范围及说明", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    """A draft's full points, adjustment caps and revision note."""

    total_points = forms.DecimalField(label="满分", **POINTS)
    bonus_cap = forms.DecimalField(label="加分上限", **POINTS)
    deduction_cap = forms.DecimalField(label="扣分上限", **POINTS)
    note = forms.CharField(label="修订说明", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if {"total_points", "bonus_cap", "deduction_cap"} <= set(data):
            for name, message in check_settings(data["total_points"], data["bonus_cap"],
                                                data["deduction_cap"]).items():
                self.add_error(name, message)
        return data


class ItemForm(forms.Form):
    """One item: fact, formula and points, and a field for every parameter of the library
    (the page shows those of the chosen formula; the others are ignored)."""

    fact = forms.ChoiceField(label="考评指标", required=False,
                             choices=[("", "（不用此行）"), *Fact.choices])
    formula = forms.ChoiceField(label="计分方法", required=False, choices=Formula.choices)
    points = forms.DecimalField(label="分值", required=False, **POINTS)

    def __init__(self, *args, total_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.total_points = total_points
        self.spec = None
        for name, spec, param in all_param_fields():
            self.fields[name] = forms.DecimalField(
                label=param.label, required=False, max_digits=10, decimal_places=4,
                widget=forms.NumberInput(attrs={"step": "any", "data-formula": spec.key}))

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("fact") and self.cleaned_data.get("points") is None

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank():
            return data
        for name, message in (("fact", "请选择考评指标。"), ("formula", "请选择计分方法。"),
                              ("points", "请填写分值。")):
            if data.get(name) in (None, ""):
                self.add_error(name, message)
        if self.errors:
            return data
        given = {param.name: data.get(param_field(data["formula"], param.name))
                 for param in LIBRARY[data["formula"]].params}
        spec = ItemSpec(data["fact"], data["formula"], data["points"], given)
        params, errors = check_item(spec, self.total_points)
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        spec.params = params
        self.spec = spec
        return data

    def param_fields(self):
        """The bound parameter fields of each formula, for the template."""
        return [(key, [self[param_field(key, p.name)] for p in spec.params])
                for key, spec in LIBRARY.items()]


class BaseItemFormSet(forms.BaseFormSet):
    def specs(self) -> list[ItemSpec]:
        """The items to keep, in the order shown (blank and deleted rows left out)."""
        return [form.spec for form in self.forms
                if form.spec is not None and not self._should_delete_form(form)]


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=2,
                                    can_delete=True, max_num=30, validate_max=True,
                                    absolute_max=40)


def version_initial(version) -> dict:
    """The settings as the office typed them: 100, not 100.00."""
    return {"total_points": number_text(version.total_points),
            "bonus_cap": number_text(version.bonus_cap),
            "deduction_cap": number_text(version.deduction_cap), "note": version.note}


def item_initial(version) -> list[dict]:
    """The formset's rows for a version's items (numbers shown as typed: 1, not 1.0000)."""
    rows = []
    for item in version.items.prefetch_related("parameters"):
        row = {"fact": item.fact, "formula": item.formula, "points": number_text(item.points)}
        row.update({param_field(item.formula, name): number_text(value)
                    for name, value in item.params().items()})
        rows.append(row)
    return rows
