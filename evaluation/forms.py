from django import forms

from core.forms import ScopedChoicesMixin
from evaluation.actions import GROUPS
from org.models import Unit


class AdjustmentForm(ScopedChoicesMixin, forms.Form):
    """加分/扣分 on a scheme: a ranked unit (city department or town), points and a reason."""

    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.filter(kind__in=GROUPS))
    points = forms.DecimalField(label="分数（正加负减）", max_digits=5, decimal_places=2)
    reason = forms.CharField(label="事由", max_length=200)
    evidence = forms.CharField(label="依据（文号等）", max_length=200, required=False)

    def error_messages(self) -> list[str]:
        return [f"{self.fields[name].label}：{e}" if name in self.fields else e
                for name, errors in self.errors.items() for e in errors]
