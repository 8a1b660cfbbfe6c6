"""The command centre (指挥中心): its work queues as tabs, the case map and the export.

Every queue reads Case.objects.visible_to(user) through the shared CaseFilterSet; the
buttons post to cases:step (cases/views_case.py), which calls the do_* actions."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Min, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from cases import permissions
from cases.choices import CaseState, EventType, ExtensionStatus
from cases.forms import CaseFilterSet, DecideExtensionForm
from cases.models import Case, CaseEvent, ExtensionRequest
from cases.routing import propose_for_case
from cases.selectors import nearby_open
from cases.views_case import basemap_settings, basemap_url, map_point
from cases.views_common import (
    AT_UNIT,
    OPEN_STATES,
    RETURNED,
    STATE_COLOURS,
    attach_clocks,
)
from core.audit import record_audit
from core.choices import AuditEventType
from core.models import AuditEvent
from org.models import Unit

S = CaseState
PAGE_SIZE = 20
ROW_RELATED = ("type_version__case_type", "grid", "handling_unit", "reporter", "component",
               "checker")


class DeskRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_desk(request.user):
            raise PermissionDenied("只有指挥中心可以访问该页面。")
        return super().dispatch(request, *args, **kwargs)


class CitywideRequiredMixin:
    """The desk, and read-only the supervision bureau and city leaders, see the whole
    city's cases (the map; the desk's own page is DeskRequiredMixin)."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.role in permissions.CITYWIDE_READERS):
            raise PermissionDenied("当前角色无权访问该页面。")
        return super().dispatch(request, *args, **kwargs)


def filtered_cases(request):
    """(filterset, the user's cases the filters match)."""
    qs = Case.objects.visible_to(request.user)
    filterset = CaseFilterSet(request.GET, queryset=qs, request=request)
    return filterset, (filterset.qs if filterset.is_valid() else qs.none())


def _returned_q():
    """回退待审: the unit sent it back; the desk 改派 it or refuses the 回退."""
    return Q(state=RETURNED)


# (key, label, condition on the filtered cases, order)
TABS = [
    ("intake", "受理立案", lambda: Q(state__in=[S.REPORTED, S.ACCEPTED]), ("reported_at", "pk")),
    ("dispatch", "待派遣", lambda: Q(state=S.REGISTERED), ("registered_at", "pk")),
    ("returned", "回退待审", _returned_q, ("-updated_at", "pk")),
    ("extensions", "延期审批", None, None),
    ("check", "核查结案", lambda: Q(state__in=[S.HANDLED, S.CHECKING, S.CHECKED]),
     ("handled_at", "pk")),
    ("supervise", "在办督办", lambda: Q(state__in=AT_UNIT), ("deadline_at", "pk")),
    ("hung", "挂账", lambda: Q(state=S.HUNG), ("-updated_at", "pk")),
    ("all", "全部案件", lambda: Q(), ("-reported_at", "-pk")),
]
TAB_KEYS = [key for key, *_ in TABS]


class DeskView(DeskRequiredMixin, View):
    template_name = "cases/desk/desk.html"

    def get(self, request):
        tab = request.GET.get("tab") or "intake"
        if tab not in TAB_KEYS:
            tab = "intake"
        filterset, cases = filtered_cases(request)
        counts = cases.aggregate(**{key: Count("pk", filter=cond())
                                    for key, _, cond, _ in TABS if cond and key != "all"})
        counts["extensions"] = self._extensions(request.user, cases).count()
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("tab", None)
        ctx = {"filterset": filterset, "tab": tab, "query_without_tab": query.urlencode(),
               "tabs": [(key, label, counts.get(key)) for key, label, *_ in TABS]}
        query["tab"] = tab
        ctx["query_without_page"] = query.urlencode()
        if tab == "extensions":
            page = Paginator(self._extensions(request.user, cases).select_related(
                "case__type_version__case_type", "case__handling_unit", "requested_by")
                .order_by("created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
            attach_clocks([ext.case for ext in page.object_list])
            ctx["decide_form"] = DecideExtensionForm()
        else:
            _, _, cond, order = TABS[TAB_KEYS.index(tab)]
            rows = cases.filter(cond()).select_related(*ROW_RELATED).order_by(*order)
            if tab == "supervise":  # a case without deadline (none yet) last
                rows = rows.order_by(F("deadline_at").asc(nulls_last=True), "pk")
            page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
            page.object_list = attach_clocks(page.object_list)
            getattr(self, f"_rows_{tab}", lambda *a: None)(request.user, page.object_list)
        ctx["page_obj"] = page
        ctx["rows"] = page.object_list
        ctx["row_offset"] = page.start_index() - 1 if page.paginator.count else 0
        ctx["calendar_warning"] = self._calendar_warning()
        return render(request, self.template_name, ctx)

    @staticmethod
    def _calendar_warning() -> str:
        """Next year's 放假安排 not entered (core.workdays): every deadline after New Year
        would be counted on a Monday-to-Friday guess. The desk sets deadlines, so the
        desk is told, on its own page, until the office enters them (工作日调整)."""
        from zoneinfo import ZoneInfo

        from core.workdays import calendar_coverage_warning

        today = timezone.localdate(timezone=ZoneInfo("Asia/Shanghai"))
        return calendar_coverage_warning(today) or ""

    @staticmethod
    def _extensions(user, cases):
        return ExtensionRequest.objects.visible_to(user).filter(
            status=ExtensionStatus.PENDING, case__in=cases.values("pk"))

    @staticmethod
    def _rows_intake(user, rows):
        visible = Case.objects.visible_to(user)
        for case in rows:
            case.nearby = nearby_open(visible.exclude(pk=case.pk), case_type=case.case_type,
                                      lon=case.lon, lat=case.lat, limit=3)

    @staticmethod
    def _rows_dispatch(user, rows):
        proposals = {case.pk: propose_for_case(case) for case in rows}
        names = dict(Unit.objects.filter(pk__in={p.unit_id for p in proposals.values()
                                                 if p.unit_id}).values_list("pk", "name"))
        for case in rows:
            case.proposal = proposals[case.pk]
            case.proposal_unit_name = names.get(case.proposal.unit_id, "")

    @staticmethod
    def _rows_returned(user, rows):
        last = {}
        for event in (CaseEvent.objects.filter(case__in=[c.pk for c in rows],
                                               kind=EventType.RETURN)
                      .select_related("unit", "actor").order_by("at", "pk")):
            last[event.case_id] = event  # the latest wins
        for case in rows:
            case.return_event = last.get(case.pk)


# --- the map ----------------------------------------------------------------------------


MAP_MAX_FEATURES = 3000
MAP_READ = "案件地图数据读取"
MAP_READ_AUDIT_EVERY = timedelta(hours=1)
BBOX_ERROR = "范围参数 bbox 应为“最小经度,最小纬度,最大经度,最大纬度”。"


class CaseMapView(CitywideRequiredMixin, View):
    def get(self, request):
        filterset, _ = filtered_cases(request)
        config = {**basemap_settings(), "colours": STATE_COLOURS,
                  "labels": dict(S.choices), "openStates": OPEN_STATES}
        return render(request, "cases/desk/map.html", {
            "filterset": filterset, "map_config": config, "basemap_url": basemap_url(request.user),
            "desk_roles": list(permissions.DESK_ROLES)})


def _bbox(request):
    """The view box in stored coordinates (it arrives in the basemap's)."""
    from django.conf import settings

    try:
        values = [float(v) for v in request.GET.get("bbox", "").split(",")]
    except ValueError:
        return None
    if len(values) != 4 or not (-180 <= values[0] <= values[2] <= 180
                                and -90 <= values[1] <= values[3] <= 90):
        return None
    if settings.BASEMAP_IS_GCJ02:
        from geo.gcj02 import gcj02_to_wgs84

        xs, ys = gcj02_to_wgs84([values[0], values[2]], [values[1], values[3]])
        values = [float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1])]
    return values


def _audit_map_read(request, returned: int) -> None:
    """Once per user per hour, as the battle map audits its reads (maps/views.py)."""
    recent = AuditEvent.objects.filter(
        user=request.user, event_type=AuditEventType.EXPORT,
        time__gt=timezone.now() - MAP_READ_AUDIT_EVERY, detail__what=MAP_READ)
    if not recent.exists():
        record_audit(AuditEventType.EXPORT, request=request, what=MAP_READ,
                     path=request.path, query=request.GET.urlencode()[:500], returned=returned,
                     note="同一用户每小时记录一次")


class CaseMapDataView(View):
    """Open cases in the view box as GeoJSON points, coloured by state. Scoped by
    visible_to for whoever asks (a unit gets its own cases only). Never cut silently:
    past MAP_MAX_FEATURES the answer has no features and `truncated`."""

    def get(self, request):
        filterset, cases = filtered_cases(request)
        if not filterset.is_valid():
            return JsonResponse({"errors": filterset.errors}, status=400)
        bbox = _bbox(request)
        if "bbox" in request.GET and bbox is None:
            return JsonResponse({"errors": {"bbox": [BBOX_ERROR]}}, status=400)
        if not filterset.form.cleaned_data.get("state"):
            cases = cases.filter(state__in=OPEN_STATES)
        counts = dict(cases.order_by().values_list("state").annotate(n=Count("pk")))
        box = cases.aggregate(w=Min("lon"), s=Min("lat"), e=Max("lon"), n=Max("lat"))
        matched = None
        if box["w"] is not None:  # what the filters match, so that the map can frame it
            (w, s), (e, n) = map_point(box["w"], box["s"]), map_point(box["e"], box["n"])
            matched = [round(w, 6), round(s, 6), round(e, 6), round(n, 6)]
        if bbox:
            cases = cases.filter(lon__gte=bbox[0], lat__gte=bbox[1], lon__lte=bbox[2],
                                 lat__lte=bbox[3])
        rows = list(cases.order_by("-reported_at", "-pk").values_list(
            "pk", "number", "state", "lon", "lat", "type_version__case_type__minor_name",
            "address")[:MAP_MAX_FEATURES + 1])
        truncated = len(rows) > MAP_MAX_FEATURES
        features = [] if truncated else [
            {"type": "Feature", "id": pk,
             "geometry": {"type": "Point", "coordinates": map_point(lon, lat)},
             "properties": {"number": number or "", "state": state,
                            "label": S(state).label, "type": type_name, "address": address}}
            for pk, number, state, lon, lat, type_name, address in rows]
        _audit_map_read(request, len(features))
        return JsonResponse({"type": "FeatureCollection", "features": features,
                             "truncated": truncated, "numberMatched": None if not truncated
                             else cases.count(), "counts": counts, "bbox": matched},
                            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


# --- export -----------------------------------------------------------------------------


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROLES = permissions.CITYWIDE_READERS | permissions.UNIT_STAFF_ROLES
# A year of the demo city is about 15,000 cases; a workbook of 50,000 rows is ~10 MB built.
EXPORT_MAX_ROWS = 50_000


class CaseExportView(View):
    """The user's cases for the current filters as .xlsx (audited)."""

    def get(self, request):
        from cases.exports import write_cases

        if request.user.role not in EXPORT_ROLES:
            raise PermissionDenied("当前角色无权导出案件。")
        filterset, cases = filtered_cases(request)
        total = cases.count()
        if total > EXPORT_MAX_ROWS:  # one workbook is built in memory: bound what it holds
            return HttpResponse(f"符合条件的案件有{total}件，超过单次导出上限{EXPORT_MAX_ROWS}件，"
                                "请缩小时间范围或增加筛选条件后再导出。", status=400,
                                content_type="text/plain; charset=utf-8")
        rows = cases.select_related(*ROW_RELATED).order_by("-reported_at", "-pk")
        data, count = write_cases(rows)
        record_audit(AuditEventType.EXPORT, request=request, what="案件清单",
                     query=request.GET.urlencode()[:500], rows=count)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="cases-{timezone.localdate():%Y%m%d}.xlsx"')
        return response
