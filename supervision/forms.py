from django import forms

from core.forms import ScopedChoicesMixin
from org.models import Unit
from supervision.models import Meeting


class ActionItemForm(ScopedChoicesMixin, forms.Form):
    title = forms.CharField(label="交办事项", max_length=200)
    detail = forms.CharField(label="具体要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.active())
    deadline = forms.DateField(label="办理期限", widget=forms.DateInput(attrs={"type": "date"}))
    meeting = forms.ModelChoiceField(label="交办会议（可选）", required=False,
                                     queryset=Meeting.objects.active().order_by("-date"))


class TextForm(forms.Form):
    text = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}))
