"""The battle map (挂图作战) and the layer pages."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from shapely.geometry import mapping, shape

from core.audit import record_audit
from core.choices import AuditEventType
from core.models import AuditEvent
from core.pdf import html_to_pdf
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin
from geo.choices import LayerKind
from geo.models import Feature, Layer
from maps import actions
from maps.filtersets import MapFilterSet
from maps.models import BasemapFeature
from maps.selectors import POINTS_BELOW_ZOOM, for_basemap, project_points, project_shapes
from org.roles import Cap
from plans.models import CoreDistrict
from projects.choices import COLOUR_HEX, COLOUR_ICON, Colour
from projects.engine import colour_counts
from projects.models import Project
from projects.selectors import enrich


def filtered_projects(request):
    """The same FilterSet as the ledger, on the user's own scope."""
    qs = Project.objects.visible_to(request.user)
    filterset = MapFilterSet(request.GET, queryset=qs, request=request)
    return filterset, (filterset.qs if filterset.is_valid() else qs.none())


class BattleMapView(CapabilityRequiredMixin, View):
    required_cap = Cap.VIEW_PROJECTS

    def get(self, request):
        filterset, _ = filtered_projects(request)
        shown = Layer.objects.filter(current_version__isnull=False)
        if not request.user.has_cap(Cap.VIEW_PLANS):
            shown = shown.filter(is_public=True)  # as LayerDataView allows
        layers = [layer_info(layer) for layer in shown.select_related("current_version")]
        config = {
            **basemap_config(),
            "pointsBelowZoom": POINTS_BELOW_ZOOM, "colours": COLOUR_HEX, "icons": COLOUR_ICON,
            "labels": dict(Colour.choices), "layers": layers,
            "layerLimit": LayerDataView.MAX_FEATURES,
        }
        return render(request, "maps/battle_map.html",
                      {"filterset": filterset, "map_config": config})


def basemap_config() -> dict:
    """What the battle map and the big screen need to draw their background."""
    return {"tileUrl": settings.BASEMAP_TILE_URL, "tileKey": settings.BASEMAP_TILE_KEY,
            "tileSubdomains": settings.BASEMAP_TILE_SUBDOMAINS,
            "labelUrl": settings.BASEMAP_LABEL_URL, "gcj02": settings.BASEMAP_IS_GCJ02,
            "attribution": basemap_attribution()}


def basemap_attribution() -> str:
    """The map's credit line: the source of the background, and nothing else."""
    if settings.BASEMAP_ATTRIBUTION:
        return settings.BASEMAP_ATTRIBUTION
    if "tianditu" in settings.BASEMAP_TILE_URL:
        return "底图：天地图"
    return "底图：本市地理数据"


def layer_info(layer) -> dict:
    """A plan layer as the map's layer list needs it; a land-use layer also carries the
    colour of each 用地性质 it holds and the legend lines for them."""
    info = {"id": layer.pk, "name": layer.name, "style": layer.effective_style(),
            "count": layer.current_version.feature_count, "kind": layer.kind}
    if layer.kind == LayerKind.LAND_USE:
        from maps.landuse import UNKNOWN_COLOUR, palette_and_legend

        present = (Feature.objects.filter(version_id=layer.current_version_id).order_by()
                   .values_list("land_use", flat=True).distinct())
        info["palette"], info["legend"] = palette_and_legend(present)
        info["unknownColour"] = UNKNOWN_COLOUR
    return info


# Map data leaving the system is audited like any bulk read, but the map asks again on every
# pan and zoom. So one event per user, per source (projects, districts, each layer), per
# hour: the trail says who read which data when, without hundreds of rows per session.
# Telling the map's own requests apart by their headers (X-Requested-With, Sec-Fetch-*,
# Referer) would not do: a script sends the same headers and would never be audited.
MAP_READ = "地图数据读取"
MAP_READ_AUDIT_EVERY = timedelta(hours=1)


def audit_map_read(request, source: str, returned: int, obj=None) -> None:
    """Audit this read unless the user read `source` within the hour. Two first reads at
    the same instant may both be recorded; that costs a row, never a missed read."""
    recent = AuditEvent.objects.filter(
        user=request.user, event_type=AuditEventType.EXPORT,
        time__gt=timezone.now() - MAP_READ_AUDIT_EVERY,
        detail__what=MAP_READ, detail__source=source)
    if not recent.exists():
        record_audit(AuditEventType.EXPORT, request=request, obj=obj, what=MAP_READ,
                     source=source, path=request.path, query=request.GET.urlencode()[:500],
                     returned=returned, note="同一用户同一数据每小时记录一次")


BBOX_ERROR = "范围参数 bbox 应为“最小经度,最小纬度,最大经度,最大纬度”。"


def _bbox(request):
    try:
        values = [float(v) for v in request.GET.get("bbox", "").split(",")]
    except ValueError:
        return None
    if len(values) != 4 or not (-180 <= values[0] <= values[2] <= 180
                                and -90 <= values[1] <= values[3] <= 90):
        return None
    return values


def view_bbox(request):
    """The map's view box in stored (CGCS2000) coordinates; it arrives in basemap coordinates."""
    bbox = _bbox(request)
    if bbox and settings.BASEMAP_IS_GCJ02:
        from geo.gcj02 import gcj02_to_wgs84

        xs, ys = gcj02_to_wgs84([bbox[0], bbox[2]], [bbox[1], bbox[3]])
        bbox = [float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1])]
    return bbox


class ProjectDataView(CapabilityRequiredMixin, View):
    """Projects for the map: dots at low zoom, simplified shapes in the view when closer."""

    required_cap = Cap.VIEW_PROJECTS

    def get(self, request):
        filterset, qs = filtered_projects(request)
        if not filterset.is_valid():
            return JsonResponse({"errors": filterset.errors}, status=400)
        try:
            zoom = int(request.GET.get("zoom", "0"))
        except ValueError:
            return JsonResponse({"errors": {"zoom": ["缩放级别应为整数"]}}, status=400)
        bbox = view_bbox(request)
        if zoom >= POINTS_BELOW_ZOOM and bbox:
            data = for_basemap(project_shapes(qs, bbox, zoom))
        else:
            data = for_basemap(project_points(qs))
        data["counts"] = colour_counts(qs.values("pk"))
        data["bbox"] = matched_bbox(qs)
        audit_map_read(request, "projects", len(data["features"]))
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False,
                                                     "separators": (",", ":")})


def matched_bbox(qs):
    """[west, south, east, north] of every located project the filters match (not only
    those in view), in basemap coordinates, so that the map can fit them; None if none."""
    box = qs.exclude(min_lon=None).aggregate(w=Min("min_lon"), s=Min("min_lat"),
                                             e=Max("max_lon"), n=Max("max_lat"))
    if box["w"] is None:
        return None
    corners = {"type": "MultiPoint", "coordinates": [[box["w"], box["s"]], [box["e"], box["n"]]]}
    if settings.BASEMAP_IS_GCJ02:
        from geo.gcj02 import shift_geometry

        corners = shift_geometry(corners)
    (w, s), (e, n) = corners["coordinates"]
    return [round(w, 6), round(s, 6), round(e, 6), round(n, 6)]


class ProjectCardView(CapabilityRequiredMixin, View):
    required_cap = Cap.VIEW_PROJECTS

    def get(self, request, pk):
        project = enrich([get_for_user(Project, request.user, pk)])[0]
        return render(request, "maps/_card.html", {"p": project})


class DistrictDataView(CapabilityRequiredMixin, View):
    required_cap = Cap.VIEW_PLANS

    def get(self, request):
        rows = CoreDistrict.objects.visible_to(request.user).values_list("pk", "name", "boundary")
        features = [{"type": "Feature", "id": pk, "geometry": boundary,
                     "properties": {"name": name}} for pk, name, boundary in rows]
        audit_map_read(request, "districts", len(features))
        return JsonResponse(for_basemap({"type": "FeatureCollection", "features": features}),
                            json_dumps_params={"ensure_ascii": False})


class BasemapDataView(CapabilityRequiredMixin, View):
    """The offline basemap: the city's outline, water and roads (BasemapFeature), and where
    to write each core district's name. Drawn under everything when no tile service is
    configured; the names alone when one is.

    Not audited: outline, water and roads are the city's public geography, and a district's
    name at a point is no more than its label. The districts' shapes (plan data) come from
    DistrictDataView, which is audited. (One write fewer also keeps the map's first requests
    from queueing behind each other.)
    """

    required_cap = Cap.VIEW_PROJECTS

    def get(self, request):
        features = []
        if not settings.BASEMAP_TILE_URL:
            rows = BasemapFeature.objects.visible_to(request.user).values_list(
                "pk", "kind", "name", "rank", "geometry")
            features = [{"type": "Feature", "id": f"b{pk}", "geometry": geometry,
                         "properties": {"kind": kind, "name": name, "rank": rank}}
                        for pk, kind, name, rank, geometry in rows]
        for pk, name, boundary in CoreDistrict.objects.visible_to(request.user).values_list(
                "pk", "name", "boundary"):
            point = shape(boundary).representative_point()  # inside, even for a crescent
            features.append({"type": "Feature", "id": f"d{pk}",
                             "geometry": {"type": "Point",
                                          "coordinates": [round(point.x, 6), round(point.y, 6)]},
                             "properties": {"kind": "district", "name": name}})
        return JsonResponse(for_basemap({"type": "FeatureCollection", "features": features}),
                            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


class LayerDataView(View):
    """A layer's current features, all of them or those in the view box (`bbox`).

    Public layers for any signed-in user. Never cut silently: when more than MAX_FEATURES
    match, the answer carries no features, `truncated: true` and `numberMatched`, and the map
    asks to zoom in. Large layers (the demo's 20,000 parcels) are loaded by view box.
    """

    MAX_FEATURES = 5000
    SIMPLIFY_ABOVE = 1000  # features; above this, shapes are simplified to ~10 m

    def get(self, request, pk):
        layer = Layer.objects.filter(pk=pk, current_version__isnull=False).first()
        if layer is None or not (layer.is_public or request.user.has_cap(Cap.VIEW_PLANS)):
            raise PermissionDenied("无权查看该图层。")
        qs = Feature.objects.filter(version_id=layer.current_version_id)
        bbox = view_bbox(request)
        if "bbox" in request.GET and bbox is None:
            return JsonResponse({"errors": {"bbox": [BBOX_ERROR]}}, status=400)
        if bbox:
            qs = qs.filter(max_lon__gte=bbox[0], min_lon__lte=bbox[2], max_lat__gte=bbox[1],
                           min_lat__lte=bbox[3])
        matched = qs.count()
        truncated = matched > self.MAX_FEATURES
        features = [] if truncated else self._features(qs, matched > self.SIMPLIFY_ABOVE)
        data = for_basemap({"type": "FeatureCollection", "features": features})
        data.update(numberMatched=matched, numberReturned=len(features), truncated=truncated,
                    limit=self.MAX_FEATURES)
        audit_map_read(request, f"layer:{layer.pk}", len(features), obj=layer)
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False,
                                                     "separators": (",", ":")})

    @staticmethod
    def _features(qs, simplify: bool) -> list[dict]:
        features = []
        for pk, name, land_use, geometry in qs.values_list("pk", "name", "land_use", "geometry"):
            if simplify and geometry["type"] != "Point":
                geometry = mapping(shape(geometry).simplify(0.0001, preserve_topology=True))
            features.append({"type": "Feature", "id": pk, "geometry": geometry,
                             "properties": {"name": name, "land_use": land_use}})
        return features


class ConformityRunView(CapabilityRequiredMixin, View):
    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk):
        project = get_for_user(Project, request.user, pk)
        try:
            records = actions.do_check_conformity(Project.objects.filter(pk=project.pk),
                                                  acting_user=request.user)
            if records:
                messages.success(request, f"审查完成：{records[0].get_verdict_display()}。")
            else:
                messages.error(request, "项目未标注位置，无法审查。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(project.get_absolute_url())


class CockpitView(CapabilityRequiredMixin, View):
    """驾驶舱 (and, with ?screen=1 or /screen/, the 大屏 for the command centre)."""

    required_cap = Cap.VIEW_PROJECTS
    screen = False

    def get(self, request):
        from maps.cockpit import cockpit_data

        data = cockpit_data(request.user)
        data["labels"] = dict(Colour.choices)
        data["palette"] = COLOUR_HEX
        # Amounts of 1亿 and more are read in 亿元 (the charts divide by this too).
        data["investment"]["unit"] = "亿元" if data["investment"]["planned"] >= 10000 else "万元"
        if self.screen:
            data["map"] = basemap_config()
        template = "maps/screen.html" if self.screen else "maps/cockpit.html"
        return render(request, template, {"data": data})


TIMELINE_MAX_ROWS = 150
# A file leaving the system is audited (as the ledger export is); the page itself is not.
# The PNG is drawn in the browser from an SVG fetched with for=png, so it is audited too.
TIMELINE_EXPORTS = {"svg", "pdf"}
# The SVG opened on its own is a document of its own: no scripts, nothing loaded, even if
# a name ever slipped through unescaped.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"


class TimelineView(CapabilityRequiredMixin, View):
    """推进时序 of a filtered portfolio (or one project with `pk`): page, SVG or PDF."""

    required_cap = Cap.VIEW_PROJECTS

    def get(self, request, pk=None):
        from django.utils import timezone

        from maps.gantt import portfolio_rows, project_rows, render_svg

        today = timezone.localdate()
        project = None
        if pk is not None:
            project = get_for_user(Project, request.user, pk)
            rows, title, filterset, truncated = project_rows(project), \
                f"{project.name} 节点推进时序", None, False
        else:
            filterset, qs = filtered_projects(request)
            projects = list(qs.select_related("status").order_by("start_date", "code")
                            [:TIMELINE_MAX_ROWS + 1])
            truncated = len(projects) > TIMELINE_MAX_ROWS
            rows, title = portfolio_rows(projects[:TIMELINE_MAX_ROWS]), "项目推进时序"
        svg = render_svg(rows, title=title, today=today)
        fmt = request.GET.get("format")
        if fmt in TIMELINE_EXPORTS:
            return self.export(request, fmt, svg, title, project, rows)
        return render(request, "maps/timeline.html", {
            "svg": svg, "title": title, "filterset": filterset, "truncated": truncated,
            "max_rows": TIMELINE_MAX_ROWS, "project_pk": pk})

    @staticmethod
    def export(request, fmt, svg, title, project, rows):
        if fmt == "pdf":
            response = pdf_response(render(request, "maps/timeline_print.html",
                                           {"svg": svg, "title": title}).content.decode(),
                                    "timeline.pdf")
        else:
            response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
            response["Content-Security-Policy"] = SVG_POLICY
            if request.GET.get("for") == "png":  # gantt.js draws the PNG from this SVG
                fmt = "png"
        record_audit(AuditEventType.EXPORT, request=request, obj=project, what="项目推进时序",
                     format=fmt, query=request.GET.urlencode(), rows=len(rows))
        return response


def pdf_response(html: str, filename: str) -> HttpResponse:
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
