"""OGC API – Features (Part 1: Core, GeoJSON) at /ogc/.

Collections: `projects` (the user's scope), `core-districts`, one per
layer (`layer-<id>`), and the city-management `cases-grids`, `cases-segments` (base data)
and `cases-open` (open cases in the user's scope); anonymous callers see public layers only. QGIS, ArcGIS
and OWSLib read it; authenticate with a session or `Authorization: Token …`.

Geometry is served as stored (the battle map simplifies, this does not); a page stops early
at PAGE_MAX_VERTICES, with its next link, so that big shapes cannot make one answer huge.
"""

from datetime import date

from django.conf import settings
from django.db.models import Max, Min
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from core.audit import record_audit
from core.choices import AuditEventType
from geo.models import Feature, Layer
from maps.selectors import vertex_count
from org.roles import Cap, has_cap
from plans.models import CoreDistrict
from projects.models import Project

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
# Geometry is sent as stored, never simplified: GIS clients measure and overlay it. What a
# page may cost is bounded instead (about 12 MB of GeoJSON); OGC_PAGE_MAX_VERTICES overrides.
PAGE_MAX_VERTICES = 500_000


class BadRequest(Exception):
    pass


def _user(request):
    """Session user, or the token in the Authorization header (for GIS clients)."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        raise BadRequest(str(exc.detail)) from None
    return found[0] if found else request.user


def _json(data, status=200, content_type="application/json"):
    return JsonResponse(data, status=status, content_type=content_type,
                        json_dumps_params={"ensure_ascii": False})


def _error(status, code, description):
    return _json({"code": code, "description": description}, status=status)


def _url(request, name, *args, query=""):
    return request.build_absolute_uri(reverse(name, args=args)) + (f"?{query}" if query else "")


def landing(request):
    return _json({
        "title": "城建 · 一张图 OGC API – Features",
        "description": "项目、核心板块与规划图层（CGCS2000 经纬度）",
        "links": [
            {"href": _url(request, "ogc_landing"), "rel": "self", "type": "application/json",
             "title": "本页"},
            {"href": _url(request, "ogc_conformance"), "rel": "conformance",
             "type": "application/json", "title": "符合的标准"},
            {"href": _url(request, "ogc_collections"), "rel": "data",
             "type": "application/json", "title": "数据集"},
            {"href": _url(request, "api_schema"), "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "API 说明"},
        ]})


def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


# --- collections ---------------------------------------------------------------


BBOX_COLUMNS = ("min_lon", "min_lat", "max_lon", "max_lat")
# A point's columns stand for its own box (cases: lon/lat).
POINT_COLUMNS = ("lon", "lat", "lon", "lat")


class Source:
    """A collection: how to list its rows and turn one into a GeoJSON feature.

    `bbox_columns` are the indexed columns a `bbox` query and the extent read; a source
    whose rows have none passes `within(queryset, bbox)` and `extent(queryset)` instead.
    """

    def __init__(self, cid, title, description, queryset, to_feature, temporal=None,
                 bbox_columns=BBOX_COLUMNS, within=None, extent=None):
        self.id, self.title, self.description = cid, title, description
        self.queryset, self.to_feature, self.temporal = queryset, to_feature, temporal
        self.bbox_columns, self.within, self.extent = bbox_columns, within, extent

    def bbox(self):
        if self.extent is not None:
            return self.extent(self.queryset)
        a, b, c, d = self.bbox_columns
        box = self.queryset.aggregate(a=Min(a), b=Min(b), c=Max(c), d=Max(d))
        return [box["a"], box["b"], box["c"], box["d"]] if box["a"] is not None else None

    def filter_bbox(self, qs, bbox):
        minx, miny, maxx, maxy = bbox
        if self.within is not None:
            return self.within(qs, bbox)
        a, b, c, d = self.bbox_columns
        return qs.filter(**{f"{c}__gte": minx, f"{a}__lte": maxx, f"{d}__gte": miny,
                            f"{b}__lte": maxy})


def _project_feature(p):
    return {"type": "Feature", "id": p.pk, "geometry": p.geometry, "properties": {
        "code": p.code, "name": p.name, "stage": p.stage, "lead_unit": p.lead_unit.name,
        "total_investment": float(p.total_investment),
        "colour": getattr(getattr(p, "status", None), "overall", None),
        "start_date": p.start_date.isoformat() if p.start_date else None,
        "finish_date": p.finish_date.isoformat() if p.finish_date else None}}


def _district_feature(d):
    return {"type": "Feature", "id": d.pk, "geometry": d.boundary,
            "properties": {"name": d.name, "area_km2": float(d.area_km2)}}


def _layer_feature(f):
    return {"type": "Feature", "id": f.pk, "geometry": f.geometry,
            "properties": {"name": f.name, "land_use": f.land_use, **f.properties}}


# --- city-management cases (数字城管) --------------------------------------------------


def _grid_feature(g):
    return {"type": "Feature", "id": g.pk, "geometry": g.geometry, "properties": {
        "code": g.code, "name": g.name,
        "street": g.street_unit.name if g.street_unit_id else None,
        "community": g.community_unit.name if g.community_unit_id else None,
        "area_m2": g.area_m2}}


def _segment_feature(seg):
    chiefs = [c for c in seg.chiefs.all() if not c.is_archived]
    return {"type": "Feature", "id": seg.pk, "geometry": seg.geometry, "properties": {
        "road": seg.road.name, "name": seg.name, "start": seg.start_name, "end": seg.end_name,
        "order": seg.order,
        # names and levels only: a map layer is no place for phone numbers
        "chiefs": [{"level": c.level, "level_label": c.get_level_display(),
                    "name": c.person.name} for c in chiefs]}}


def _case_feature(case):
    case_type = case.type_version.case_type
    return {"type": "Feature", "id": case.pk,
            "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
            "properties": {
                "number": case.number, "state": case.state,
                "state_label": case.get_state_display(), "kind": case_type.kind,
                "type": f"{case_type.major_code}{case_type.minor_code}",
                "type_name": case_type.minor_name, "urgency": case.urgency,
                "address": case.address,
                "handling_unit": case.handling_unit.name if case.handling_unit_id else None,
                "reported_at": case.reported_at.isoformat(),
                "deadline_at": case.deadline_at.isoformat() if case.deadline_at else None}}


def _segment_bounds(qs) -> dict[int, tuple]:
    """Each segment's (minx, miny, maxx, maxy) from its line. Segments carry no bbox
    columns; they are a few hundred lines of base data, so they are measured here."""
    from geo.geometry import parse_geojson

    bounds = {}
    for pk, geometry in qs.values_list("pk", "geometry"):
        try:
            bounds[pk] = parse_geojson(geometry, allowed={"LineString", "MultiLineString"}).bounds
        except Exception:  # noqa: BLE001 - a bad stored shape is left out, not a 500
            continue
    return bounds


def _segments_within(qs, bbox):
    minx, miny, maxx, maxy = bbox
    ids = [pk for pk, (a, b, c, d) in _segment_bounds(qs).items()
           if c >= minx and a <= maxx and d >= miny and b <= maxy]
    return qs.filter(pk__in=ids)


def _segments_extent(qs):
    boxes = list(_segment_bounds(qs).values())
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)]


def case_sources(user) -> dict[str, Source]:
    """Grids and road segments for roles that read the organisation (the city's base data);
    open cases within Case.objects.visible_to(user) for accounts that see any."""
    from django.db.models import Prefetch

    from cases.models import Case, Grid, RoadChief, RoadSegment
    from cases.workflow import FINAL_STATES

    sources = {}
    if has_cap(user, Cap.VIEW_ORG):
        sources["cases-grids"] = Source(
            "cases-grids", "单元网格", "城市管理单元网格（约1万平方米）",
            Grid.objects.visible_to(user).select_related("street_unit", "community_unit")
            .order_by("pk"), _grid_feature)
        sources["cases-segments"] = Source(
            "cases-segments", "路段", "道路路段及路长",
            RoadSegment.objects.visible_to(user).select_related("road").prefetch_related(
                Prefetch("chiefs", RoadChief.objects.select_related("person")))
            .order_by("pk"), _segment_feature, within=_segments_within,
            extent=_segments_extent)
    cases = Case.objects.visible_to(user)
    if not cases.query.is_empty():  # anonymous callers and roles without cases: none
        sources["cases-open"] = Source(
            "cases-open", "在办案件", "未结案的城市管理案件（点位）",
            cases.exclude(state__in=FINAL_STATES)
            .select_related("type_version__case_type", "handling_unit").order_by("pk"),
            _case_feature, bbox_columns=POINT_COLUMNS)
    return sources


def sources_for(user) -> dict[str, Source]:
    sources = {}
    if has_cap(user, Cap.VIEW_PROJECTS):
        sources["projects"] = Source(
            "projects", "项目", "台账项目的位置（点、线位或红线）",
            Project.objects.visible_to(user).exclude(geometry=None)
            .select_related("lead_unit", "status").order_by("pk"),
            _project_feature, temporal=("start_date", "finish_date"))
    if has_cap(user, Cap.VIEW_PLANS):
        sources["core-districts"] = Source(
            "core-districts", "核心板块", "城乡重点片区核心板块边界",
            CoreDistrict.objects.visible_to(user).order_by("pk"), _district_feature)
    sources.update(case_sources(user))
    layers = Layer.objects.filter(current_version__isnull=False)
    if not has_cap(user, Cap.VIEW_PLANS):
        layers = layers.filter(is_public=True)
    for layer in layers:
        sources[f"layer-{layer.pk}"] = Source(
            f"layer-{layer.pk}", layer.name, layer.get_kind_display(),
            Feature.objects.filter(version_id=layer.current_version_id).order_by("pk"),
            _layer_feature)
    return sources


def _collection_doc(request, source):
    items = _url(request, "ogc_items", source.id)
    bbox = source.bbox() or [73.0, 3.0, 136.0, 54.0]
    return {
        "id": source.id, "title": source.title, "description": source.description,
        "itemType": "feature", "crs": [CRS84],
        "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
        "links": [
            {"href": _url(request, "ogc_collection", source.id), "rel": "self",
             "type": "application/json", "title": source.title},
            {"href": items, "rel": "items", "type": "application/geo+json",
             "title": source.title},
        ]}


def _resolve(request, cid):
    sources = sources_for(_user(request))
    if cid not in sources:
        raise Http404
    return sources[cid]


def collections(request):
    try:
        sources = sources_for(_user(request))
    except BadRequest as exc:
        return _error(401, "Unauthorized", str(exc))
    return _json({"links": [{"href": _url(request, "ogc_collections"), "rel": "self",
                             "type": "application/json", "title": "数据集"}],
                  "collections": [_collection_doc(request, s) for s in sources.values()]})


def collection(request, cid):
    try:
        return _json(_collection_doc(request, _resolve(request, cid)))
    except Http404:
        return _error(404, "NotFound", f"没有数据集“{cid}”或无权查看。")
    except BadRequest as exc:
        return _error(401, "Unauthorized", str(exc))


# --- items ---------------------------------------------------------------------


def _parse_bbox(value):
    try:
        parts = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadRequest("bbox 应为 minLon,minLat,maxLon,maxLat") from None
    if len(parts) == 6:  # 3D bbox: drop the heights
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise BadRequest("bbox 应为 minLon,minLat,maxLon,maxLat")
    return parts


def _parse_int(value, name, default, maximum=None):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name} 应为非负整数") from None
    if number < 0:
        raise BadRequest(f"{name} 应为非负整数")
    return min(number, maximum) if maximum else number


def _parse_datetime(value):
    """A date or an interval (a/b, ../b, a/..) as (start, end) dates, None for open."""
    def one(text):
        if text in ("", ".."):
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise BadRequest("datetime 应为 RFC 3339 日期或区间（例如 2024-01-01/2024-12-31）") \
                from None
    if "/" in value:
        start, end = value.split("/", 1)
        return one(start), one(end)
    day = one(value)
    return day, day


def _filter(source, request):
    qs = source.queryset
    if bbox := request.GET.get("bbox"):
        qs = source.filter_bbox(qs, _parse_bbox(bbox))
    if (value := request.GET.get("datetime")) and source.temporal:
        start, end = _parse_datetime(value)
        begin_field, end_field = source.temporal
        if end is not None:
            qs = qs.filter(**{f"{begin_field}__lte": end})
        if start is not None:
            qs = qs.filter(**{f"{end_field}__gte": start})
    return qs


def items(request, cid):
    try:
        source = _resolve(request, cid)
        qs = _filter(source, request)
        limit = _parse_int(request.GET.get("limit"), "limit", DEFAULT_LIMIT, MAX_LIMIT)
        offset = _parse_int(request.GET.get("offset"), "offset", 0)
    except Http404:
        return _error(404, "NotFound", f"没有数据集“{cid}”或无权查看。")
    except BadRequest as exc:
        return _error(400, "InvalidParameterValue", str(exc))
    matched = qs.count()
    # Past the last row the page is empty; a huge offset never reaches the database's OFFSET
    # (SQLite and PostgreSQL both overflow beyond a bigint).
    page = _page(source, qs[offset:offset + limit]) if offset < matched else []
    query = request.GET.copy()
    links = [{"href": request.build_absolute_uri(), "rel": "self",
              "type": "application/geo+json", "title": "本页"}]
    if offset + len(page) < matched:
        query["offset"], query["limit"] = offset + len(page), limit
        links.append({"href": _url(request, "ogc_items", cid, query=query.urlencode()),
                      "rel": "next", "type": "application/geo+json", "title": "下一页"})
    if offset > 0:
        query["offset"], query["limit"] = max(0, offset - limit), limit
        links.append({"href": _url(request, "ogc_items", cid, query=query.urlencode()),
                      "rel": "prev", "type": "application/geo+json", "title": "上一页"})
    _audit_items(request, cid, len(page), matched)
    return _json({"type": "FeatureCollection", "features": page, "numberMatched": matched,
                  "numberReturned": len(page), "links": links},
                 content_type="application/geo+json")


def _page(source, rows) -> list[dict]:
    """Features with their stored geometry, until the page holds PAGE_MAX_VERTICES: a page
    may then carry fewer than `limit`, and its next link starts after the last one sent."""
    most = getattr(settings, "OGC_PAGE_MAX_VERTICES", PAGE_MAX_VERTICES)
    page, vertices = [], 0
    for obj in rows.iterator(chunk_size=100):  # never a whole page of big shapes in memory
        feature = source.to_feature(obj)
        vertices += vertex_count(feature["geometry"]) if feature["geometry"] else 0
        if page and vertices > most:
            break
        page.append(feature)
    return page


def _audit_items(request, cid, returned, matched):
    """An items page read by a signed-in user or a token is audited as an export, as API
    list reads are (core.api.views.audit_list_read). Anonymous reads of public layers are
    not: they are public data, and auditing them would let anyone flood the trail."""
    user = _user(request)
    if user.is_authenticated:
        record_audit(AuditEventType.EXPORT, request=request, user=user, what="OGC 要素读取",
                     collection=cid, path=request.path,
                     query=request.GET.urlencode()[:500], returned=returned, matched=matched)


def item(request, cid, fid):
    try:
        source = _resolve(request, cid)
    except Http404:
        return _error(404, "NotFound", f"没有数据集“{cid}”或无权查看。")
    except BadRequest as exc:
        return _error(401, "Unauthorized", str(exc))
    obj = source.queryset.filter(pk=fid).first()
    if obj is None:
        return _error(404, "NotFound", "要素不存在或无权查看。")
    feature = source.to_feature(obj)
    feature["links"] = [{"href": request.build_absolute_uri(), "rel": "self",
                         "type": "application/geo+json"},
                        {"href": _url(request, "ogc_collection", cid), "rel": "collection",
                         "type": "application/json"}]
    return _json(feature, content_type="application/geo+json")


VIEWS = {name: require_GET(fn) for name, fn in (
    ("landing", landing), ("conformance", conformance), ("collections", collections),
    ("collection", collection), ("items", items), ("item", item))}
