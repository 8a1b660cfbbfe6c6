"""OGC API – Features (Part 1: Core, GeoJSON) at /ogc/.

Collections: `projects` (the user's scope), `core-districts`, and one per
layer (`layer-<id>`); anonymous callers see public layers only. QGIS, ArcGIS
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


class Source:
    """A collection: how to list its rows and turn one into a GeoJSON feature."""

    def __init__(self, cid, title, description, queryset, to_feature, temporal=None):
        self.id, self.title, self.description = cid, title, description
        self.queryset, self.to_feature, self.temporal = queryset, to_feature, temporal


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
    box = source.queryset.aggregate(a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"),
                                    d=Max("max_lat"))
    bbox = [box["a"], box["b"], box["c"], box["d"]] if box["a"] is not None else \
        [73.0, 3.0, 136.0, 54.0]
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
        minx, miny, maxx, maxy = _parse_bbox(bbox)
        qs = qs.filter(max_lon__gte=minx, min_lon__lte=maxx, max_lat__gte=miny,
                       min_lat__lte=maxy)
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
