"""Serializers of /api/cases/: what a case, its clock and its timeline look like, and the
bodies of the action endpoints (each feeds one cases.actions.do_*)."""

import math

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.choices import CaseSource, CaseState, ComponentState, LimitUnit, Urgency
from cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    CaseType,
    CaseTypeVersion,
    Component,
    ExtensionRequest,
    Grid,
    RoadChief,
    RoadSegment,
)
from core.api import serializers as core
from core.scope import visible
from org.models import Unit, mask_phone

IDEMPOTENCY_KEY_MAX = 64


def _display_name(user) -> str | None:
    return str(user.get_full_name() or user.username) if user is not None else None


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.ChoiceField):
    """A status word as its code, validated against its choices, documented as a string
    whose codes the help text lists. The schema's enum components are named by field name
    across the whole API (supervision has its own `source`, and a case's state appears as
    `state`, `from_state` and `to_state`), so these stay plain strings there."""

    def __init__(self, choices, **kwargs):
        listed = "；".join(f"{value} {label}" for value, label in choices)
        kwargs["help_text"] = f"{kwargs.get('help_text', '')}（取值：{listed}）".lstrip()
        super().__init__(choices, **kwargs)


# --- reading ---------------------------------------------------------------------------


class CaseClockSerializer(serializers.Serializer):
    """The case's working-time clock (cases.clock)."""

    deadline_at = serializers.DateTimeField(allow_null=True, help_text="处置期限")
    remaining_minutes = serializers.IntegerField(
        allow_null=True, help_text="剩余工作分钟数（负数为已超期的工作分钟数；不计时为空）")
    status = serializers.CharField(help_text="running | due_soon | overdue | paused | none")
    label = serializers.CharField(help_text="状态说明（中文）")


class CaseEventSerializer(core.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    from_state = CodeField(CaseState.choices, read_only=True, help_text="原状态")
    to_state = CodeField(CaseState.choices, read_only=True, help_text="新状态")

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "kind_display", "from_state", "to_state", "actor", "actor_name",
                  "unit", "unit_name", "at", "note", "lon", "lat"]

    def get_actor_name(self, event) -> str | None:
        return _display_name(event.actor)


class CasePhotoSerializer(core.ModelSerializer):
    """`file` and `thumbnail` are the case pages' download URLs: scoped to the case's
    readers, audited, and open to the same API token."""

    file = serializers.SerializerMethodField(help_text="照片地址（按权限范围校验并记录审计）")
    thumbnail = serializers.SerializerMethodField(help_text="缩略图地址")

    class Meta:
        model = CasePhoto
        fields = ["id", "event", "stage", "original_name", "mime_type", "size", "sha256",
                  "gps_lon", "gps_lat", "created_at", "file", "thumbnail"]

    def _absolute(self, name, photo) -> str:
        url = reverse(name, args=[photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_file(self, photo) -> str:
        return self._absolute("cases:photo", photo)

    def get_thumbnail(self, photo) -> str:
        return self._absolute("cases:photo_thumbnail", photo)


class CaseExtensionSerializer(core.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ["id", "reason", "amount", "unit", "status", "requested_by", "decided_by",
                  "decided_at", "decision_note", "created_at"]


class CaseSerializer(core.ModelSerializer):
    """A case in a list: its place, type, state and clock."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    case_type = serializers.IntegerField(source="type_version.case_type_id", read_only=True)
    type_name = serializers.CharField(source="type_version.case_type.minor_name",
                                      read_only=True)
    kind = serializers.CharField(source="type_version.case_type.kind", read_only=True)
    group = serializers.CharField(source="type_version.case_type.group", read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True,
                                               default=None)
    source = CodeField(CaseSource.choices, read_only=True, help_text="案件来源")
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "state", "state_display", "case_type", "type_name", "kind",
                  "group", "type_version", "urgency", "source", "description", "address", "lon",
                  "lat", "grid", "segment", "component", "reporter", "handling_unit",
                  "handling_unit_name", "checker", "reported_at", "registered_at",
                  "dispatched_at", "deadline_at", "handled_at", "closed_at", "duplicate_of",
                  "clock"]

    def get_clock(self, case) -> CaseClockSerializer:
        from cases.clock import clock_for

        clocks = self.context.get("clocks") or {}
        clock = clocks.get(case.pk) or clock_for(case)
        return CaseClockSerializer(clock).data


class CaseDetailSerializer(CaseSerializer):
    """One case with its timeline, photos and extension requests."""

    events = CaseEventSerializer(many=True, read_only=True)
    photos = CasePhotoSerializer(many=True, read_only=True)
    extension_requests = CaseExtensionSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events", "photos", "extension_requests"]


class CaseTypeVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    register_standard = serializers.CharField(help_text="立案标准")
    close_standard = serializers.CharField(help_text="结案标准")
    normal_amount = serializers.IntegerField(help_text="一般案件处置时限")
    normal_unit = CodeField(LimitUnit.choices, help_text="一般案件时限单位")
    urgent_amount = serializers.IntegerField(help_text="紧急案件处置时限")
    urgent_unit = CodeField(LimitUnit.choices, help_text="紧急案件时限单位")
    duplicate_radius_m = serializers.IntegerField()
    owner_first = serializers.BooleanField()
    default_owner = serializers.IntegerField(source="default_owner_id", allow_null=True)


class CaseTypeSerializer(core.ModelSerializer):
    code = serializers.SerializerMethodField(help_text="大类代码+小类代码")
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = CaseType
        fields = ["id", "kind", "code", "major_code", "major_name", "minor_code", "minor_name",
                  "group", "active", "current_version"]

    def get_code(self, case_type) -> str:
        return f"{case_type.major_code}{case_type.minor_code}"

    def get_current_version(self, case_type) -> CaseTypeVersionSerializer(allow_null=True):
        # Prefetched newest first (the viewset); otherwise one query.
        cache = getattr(case_type, "_prefetched_objects_cache", {}).get("versions")
        if cache is not None:
            version = max(cache, key=lambda v: v.number) if cache else None
        else:
            version = case_type.current_version()
        return CaseTypeVersionSerializer(version).data if version is not None else None


class GridSerializer(core.ModelSerializer):
    street_name = serializers.CharField(source="street_unit.name", read_only=True, default=None)
    community_name = serializers.CharField(source="community_unit.name", read_only=True,
                                           default=None)

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "street_unit", "street_name", "community_unit",
                  "community_name", "area_m2", "min_lon", "min_lat", "max_lon", "max_lat",
                  "geometry"]


class RoadChiefSerializer(core.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    title = serializers.CharField(source="person.title", read_only=True)
    phone = serializers.SerializerMethodField(help_text="掩码（138****5678）")

    class Meta:
        model = RoadChief
        fields = ["id", "level", "level_display", "person", "name", "title", "phone"]

    def get_phone(self, chief) -> str:
        # As the people directory's API: lists never carry full numbers.
        return mask_phone(chief.person.phone)


class RoadSegmentSerializer(core.ModelSerializer):
    road_name = serializers.CharField(source="road.name", read_only=True)
    chiefs = serializers.SerializerMethodField()

    class Meta:
        model = RoadSegment
        fields = ["id", "road", "road_name", "name", "start_name", "end_name", "order",
                  "geometry", "chiefs"]

    def get_chiefs(self, segment) -> RoadChiefSerializer(many=True):
        chiefs = [c for c in segment.chiefs.all() if not c.is_archived]
        return RoadChiefSerializer(chiefs, many=True).data


class ComponentSerializer(core.ModelSerializer):
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True,
                                            default=None)
    state = CodeField(ComponentState.choices, read_only=True, help_text="部件状态")

    class Meta:
        model = Component
        fields = ["id", "code", "type_code", "name", "owner_unit", "owner_unit_name", "state",
                  "lon", "lat", "grid"]


# --- writing ---------------------------------------------------------------------------


class CoordinateField(serializers.FloatField):
    """A longitude or latitude: finite and within its range (NaN passes min/max checks)."""

    default_error_messages = {"out_of_range": "{name}须在{lo}至{hi}之间。"}

    def __init__(self, name, lo, hi, **kwargs):
        self.coordinate, self.lo, self.hi = name, lo, hi
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value) or not self.lo <= value <= self.hi:
            self.fail("out_of_range", name=self.coordinate, lo=self.lo, hi=self.hi)
        return value


def lon_field(**kwargs):
    return CoordinateField("经度", -180, 180, label="经度", **kwargs)


def lat_field(**kwargs):
    return CoordinateField("纬度", -90, 90, label="纬度", **kwargs)


def photos_field():
    return serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                 label="照片", help_text="照片（multipart，可多张；按内容校验）")


def text_field(label, required=False, max_length=2000):
    if required:
        return serializers.CharField(label=label, max_length=max_length)
    return serializers.CharField(label=label, required=False, allow_blank=True, default="",
                                 max_length=max_length)


class CurrentVersionField(core.IdField):
    """A case type's id, given as an integer; validated to the type's current version.

    The same scope check as core.IdField (a type outside `visible_to(user)` is "does not
    exist"), made by the query that fetches the current version (with its type, which
    do_report_case reads): one query per report instead of an existence check and then the
    version. Only a refused id costs a second query, to tell "no such type" from "no
    version yet"."""

    def run_validation(self, data=serializers.empty):
        pk = serializers.IntegerField.run_validation(self, data)  # range and type checks
        if pk is None:
            return None
        types = visible(CaseType, core.request_user(self))
        version = (CaseTypeVersion.objects.filter(case_type__in=types.filter(pk=pk))
                   .select_related("case_type").order_by("-number").first())
        if version is not None:
            return version
        if not types.filter(pk=pk).exists():
            self.fail("does_not_exist", name=CaseType._meta.verbose_name, pk=pk)
        raise serializers.ValidationError("该案件类型尚无处置标准，不能上报。")


class CaseReportInSerializer(serializers.Serializer):
    """Input of POST /api/cases/cases/: files a case through do_report_case.
    `case_type` validates to the type's current CaseTypeVersion."""

    case_type = CurrentVersionField(CaseType, label="案件类型",
                                    help_text="案件类型编号（按该类型当前版本立案）")
    description = serializers.CharField(label="问题描述", max_length=5000)
    lon = lon_field()
    lat = lat_field()
    address = text_field("地址", max_length=core.max_length(Case, "address"))
    urgency = serializers.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False,
                                      allow_blank=True, default="")
    source = CodeField(CaseSource.choices, label="案件来源", required=False, allow_blank=True,
                       default="", help_text="默认按上报人角色（监督员、路长；指挥中心为12345转办）")
    grid = core.IdField(Grid, label="所在网格", required=False, allow_null=True, default=None,
                        help_text="默认按位置所在网格")
    segment = core.IdField(RoadSegment, label="所在路段", required=False, allow_null=True,
                           default=None, help_text="默认按位置匹配路段")
    component = core.IdField(Component, label="涉及部件", required=False, allow_null=True,
                             default=None)
    idempotency_key = serializers.CharField(
        label="客户端幂等键", required=False, allow_blank=True, default="",
        max_length=IDEMPOTENCY_KEY_MAX,
        help_text="同一上报人重发同一键时返回原案件（200）；也可用请求头 Idempotency-Key")
    photos = photos_field()


class CaseNoteSerializer(serializers.Serializer):
    note = text_field("说明")


class CaseReasonSerializer(serializers.Serializer):
    reason = text_field("理由", required=True)


class CaseSuperviseSerializer(serializers.Serializer):
    note = text_field("督办意见", required=True)


class CaseDispatchSerializer(serializers.Serializer):
    unit = core.IdField(Unit, label="处置单位", required=False, allow_null=True, default=None,
                        help_text="留空则按派遣规则自动确定")
    note = text_field("说明")


class CaseReassignSerializer(serializers.Serializer):
    unit = core.IdField(Unit, label="处置单位")
    note = text_field("说明")


class CaseReturnSerializer(serializers.Serializer):
    reason = text_field("回退理由", required=True)
    lon = lon_field(required=False, allow_null=True, default=None)
    lat = lat_field(required=False, allow_null=True, default=None)


class CaseHandleSerializer(serializers.Serializer):
    note = text_field("处置说明")
    lon = lon_field(required=False, allow_null=True, default=None)
    lat = lat_field(required=False, allow_null=True, default=None)
    photos = photos_field()


class CaseSendCheckSerializer(serializers.Serializer):
    inspector = serializers.IntegerField(
        label="核查监督员", required=False, allow_null=True, default=None, min_value=1,
        max_value=2**63 - 1, help_text="监督员账号编号；留空则由上报的监督员核查")


class CaseCheckSerializer(CaseHandleSerializer):
    passed = serializers.BooleanField(label="核查通过")


class CaseExtensionInSerializer(serializers.Serializer):
    amount = serializers.IntegerField(label="申请延长时限", min_value=1, max_value=1000)
    unit = serializers.ChoiceField(label="时限单位", choices=LimitUnit.choices)
    reason = text_field("延期理由", required=True)


class CaseDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label="批准")
    note = text_field("审批意见")


class CaseJoinSerializer(CaseHandleSerializer):
    idempotency_key = serializers.CharField(label="客户端幂等键", required=False,
                                            allow_blank=True, default="",
                                            max_length=IDEMPOTENCY_KEY_MAX)


class CaseDuplicateSerializer(serializers.Serializer):
    of = core.IdField(Case, label="并入的案件")
    note = text_field("说明")
