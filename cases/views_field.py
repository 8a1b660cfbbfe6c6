"""Field (phone) pages: 上报 in one screen, 加入已有案件, 我的案件, 核查, 我的路段, 路长公示牌.

Every page reads cases through Case.objects.visible_to(user), except the duplicate hint
(NearbyView), whose wider read is argued there. Every change goes through cases.actions.
"""

import math
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from cases import actions, permissions, workflow
from cases.choices import CaseGroup, CaseState, EventType, PhotoStage
from cases.forms_field import MAX_PHOTOS, CheckForm, JoinForm, ReportForm
from cases.models import Case, CasePhoto, CaseType, RoadChief, RoadSegment
from cases.selectors import distance_m, nearby_open
from cases.signs import sign_for_segment
from core.files import serve_file
from core.scope import get_for_user
from org.choices import Role
from org.roles import Cap, has_cap

# How far the duplicate hint may look, whatever a type's radius says (a hint, not a map).
NEARBY_MAX_RADIUS_M = 200
NEARBY_LIMIT = 5


def wants_json(request) -> bool:
    """The report page's script posts with fetch and reads JSON; without script the same
    view answers with pages."""
    return "application/json" in request.headers.get("Accept", "")


def detail_url(case):
    """The case page (built by the desk pages); None until it exists."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return None


def errors_of(form) -> list[str]:
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        hidden = name in form.fields and form.fields[name].widget.is_hidden
        for error in errors:
            found.append(f"{label}：{error}" if label and not hidden else str(error))
    return found


def require_reporter(user):
    permissions.require(permissions.may_report(user), "当前角色不能上报案件。")


def type_code(case_type) -> str:
    return f"{case_type.major_code}{case_type.minor_code}"


def type_choices() -> list[dict]:
    """The type-ahead's data: every active type with its code, names and group."""
    groups = dict(CaseGroup.choices)
    rows = CaseType.objects.active().filter(active=True).order_by("kind", "major_code",
                                                                   "minor_code")
    return [{"id": t.pk, "code": type_code(t), "kind": t.get_kind_display(),
             "major": t.major_name, "name": t.minor_name, "group": groups.get(t.group, "")}
            for t in rows]


def map_config() -> dict:
    """The tile service, when the city has one; else the map draws grids and road segments
    around the point (FieldGeoView) on a plain background, which needs no network beyond
    ours."""
    from django.conf import settings

    return {"tileUrl": settings.BASEMAP_TILE_URL, "tileKey": settings.BASEMAP_TILE_KEY,
            "tileSubdomains": settings.BASEMAP_TILE_SUBDOMAINS,
            "labelUrl": settings.BASEMAP_LABEL_URL, "gcj02": settings.BASEMAP_IS_GCJ02,
            "centre": _grids_centre(),
            "attribution": settings.BASEMAP_ATTRIBUTION}


def _grids_centre() -> list[float]:
    """[lat, lon] of the city's grids, where the map opens before a position is known."""
    from django.db.models import Avg

    from cases.models import Grid

    c = Grid.objects.active().aggregate(a=Avg("min_lat"), b=Avg("max_lat"), c=Avg("min_lon"),
                                        d=Avg("max_lon"))
    if c["a"] is None:
        return [34.51, 113.38]
    return [round((c["a"] + c["b"]) / 2, 6), round((c["c"] + c["d"]) / 2, 6)]


def _field_context(form, **extra) -> dict:
    return {"form": form, "types": type_choices(), "map_config": map_config(),
            "max_photos": MAX_PHOTOS, **extra}


# --- 上报 ------------------------------------------------------------------------------


class ReportView(View):
    """One screen: photo, position (EXIF → device → pin), type with search, description,
    urgency. A retried submit carries the same client key and gets the same case."""

    template_name = "cases/field/report.html"

    def dispatch(self, request, *args, **kwargs):
        require_reporter(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = ReportForm(user=request.user)
        return render(request, self.template_name, _field_context(form))

    def post(self, request):
        # A retry of a report that did arrive (its answer was lost) is answered with that
        # case before the form is looked at: after a reload the photos are gone from the
        # page, and "请选择照片" would hide that the case exists.
        earlier = self._already_filed(request)
        if earlier is not None:
            return self._done(request, earlier)
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                case = self._submit(request, form)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return self._done(request, case)
        if wants_json(request):
            return JsonResponse({"ok": False, "errors": errors_of(form)}, status=400)
        return render(request, self.template_name, _field_context(form), status=400)

    @staticmethod
    def _already_filed(request):
        key = (request.POST.get("idempotency_key") or "").strip()
        if not key or len(key) > 64:
            return None
        return Case.objects.filter(reporter=request.user, idempotency_key=key).first()

    @staticmethod
    def _done(request, case):
        url = reverse("cases:report_done", args=[case.pk])
        if wants_json(request):
            return JsonResponse({"ok": True, "url": url, "number": case.number})
        return redirect(url)

    @staticmethod
    def _submit(request, form) -> Case:
        data = form.cleaned_data
        version = data["case_type"].current_version()
        if version is None:
            raise ValidationError("该问题类型尚未设置立案标准和处置时限，请选择其他类型或联系指挥中心。")
        lon, lat, _source = form.position()
        with transaction.atomic():
            return actions.do_report_case(
                acting_user=request.user, type_version=version,
                description=data["description"], lon=lon, lat=lat,
                idempotency_key=data["idempotency_key"], source=data.get("source") or "",
                urgency=data["urgency"], address=data["address"],
                photos=[upload for upload, _info in data["photos"]])


class ReportDoneView(View):
    """上报结果: the case number, its state, the way to its page and to the next report."""

    def get(self, request, pk):
        case = get_for_user(Case, request.user, pk)
        joined = request.GET.get("joined") == "1"
        return render(request, "cases/field/report_done.html",
                      {"case": case, "detail_url": detail_url(case), "joined": joined})


class TypeListView(View):
    """The active types as JSON (the page also embeds them; this serves the API-less
    clients and a page kept open across a type-table change)."""

    def get(self, request):
        require_reporter(request.user)
        return JsonResponse({"types": type_choices()}, json_dumps_params={"ensure_ascii": False})


# --- duplicates first ------------------------------------------------------------------


class NearbyView(View):
    """Open cases of the same type around the point, before a duplicate is reported.

    Scope, decided: this reads ALL open cases, not Case.objects.visible_to(user). An
    inspector sees only his own reports, so a scoped hint would never show him the case
    his colleague reported an hour ago at the same drain, which is the duplicate the
    national practice (数字城管: a 监督员 sees the open cases of his grid before reporting)
    exists to catch. What leaves is deliberately little: number, type, state, distance and
    the 处置前 thumbnail — no description, address, reporter or unit — for open cases of
    the chosen type within that type's duplicate radius (at most NEARBY_MAX_RADIUS_M) of
    a point he is standing at, at most NEARBY_LIMIT of them; and only to those who may
    report (field roles and the desk). The case page itself stays scoped.
    """

    def get(self, request):
        require_reporter(request.user)
        try:
            case_type = CaseType.objects.active().get(pk=int(request.GET.get("type", "")))
            lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError
        except (CaseType.DoesNotExist, KeyError, TypeError, ValueError):
            return JsonResponse({"error": "请先选择问题类型并确定位置。"}, status=400)
        version = case_type.current_version()
        radius = min(version.duplicate_radius_m if version else 50, NEARBY_MAX_RADIUS_M)
        found = nearby_open(Case.objects.all(), case_type=case_type, lon=lon, lat=lat,
                            radius_m=radius, limit=NEARBY_LIMIT)
        thumbs = dict(_report_photos().filter(case__in=[c for c, _d in found])
                      .exclude(thumbnail="").order_by("case_id", "-created_at")
                      .values_list("case_id", "pk"))
        # The thumbnail is served for the point asked about (nearby_photo checks it again).
        where = urlencode({"lon": lon, "lat": lat})
        rows = [{"id": c.pk, "number": c.number or "", "type": c.case_type.minor_name,
                 "state": c.get_state_display(), "distance": round(d),
                 "thumb": (f'{reverse("cases:field_nearby_photo", args=[thumbs[c.pk]])}?{where}'
                           if c.pk in thumbs else None),
                 "join": reverse("cases:field_join", args=[c.pk])} for c, d in found]
        return JsonResponse({"radius": radius, "cases": rows},
                            json_dumps_params={"ensure_ascii": False})


def _open_case_for_hint(pk):
    """An open case for the duplicate hint's join and thumbnail (see NearbyView)."""
    case = (Case.objects.exclude(state__in=workflow.FINAL_STATES)
            .filter(pk=pk, duplicate_of__isnull=True).select_related("type_version__case_type")
            .first())
    if case is None:
        raise Http404("案件不存在或已办结。")
    return case


def _report_photos():
    """The photos the report came with (the 上报 event's): the hint shows what the
    reporter saw, never a joiner's, a unit's or a checker's photo."""
    return CasePhoto.objects.active().filter(stage=PhotoStage.BEFORE,
                                             event__kind=EventType.REPORT)


def nearby_photo(request, pk):
    """The 上报 thumbnail of an open case, for the duplicate hint (NearbyView's scope): only
    for a point (lon, lat in the query, as NearbyView's URL carries them) within the type's
    duplicate radius (at most NEARBY_MAX_RADIUS_M) of the case — no walking photo ids."""
    require_reporter(request.user)
    photo = _report_photos().filter(pk=pk).first()
    if photo is None:
        raise Http404("照片不存在。")
    case = _open_case_for_hint(photo.case_id)
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, TypeError, ValueError):
        raise Http404("照片不存在。") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise Http404("照片不存在。")
    radius = min(actions.join_radius_m(case), NEARBY_MAX_RADIUS_M)
    if distance_m(lon, lat, case.lon, case.lat) > radius:
        raise Http404("照片不存在。")
    return serve_file(request, photo.thumbnail, obj=photo, filename="缩略图.jpg",
                      content_type="image/jpeg", inline=True, variant="thumbnail")


def case_photo(request, pk):
    """A case photo's thumbnail within the user's own scope (check page, my cases)."""
    photo = get_for_user(CasePhoto, request.user, pk)
    return serve_file(request, photo.thumbnail or photo.file, obj=photo, filename="缩略图.jpg",
                      content_type="image/jpeg" if photo.thumbnail else photo.mime_type,
                      inline=True, variant="thumbnail")


class JoinView(View):
    """加入此案件: the sighting (note, photo, position) goes onto the open case as a
    重复上报 event instead of a second case."""

    def get(self, request, pk):
        require_reporter(request.user)
        case = _open_case_for_hint(pk)
        return render(request, "cases/field/join.html", {"case": case, "form": JoinForm()})

    def post(self, request, pk):
        require_reporter(request.user)
        case = _open_case_for_hint(pk)
        form = JoinForm(request.POST, request.FILES)
        do_join = getattr(actions, "do_join", None)
        if form.is_valid():
            lon, lat, _source = form.position()
            try:
                if do_join is None:
                    raise ValidationError("加入已有案件功能暂不可用，请直接上报。")
                do_join(case, acting_user=request.user, note=form.cleaned_data["note"],
                        photos=[u for u, _i in form.cleaned_data["photos"]], lon=lon, lat=lat,
                        idempotency_key=form.cleaned_data["idempotency_key"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                number = case.number or ""
                messages.success(request, f"已加入案件{number}，您的照片和说明已记入该案件。")
                if wants_json(request):  # the page goes on to 我的案件, which shows the message
                    return JsonResponse({"ok": True, "url": reverse("cases:my"),
                                         "number": number})
                return redirect("cases:my")
        if wants_json(request):
            return JsonResponse({"ok": False, "errors": errors_of(form)}, status=400)
        return render(request, "cases/field/join.html", {"case": case, "form": form},
                      status=400)


# --- 我的案件 and 核查 -------------------------------------------------------------------


def _clocks(cases) -> dict:
    """Deadline and remaining working time (cases.clock, when present)."""
    try:
        from cases.clock import clocks_for
    except ImportError:
        return {}
    return clocks_for(cases)


class MyCasesView(View):
    """我的案件: the cases I reported, with their states; for an inspector, the checks the
    desk sent me (待核查) first."""

    PAGE = 50

    def get(self, request):
        user = request.user
        require_reporter(user)
        visible = Case.objects.visible_to(user).select_related("type_version__case_type")
        checks = []
        if user.role == Role.INSPECTOR:
            checks = list(visible.filter(checker=user, state=CaseState.CHECKING)
                          .order_by("handled_at", "pk"))
        show = request.GET.get("show", "open")
        # his reports and the cases he joined (重复上报) with a sighting on the spot
        mine = visible.filter(Q(reporter=user) | permissions.joined_by(user))
        if show != "all":
            mine = mine.exclude(state__in=workflow.FINAL_STATES)
        mine = list(mine.order_by("-reported_at")[:self.PAGE])
        clocks = _clocks(mine + checks)
        for case in mine + checks:
            case.clock = clocks.get(case.pk)
            case.detail_url = detail_url(case)
            case.joined = case.reporter_id != user.pk
        return render(request, "cases/field/my.html", {
            "checks": checks, "mine": mine, "show": show, "page_size": self.PAGE,
            "is_inspector": user.role == Role.INSPECTOR})


class CheckView(View):
    """核查 on site: passed or failed, a photo, a note, where it was done. Only the
    inspector the desk sent the check to."""

    template_name = "cases/field/check.html"

    def _case(self, request, pk):
        case = get_for_user(Case, request.user, pk)  # outside scope: 404
        if not permissions.is_checker(request.user, case):
            raise PermissionDenied("只有被派发核查的监督员可以核查此案件。")
        return case

    def _context(self, case, form):
        photos = case.photos.active().exclude(stage=PhotoStage.CHECK).order_by("created_at")
        return {"case": case, "form": form, "photos": photos, "detail_url": detail_url(case),
                "version": case.type_version, "open": case.state == CaseState.CHECKING}

    def get(self, request, pk):
        case = self._case(request, pk)
        return render(request, self.template_name, self._context(case, CheckForm()))

    def post(self, request, pk):
        case = self._case(request, pk)
        form = CheckForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            lon, lat, _source = form.position()
            passed = data["result"] == "passed"
            try:
                actions.do_check(case, acting_user=request.user, passed=passed,
                                 photos=[u for u, _i in data["photos"]], note=data["note"],
                                 lon=lon, lat=lat)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"案件{case.number}核查{'通过' if passed else '不通过，已返工'}。")
                return redirect("cases:my")
        return render(request, self.template_name, self._context(case, form), status=400)


# --- 路长 --------------------------------------------------------------------------------


class SegmentsView(View):
    """我的路段: the segments where I am a road chief, each with its open cases."""

    def get(self, request):
        user = request.user
        posts = []
        if user.is_authenticated and user.person_id:
            posts = list(RoadChief.objects.active().filter(person_id=user.person_id)
                         .select_related("segment__road").order_by("segment__road__sort_order",
                                                                   "segment__order"))
        if not posts and user.role != Role.ROAD_CHIEF:
            raise PermissionDenied("只有路长可以查看“我的路段”。")
        segment_ids = [p.segment_id for p in posts]
        open_cases = list(Case.objects.visible_to(user)
                          .filter(segment_id__in=segment_ids)
                          .exclude(state__in=workflow.FINAL_STATES)
                          .select_related("type_version__case_type").order_by("-reported_at"))
        clocks = _clocks(open_cases)
        by_segment = {}
        for case in open_cases:
            case.clock = clocks.get(case.pk)
            case.detail_url = detail_url(case)
            by_segment.setdefault(case.segment_id, []).append(case)
        rows = [{"post": p, "segment": p.segment, "cases": by_segment.get(p.segment_id, [])}
                for p in posts]
        return render(request, "cases/field/segments.html", {"rows": rows})


class SignView(View):
    """路长公示牌 of a segment, printable: 路名, 起止, the three levels of road chiefs with
    masked phones, and the supervision line.

    The sign's content is public on the street, so any signed-in government role may open
    and print it; phones are masked for everyone here (the sign is what a passer-by reads),
    whoever prints it."""

    def get(self, request, segment_id):
        if not has_cap(request.user, Cap.VIEW_ORG):
            raise PermissionDenied("当前角色无权查看路长公示牌。")
        segment = RoadSegment.objects.visible_to(request.user).select_related("road").filter(
            pk=segment_id).first()
        if segment is None:
            raise Http404("路段不存在。")
        # One source of the sign's content (cases.signs, also the API's): phones masked.
        return render(request, "cases/field/sign.html",
                      {"segment": segment, "sign": sign_for_segment(segment)})


class FieldGeoView(View):
    """Grids and road segments around a point, the offline map's background (base data,
    OpenDataQuerySet scope)."""

    HALF_SIDE_DEG = 0.006  # about 600 m each way

    def get(self, request):
        from cases.models import Grid

        try:
            lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        except (KeyError, TypeError, ValueError):
            return JsonResponse({"error": "位置坐标无效。"}, status=400)
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
                and -90 <= lat <= 90):  # NaN once reached shapely and raised (500)
            return JsonResponse({"error": "位置坐标无效。"}, status=400)
        d = self.HALF_SIDE_DEG
        grids = (Grid.objects.visible_to(request.user)
                 .filter(min_lon__lte=lon + d, max_lon__gte=lon - d, min_lat__lte=lat + d,
                         max_lat__gte=lat - d).values_list("code", "name", "geometry")[:200])
        features = [{"type": "Feature", "geometry": geometry,
                     "properties": {"kind": "grid", "name": name or code[-3:]}}
                    for code, name, geometry in grids]
        segments = []
        if RoadSegment.objects.visible_to(request.user).exists():
            from shapely.geometry import box, shape

            window = box(lon - d, lat - d, lon + d, lat + d)
            for seg in RoadSegment.objects.visible_to(request.user).select_related("road")[:2000]:
                try:
                    if shape(seg.geometry).intersects(window):
                        segments.append({"type": "Feature", "geometry": seg.geometry,
                                         "properties": {"kind": "segment", "name": seg.road.name}})
                except (TypeError, ValueError, AttributeError):
                    continue  # a malformed stored line is left off the background
        return JsonResponse({"type": "FeatureCollection", "features": features + segments},
                            json_dumps_params={"ensure_ascii": False})
