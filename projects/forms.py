from decimal import Decimal

from django import forms

from core.forms import ScopedChoicesMixin
from projects.models import Milestone

MAX_REPORT_PHOTOS = 9  # a week's site photos; a phone's picker shows nine at a time


class ReportForm(ScopedChoicesMixin, forms.Form):
    """The one-screen weekly report (调度填报), sized for a phone."""

    investment_period = forms.DecimalField(label="本期完成投资（万元）", min_value=0,
                                           max_digits=14, decimal_places=2, initial=Decimal("0"))
    investment_year_cumulative = forms.DecimalField(
        label="年度累计完成投资（万元）", min_value=0, max_digits=14, decimal_places=2,
        required=False, help_text="留空则按上期累计加本期自动计算")
    progress_percent = forms.IntegerField(label="形象进度（%）", min_value=0, max_value=100)
    progress_text = forms.CharField(label="形象进度说明", widget=forms.Textarea(attrs={"rows": 3}))
    milestones = forms.ModelMultipleChoiceField(
        label="本期完成的节点", queryset=Milestone.objects.active(), required=False,
        widget=forms.CheckboxSelectMultiple)
    milestone_date = forms.DateField(label="节点完成日期", required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    problem = forms.CharField(label="存在问题/需协调事项", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    coordinate_with = forms.CharField(label="需协调单位", required=False, max_length=200)
    correction_note = forms.CharField(label="更正说明", required=False, max_length=200,
                                      help_text="年度累计比上期减少时必填")
    photos = forms.FileField(label="现场照片", required=False,
                             widget=forms.ClearableFileInput(attrs={
                                 "accept": "image/*", "capture": "environment",
                                 "allow_multiple_selected": True}))

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        milestones = self.fields["milestones"]
        milestones.queryset = milestones.queryset.filter(project=project, actual_date__isnull=True)

    def clean_photos(self):
        """At most MAX_REPORT_PHOTOS: each photo is decoded for its thumbnail (up to about
        250 MB for a large PNG), and Django alone lets 100 files through in one request."""
        photos = self.files.getlist("photos") if self.files else []
        if len(photos) > MAX_REPORT_PHOTOS:
            raise forms.ValidationError(f"每次填报最多上传{MAX_REPORT_PHOTOS}张照片（本次选了"
                                        f"{len(photos)}张），请挑选后再提交。")
        return self.cleaned_data.get("photos")


class RebaselineForm(forms.Form):
    new_date = forms.DateField(label="调整后的计划日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)


class AttachmentForm(ScopedChoicesMixin, forms.Form):
    file = forms.FileField(label="文件", help_text="照片（JPEG/PNG/WebP）或文件（PDF/DOCX/XLSX），不超过20MB")
    milestone = forms.ModelChoiceField(label="对应节点（可选）", queryset=Milestone.objects.active(),
                                       required=False)

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        milestone = self.fields["milestone"]
        milestone.queryset = milestone.queryset.filter(project=project)


class ProcedureDocumentForm(forms.Form):
    file = forms.FileField(label="批复文件", help_text="PDF/DOCX，或批复文件的照片，不超过20MB")


class StageForm(forms.Form):
    from projects.choices import Stage

    stage = forms.ChoiceField(label="建设阶段", choices=Stage.choices)
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="停工/复工说明", required=False, max_length=200)


class ScheduleForm(forms.Form):
    """序时计划: the planned investment of each month of a year (万元); the year's total is
    their sum, stored as the cumulative schedule (see ProjectYearPlan.monthly_cumulative)."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def __init__(self, *args, months=None, **kwargs):
        super().__init__(*args, **kwargs)
        for m in range(1, 13):
            self.fields[f"m{m}"] = forms.DecimalField(
                label=f"{m}月", min_value=Decimal("0"), max_digits=14, decimal_places=2,
                required=False, initial=months[m - 1] if months else None)

    def clean(self):
        data = super().clean()
        months = [f"m{m}" for m in range(1, 13)]
        if not self.errors and all(data.get(key) is None for key in months):
            raise forms.ValidationError("1—12月计划均为空，未保存（年度计划投资为0时请填写0）。")
        return data

    def cumulative(self) -> list[Decimal]:
        total, values = Decimal("0"), []
        for m in range(1, 13):
            total += self.cleaned_data.get(f"m{m}") or Decimal("0")
            values.append(total)
        return values
