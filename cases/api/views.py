"""REST endpoints of city-management cases: the same scope, actions and filters as the pages.

Every row comes from `visible_to(request.user)`; every state change is a cases.actions
do_* call (ValidationError → 400 with its reason, PermissionDenied → 403, an id outside the
user's scope → 404, as core.api.exceptions maps them). Ids in URLs are parsed strictly
(core.ids): `+7`, ` 7 `, `7.0`, '٧' name no case.
"""

import contextvars

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.signals import post_save
from django.dispatch import receiver
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cases import actions
from cases.api import serializers as s
from cases.api.filters import CaseFilterSet
from cases.choices import ExtensionStatus
from cases.models import (
    Case,
    CaseEvent,
    CaseType,
    Component,
    Grid,
    RoadChief,
    RoadSegment,
)
from core.api.views import ScopedReadOnlyViewSet
from core.ids import parse_id
from org.choices import Role
from org.models import Unit, User

IDEMPOTENCY_HEADER = "Idempotency-Key"

# Cases saved as new during the current report call (see CaseViewSet.create): tells a case
# this request made (201) from the one an earlier call with the same key made (200), also
# when the two calls raced and the action answered with the other's case.
_created_cases: contextvars.ContextVar = contextvars.ContextVar("cases_api_created",
                                                                default=None)


@receiver(post_save, sender=Case, dispatch_uid="cases_api_note_created")
def _note_created(sender, instance, created, **kwargs):
    bucket = _created_cases.get()
    if created and bucket is not None:
        bucket.add(instance.pk)


def _strict_pk(model, raw):
    pk = parse_id(raw)
    if pk is None:
        raise NotFound(f"{model._meta.verbose_name}不存在或无权查看。")
    return pk


class StrictIdViewSet(ScopedReadOnlyViewSet):
    """ScopedReadOnlyViewSet whose URL ids are ASCII digits only (core.ids.parse_id)."""

    def get_object(self):
        pk = _strict_pk(self.model, self.kwargs["pk"])
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise NotFound(f"{self.model._meta.verbose_name}不存在或无权查看。")
        self.check_object_permissions(self.request, obj)
        return obj


def _detail_prefetch():
    return (Prefetch("events", CaseEvent.objects.select_related("actor__person", "unit")
                     .order_by("at", "pk")),
            "photos", "extension_requests")


def _detail_queryset():
    """Unscoped: used only for the case the caller just read or acted on."""
    return (Case.objects.select_related("type_version__case_type", "handling_unit")
            .prefetch_related(*_detail_prefetch()))


def _pair(v):
    """lon and lat are given together or not at all."""
    lon, lat = v.get("lon"), v.get("lat")
    if (lon is None) != (lat is None):
        raise ValidationError({"lon": ["经度与纬度须同时填写。"]})
    return lon, lat


def _idempotency_key(request, body_key: str) -> str:
    header = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    body_key = (body_key or "").strip()
    if len(header) > s.IDEMPOTENCY_KEY_MAX or "\x00" in header:
        raise ValidationError({"idempotency_key": [
            f"请求头 {IDEMPOTENCY_HEADER} 不能超过{s.IDEMPOTENCY_KEY_MAX}个字符。"]})
    if header and body_key and header != body_key:
        raise ValidationError({"idempotency_key": [
            f"请求头 {IDEMPOTENCY_HEADER} 与字段 idempotency_key 不一致。"]})
    return header or body_key


def _unit(pk):
    return Unit.objects.get(pk=pk) if pk is not None else None


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="客户端幂等键（至多64字符）：同一上报人重发同一键，返回原案件（200）而不新建")


def _step(url_path, serializer, run, doc, parameters=None):
    """A POST /cases/{id}/<url_path>/ endpoint: validate `serializer`, call `run(case, data,
    user)` (a do_* action), answer with the case as it now stands."""

    def view(self, request, pk=None):
        case = self.get_object()
        data = {}
        if serializer is not None:
            body = serializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            data = body.validated_data
        run(case, data, request)
        return Response(self.detail_data(case.pk))

    view.__name__ = "step_" + url_path.replace("-", "_")
    view.__doc__ = doc
    view = action(detail=True, methods=["post"], url_path=url_path, url_name=url_path)(view)
    return extend_schema(request=serializer, summary=doc, parameters=parameters,
                         responses={200: s.CaseDetailSerializer})(view)


def _send_check(case, v, request):
    inspector = None
    if v["inspector"] is not None:
        inspector = User.objects.filter(pk=v["inspector"], role=Role.INSPECTOR,
                                        is_active=True).first()
        if inspector is None:
            raise ValidationError({"inspector": ["监督员不存在或已停用。"]})
    actions.do_send_check(case, acting_user=request.user, inspector=inspector)


def _decide_extension(case, v, request):
    pending = case.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    if pending is None:
        raise ValidationError("该案件没有待审批的延期申请。")
    actions.do_decide_extension(pending, acting_user=request.user, approve=v["approve"],
                                note=v["note"])


def _handle(case, v, request):
    lon, lat = _pair(v)
    actions.do_handle(case, acting_user=request.user, photos=v["photos"], note=v["note"],
                      lon=lon, lat=lat)


def _check(case, v, request):
    lon, lat = _pair(v)
    actions.do_check(case, acting_user=request.user, passed=v["passed"], photos=v["photos"],
                     note=v["note"], lon=lon, lat=lat)


def _return(case, v, request):
    lon, lat = _pair(v)
    actions.do_return_to_desk(case, acting_user=request.user, reason=v["reason"], lon=lon,
                              lat=lat)


def _join(case, v, request):
    lon, lat = _pair(v)
    key = _idempotency_key(request, v["idempotency_key"])
    actions.do_join(case, acting_user=request.user, note=v["note"], photos=v["photos"],
                    lon=lon, lat=lat, idempotency_key=key)


def _mark_duplicate(case, v, request):
    of = Case.objects.get(pk=v["of"])  # within the caller's scope (IdField)
    actions.do_mark_duplicate(case, acting_user=request.user, of=of, note=v["note"])


class CaseViewSet(mixins.CreateModelMixin, StrictIdViewSet):
    """案件：查询（与案件列表相同的筛选）、上报（JSON 或 multipart 带照片，支持幂等键），以及
    受理、立案、派遣、处置、核查、结案等各办理环节。"""

    model = Case
    personal_data = True  # reporters' and actors' names, places, photos
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    select_related = ("type_version__case_type", "handling_unit")

    def get_serializer_class(self):
        return s.CaseSerializer if self.action == "list" else s.CaseDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(*_detail_prefetch())
        return qs

    def paginate_queryset(self, queryset):
        from cases.clock import clocks_for

        page = super().paginate_queryset(queryset)
        if page is not None:
            self._clocks = clocks_for(page)  # one query for the page's pauses
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["clocks"] = getattr(self, "_clocks", None)
        return context

    def detail_data(self, pk):
        return s.CaseDetailSerializer(_detail_queryset().get(pk=pk),
                                      context=self.get_serializer_context()).data

    @extend_schema(request=s.CaseReportInSerializer, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={201: s.CaseDetailSerializer,
                              200: OpenApiResponse(s.CaseDetailSerializer,
                                                   description="重发：同一幂等键的原案件")})
    def create(self, request, *args, **kwargs):
        """上报案件（位置为 WGS84 经纬度；照片以 multipart 的 photos 字段上传）。"""
        body = s.CaseReportInSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        v = body.validated_data
        key = _idempotency_key(request, v["idempotency_key"])
        created = set()
        token = _created_cases.set(created)
        try:
            case = actions.do_report_case(
                acting_user=request.user, type_version=v["case_type"],  # its current version
                description=v["description"],
                lon=v["lon"], lat=v["lat"], idempotency_key=key, source=v["source"],
                urgency=v["urgency"], address=v["address"],
                grid=Grid.objects.get(pk=v["grid"]) if v["grid"] else None,
                segment=RoadSegment.objects.get(pk=v["segment"]) if v["segment"] else None,
                component=Component.objects.get(pk=v["component"]) if v["component"] else None,
                photos=v["photos"])
        finally:
            _created_cases.reset(token)
        if case.pk in created:
            return Response(self.new_case_data(case), status=status.HTTP_201_CREATED)
        return Response(self.detail_data(case.pk), status=status.HTTP_200_OK)

    def new_case_data(self, case):
        """The detail of a case this request has just filed, from the rows the action wrote
        (the case, its 上报 event and photos; a new case has no extension request), as the
        read-back would give them, but without reading them back: the same body as a later
        GET of the case (cases/tests/test_api_idempotency.py compares them)."""
        context = self.get_serializer_context()
        data = s.CaseSerializer(case, context=context).data
        data["events"] = s.CaseEventSerializer([case.report_event], many=True,
                                               context=context).data
        data["photos"] = s.CasePhotoSerializer(case.report_photos, many=True,
                                               context=context).data
        data["extension_requests"] = []
        return data

    step_accept = _step("accept", s.CaseNoteSerializer,
                   lambda c, v, r: actions.do_accept(c, acting_user=r.user, note=v["note"]),
                   "受理（指挥中心）。")
    step_register = _step("register", s.CaseNoteSerializer,
                     lambda c, v, r: actions.do_register(c, acting_user=r.user, note=v["note"]),
                     "立案（指挥中心，对照立案标准）。")
    step_reject = _step("reject", s.CaseReasonSerializer,
                   lambda c, v, r: actions.do_reject(c, acting_user=r.user, reason=v["reason"]),
                   "不予立案（指挥中心，须说明理由）。")
    step_dispatch = _step(
        "dispatch", s.CaseDispatchSerializer,
        lambda c, v, r: actions.do_dispatch(c, acting_user=r.user, unit=_unit(v["unit"]),
                                            note=v["note"]),
        "派遣（指挥中心）；不填处置单位则按派遣规则确定。")
    step_reassign = _step(
        "reassign", s.CaseReassignSerializer,
        lambda c, v, r: actions.do_reassign(c, acting_user=r.user, unit=_unit(v["unit"]),
                                            note=v["note"]),
        "改派（指挥中心）。")
    step_return = _step("return", s.CaseReturnSerializer, _return,
                        "回退（处置单位：非本单位职责，须说明理由）。")
    step_refuse_return = _step(
        "refuse-return", s.CaseReasonSerializer,
        lambda c, v, r: actions.do_refuse_return(c, acting_user=r.user, reason=v["reason"]),
        "不同意回退（指挥中心，退回原处置单位，时限不变）。")
    step_start = _step("start", None, lambda c, v, r: actions.do_start(c, acting_user=r.user),
                  "签收（处置单位）。")
    step_handle = _step("handle", s.CaseHandleSerializer, _handle,
                   "处置（处置单位，须上传处置后照片，multipart 的 photos 字段）。")
    step_send_check = _step("send-check", s.CaseSendCheckSerializer, _send_check,
                       "派发核查（指挥中心）；默认由上报的监督员核查。")
    step_check = _step("check", s.CaseCheckSerializer, _check,
                       "核查（被派发核查的监督员，须上传现场照片）。")
    step_close = _step("close", s.CaseNoteSerializer,
                  lambda c, v, r: actions.do_close(c, acting_user=r.user, note=v["note"]),
                  "结案（指挥中心，核查通过后）。")
    step_extension = _step(
        "extension", s.CaseExtensionInSerializer,
        lambda c, v, r: actions.do_request_extension(c, acting_user=r.user, amount=v["amount"],
                                                     unit=v["unit"], reason=v["reason"]),
        "申请延期（处置单位）。")
    step_extension_decision = _step("extension-decision", s.CaseDecisionSerializer, _decide_extension,
                               "审批延期申请（指挥中心；不予延期须说明理由）。")
    step_hang = _step("hang", s.CaseReasonSerializer,
                 lambda c, v, r: actions.do_hang(c, acting_user=r.user, reason=v["reason"]),
                 "挂账（指挥中心，暂停计时）。")
    step_unhang = _step("unhang", s.CaseNoteSerializer,
                   lambda c, v, r: actions.do_unhang(c, acting_user=r.user, note=v["note"]),
                   "恢复办理（指挥中心）。")
    step_supervise = _step("supervise", s.CaseSuperviseSerializer,
                      lambda c, v, r: actions.do_supervise(c, acting_user=r.user,
                                                           note=v["note"]),
                      "督办（指挥中心，须填写督办意见；通知处置单位）。")
    step_void = _step("void", s.CaseReasonSerializer,
                 lambda c, v, r: actions.do_void(c, acting_user=r.user, reason=v["reason"]),
                 "作废（指挥中心，须说明理由）。")
    step_join = _step("join", s.CaseJoinSerializer, _join,
                      "重复上报：在已有案件上补充现场情况（同一幂等键只记一次）。",
                      parameters=[IDEMPOTENCY_PARAMETER])
    step_mark_duplicate = _step("mark-duplicate", s.CaseDuplicateSerializer, _mark_duplicate,
                           "并案（指挥中心：将重复案件并入已有案件）。")


class CaseTypeViewSet(StrictIdViewSet):
    """案件类型（部件、事件），附当前版本的立案、结案标准和处置时限。"""

    model = CaseType
    serializer_class = s.CaseTypeSerializer
    filterset_fields = ["kind", "group", "active"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("versions")


class GridViewSet(StrictIdViewSet):
    """单元网格。"""

    model = Grid
    serializer_class = s.GridSerializer
    filterset_fields = ["street_unit", "community_unit"]
    select_related = ("street_unit", "community_unit")


class SegmentViewSet(StrictIdViewSet):
    """路段及其路长（电话为掩码）。"""

    model = RoadSegment
    personal_data = True  # chiefs' names
    serializer_class = s.RoadSegmentSerializer
    filterset_fields = ["road"]
    select_related = ("road",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            Prefetch("chiefs", RoadChief.objects.select_related("person")))


class ComponentViewSet(StrictIdViewSet):
    """部件。"""

    model = Component
    serializer_class = s.ComponentSerializer
    filterset_fields = ["type_code", "state", "grid", "owner_unit"]
    select_related = ("owner_unit",)

