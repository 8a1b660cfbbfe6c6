from django import forms

from core.forms import ScopedChoicesMixin
from org.models import Unit
from supervision.choices import EscalationLevel
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


class MeetingMoveForm(forms.Form):
    """改期: a new day (and time), and why."""

    date = forms.DateField(label="新日期", widget=forms.DateInput(attrs={"type": "date"},
                                                                 format="%Y-%m-%d"))
    start_time = forms.TimeField(label="新开始时间（不填则不变）", required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    reason = forms.CharField(label="改期原因", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by content in the action (core.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, (list, tuple)):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class ResponseForm(forms.Form):
    """The unit's response to an action item, with its files (会议纪要, photos)."""

    text = forms.CharField(label="办理情况", max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="附件（照片或PDF/Word/Excel，可多选）", required=False)


class EscalationProposalForm(ScopedChoicesMixin, forms.Form):
    """The bureau puts a step on a unit's ladder by hand (e.g. 提醒 or 问责), with the reason."""

    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.active())
    level = forms.ChoiceField(label="措施", choices=EscalationLevel.choices,
                              initial=EscalationLevel.REMINDER)
    reason = forms.CharField(label="理由", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class InstructionForm(forms.Form):
    """领导批示 on a project page. The office names the leader whose 批示 it records by id;
    the view resolves it through CityLeader.visible_to (core.scope.get_for_user)."""

    text = forms.CharField(label="批示内容", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="办理期限", widget=forms.DateInput(attrs={"type": "date"}))
    leader = forms.IntegerField(label="批示领导", required=False, min_value=1)
