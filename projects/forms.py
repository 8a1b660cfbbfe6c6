from decimal import Decimal

from django import forms

from core.forms import MultiplePhotoField, ScopedChoicesMixin
from org.models import Unit
from projects.actions import COORDINATE_UNITS_MAX, coordinate_units_error
from projects.models import Attachment, Milestone

MAX_REPORT_PHOTOS = 9  # a week's site photos; a phone's picker shows nine at a time


def date_input():
    """A browser date picker. It only accepts an ISO value: the project's localized format
    (2026/05/20) left the picker blank, and a required date then could not be sent."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


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
                                     widget=date_input())
    problem = forms.CharField(label="存在问题/需协调事项", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    coordinate_units = forms.ModelMultipleChoiceField(
        label="需协调单位（可多选）", queryset=Unit.objects.active(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"最多选{COORDINATE_UNITS_MAX}个；所选单位将收到该问题的交办事项，须在下期截止前反馈")
    correction_note = forms.CharField(label="更正说明", required=False, max_length=200,
                                      help_text="年度累计比上期减少时必填")
    # Taken with the camera or picked from the gallery: no `capture`, which on phones
    # opens the camera only and takes a single shot.
    photos = MultiplePhotoField(label="现场照片", required=False,
                                help_text=f"可拍照或从相册选择，最多{MAX_REPORT_PHOTOS}张")

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        milestones = self.fields["milestones"]
        milestones.queryset = milestones.queryset.filter(project=project, actual_date__isnull=True)
        units = self.fields["coordinate_units"]  # another unit: the filer's own is no help
        units.queryset = units.queryset.exclude(pk=project.lead_unit_id)

    def clean(self):
        data = super().clean()
        if data.get("coordinate_units") and not (data.get("problem") or "").strip():
            self.add_error("problem", "选择了需协调单位，请填写需协调解决的问题。")
        return data

    def clean_coordinate_units(self):
        """Each unit named gets an action item: at most a handful (projects.actions)."""
        units = self.cleaned_data.get("coordinate_units")
        refusal = coordinate_units_error(len(units or []))
        if refusal:
            raise forms.ValidationError(refusal)
        return units

    def clean_photos(self):
        """At most MAX_REPORT_PHOTOS: each photo is decoded for its thumbnail (up to about
        250 MB for a large PNG), and Django alone lets 100 files through in one request."""
        photos = self.files.getlist("photos") if self.files else []
        if len(photos) > MAX_REPORT_PHOTOS:
            raise forms.ValidationError(f"每次填报最多上传{MAX_REPORT_PHOTOS}张照片（本次选了"
                                        f"{len(photos)}张），请挑选后再提交。")
        return self.cleaned_data.get("photos") or []


class ProcedureClaimForm(forms.Form):
    """A unit's 办结 claim for a preliminary procedure (the office confirms it). The 批复文件
    is always chosen: a new upload, or one uploaded earlier picked in `earlier_document`
    (after a returned claim nothing is picked for the unit)."""

    done_on = forms.DateField(label="办结日期", widget=date_input())
    doc_number = forms.CharField(label="批复文号", max_length=100)
    document = forms.FileField(label="批复文件", required=False,
                               help_text="PDF/DOCX，或批复文件的照片，不超过20MB")
    # A plain choice among this procedure's own files (the procedure was looked up in the
    # user's scope), so no row outside it can be named.
    earlier_document = forms.TypedChoiceField(
        label="或选用已上传的批复文件", coerce=int, required=False, empty_value=None,
        choices=[("", "（不选用，上传新文件）")], help_text="新上传的文件优先")

    def __init__(self, *args, procedure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = procedure.documents.active() if procedure is not None \
            else Attachment.objects.none()  # the page renders one form for every row
        self.fields["earlier_document"].choices = [("", "（不选用，上传新文件）")] + [
            (d.pk, d.original_name) for d in self.documents]

    def clean_earlier_document(self):
        pk = self.cleaned_data.get("earlier_document")
        return None if pk is None else self.documents.get(pk=pk)

    def clean(self):
        data = super().clean()
        if not data.get("document") and not data.get("earlier_document") \
                and "document" not in self.errors and "earlier_document" not in self.errors:
            self.add_error("document", "请上传批复文件，或选用一份已上传的批复文件。")
        return data


class ProcedureDecisionForm(forms.Form):
    """The office's decision on the claim it was shown (`claim`: its id, so a claim decided
    or replaced meanwhile is not the one decided now)."""

    claim = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    note = forms.CharField(label="意见", max_length=200, required=False)


class RebaselineForm(forms.Form):
    new_date = forms.DateField(label="调整后的计划日期", widget=date_input())
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
    on = forms.DateField(label="日期", widget=date_input())
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
