"""Forms of the field (phone) pages: 上报, 加入已有案件 (重复上报), 核查.

Photos are checked by content here (core.uploads.inspect_upload), so a wrong file is a
message on the form rather than a failed action, and the report can take its position from
a photo's EXIF GPS when the phone sent none.
"""

from django import forms
from django.core.exceptions import ValidationError

from cases.choices import CaseSource, Urgency
from cases.models import CaseType
from core.forms import MultiplePhotoField, ScopedChoicesMixin

MAX_PHOTOS = 6  # a case's 处置前 photos: the scene, close-ups, the sign of the street
KEY_MAX = 64  # as Case.idempotency_key

# Sources the desk may enter by hand; inspectors and road chiefs are their own source
# (cases.actions.SOURCE_OF_ROLE).
DESK_SOURCES = [(value, label) for value, label in CaseSource.choices
                if value not in (CaseSource.INSPECTOR, CaseSource.ROAD_CHIEF)]


class CheckedPhotoField(MultiplePhotoField):
    """Photos checked by content as soon as the form is cleaned (the EXIF position is kept
    for the caller): the report reads its position from them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_files", MAX_PHOTOS)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        from core.uploads import inspect_upload

        checked = []
        for upload in self.files_of(data):
            forms.FileField.clean(self, upload, initial)
            checked.append((upload, inspect_upload(upload, allow=("photo",))))
        return checked


def _coordinate(value, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError("位置坐标无效。") from None
    if not (low <= number <= high) or number != number:  # NaN compares unequal to itself
        raise ValidationError("位置坐标无效。")
    return number


class PositionMixin:
    """lon/lat posted by the page (device GPS, the photo's EXIF read by the page, or the
    pin the user dragged); both or neither."""

    def clean_lon(self):
        return _coordinate(self.cleaned_data.get("lon"), -180, 180)

    def clean_lat(self):
        return _coordinate(self.cleaned_data.get("lat"), -90, 90)

    def photo_position(self):
        """The first photo's EXIF GPS (lon, lat) as core.uploads read it, or None."""
        for _upload, info in self.cleaned_data.get("photos") or []:
            if info.gps:
                return info.gps
        return None

    def position(self):
        """(lon, lat, source): the page's point, else the first photo's EXIF GPS."""
        lon, lat = self.cleaned_data.get("lon"), self.cleaned_data.get("lat")
        if lon is not None and lat is not None:
            return lon, lat, self.cleaned_data.get("position_source") or "pin"
        gps = self.photo_position()
        if gps:
            return gps[0], gps[1], "photo"
        return None, None, ""


def _hidden_text(max_length=KEY_MAX):
    return forms.CharField(required=False, max_length=max_length, widget=forms.HiddenInput)


class ReportForm(ScopedChoicesMixin, PositionMixin, forms.Form):
    case_type = forms.ModelChoiceField(
        label="问题类型", queryset=CaseType.objects.none(),
        error_messages={"required": "请选择问题类型。",
                        "invalid_choice": "所选问题类型不存在或已停用，请重新选择。"})
    description = forms.CharField(label="问题描述", max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": "请填写问题描述。"})
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL,
                                widget=forms.RadioSelect)
    address = forms.CharField(label="地址或参照物", max_length=200, required=False,
                              help_text="如：人民路与建设路交叉口东北角")
    source = forms.ChoiceField(label="案件来源", choices=DESK_SOURCES, required=False)
    photos = CheckedPhotoField(label="现场照片", required=False)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    position_source = _hidden_text(10)
    idempotency_key = _hidden_text()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        from cases import permissions

        self.is_desk = permissions.is_desk(user)
        # Every active type: the reporter chooses among the city's table (base data).
        self.fields["case_type"].queryset = CaseType.objects.active().filter(active=True)
        if self.is_desk:
            self.fields["source"].required = True
            self.fields["source"].initial = CaseSource.HOTLINE
        else:
            del self.fields["source"]  # the role is the source
            # An inspector's or road chief's report is evidence: at least one photo.
            self.fields["photos"].required = True
            self.fields["photos"].error_messages["required"] = "请拍摄或选择至少一张现场照片。"

    def clean_idempotency_key(self):
        key = (self.cleaned_data.get("idempotency_key") or "").strip()
        if len(key) > KEY_MAX:
            raise ValidationError("提交编号无效，请刷新页面后重新填写。")
        return key

    def clean(self):
        data = super().clean()
        if not self.errors and self.position()[0] is None:
            raise ValidationError("未能确定问题位置：请允许手机定位、在地图上点选位置，"
                                  "或上传带定位信息的照片。")
        return data


class JoinForm(PositionMixin, forms.Form):
    """重复上报: the reporter adds his sighting (and photo) to an open case."""

    note = forms.CharField(label="补充说明", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # A join makes the joiner follow the case: only a sighting on the spot (a photo, a
    # position near the case — cases.actions.do_join checks the distance).
    photos = CheckedPhotoField(label="现场照片", required=True,
                                error_messages={"required": "加入案件须上传现场照片。"})
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    position_source = _hidden_text(10)
    idempotency_key = _hidden_text()


class CheckForm(PositionMixin, forms.Form):
    RESULT_CHOICES = [("passed", "核查通过"), ("failed", "核查不通过（返工）")]

    result = forms.ChoiceField(label="核查结果", choices=RESULT_CHOICES, widget=forms.RadioSelect,
                               error_messages={"required": "请选择核查结果。"})
    note = forms.CharField(label="核查意见", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="不通过时必填：写明哪里未达到结案标准")
    photos = CheckedPhotoField(label="现场照片", required=True,
                                error_messages={"required": "核查须上传现场照片。"})
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    position_source = _hidden_text(10)

    def clean(self):
        data = super().clean()
        if data.get("result") == "failed" and not (data.get("note") or "").strip():
            self.add_error("note", "核查不通过时请填写原因。")
        return data
