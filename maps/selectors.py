"""What the map draws: projects (scoped, filtered) as light GeoJSON, layers, districts.

Every shape the map is sent passes through for_basemap(), which sends none finer than a
screen can show: at most DISPLAY_MAX_VERTICES vertices (simplified, topology kept), or
coarser where the caller gives the view's tolerance. The stored shapes stay as imported;
conformity checks and the OGC API use them whole.
"""

import hashlib
import math
import pickle

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Value
from django.db.models.functions import Coalesce

# Below this zoom a project is a dot at its bbox centre (no shape is parsed or sent).
POINTS_BELOW_ZOOM = 14
SIMPLIFY_DEGREES = {14: 0.0002, 15: 0.0001, 16: 0.00004}
# One shape drawn at half a pixel's tolerance needs about as many vertices as its outline is
# pixels long: a few thousand for a shape that fills the screen. A 1M-vertex polygon was
# sent whole (24.8 MB to every user); past this count shapes are simplified until they fit.
# DISPLAY_MAX_VERTICES in settings overrides.
DISPLAY_MAX_VERTICES = 10_000
FINE_DEGREES = 0.000005  # about 0.5 m: below a pixel at the map's deepest zoom
VIEW_PIXELS = 2048  # a view box is drawn at most this many pixels across
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
          "MultiPolygon": 3}


def display_tolerance(bbox) -> float:
    """Half a pixel of a view box (degrees), rounded down to a power of two so that the
    views of one zoom level share it; FINE_DEGREES for a layer loaded whole (no box)."""
    if not bbox:
        return FINE_DEGREES
    half_pixel = max(bbox[2] - bbox[0], bbox[3] - bbox[1]) / VIEW_PIXELS / 2
    return max(FINE_DEGREES, 2.0 ** math.floor(math.log2(half_pixel))) if half_pixel > 0 \
        else FINE_DEGREES


def vertex_count(geometry: dict) -> int:
    """Vertices of a GeoJSON geometry, from the lengths of its rings (no shape is built)."""
    depth = _DEPTH.get(geometry.get("type"))
    if depth is None:  # a GeometryCollection, or something odd: let shapely count
        import shapely
        from shapely.geometry import shape

        return int(shapely.get_num_coordinates(shape(geometry)))

    def count(coords, level):
        return len(coords) if level == 1 else sum(count(c, level - 1) for c in coords)

    return 1 if depth == 0 else count(geometry["coordinates"], depth)


def display_max_vertices() -> int:
    return getattr(settings, "DISPLAY_MAX_VERTICES", DISPLAY_MAX_VERTICES)


def display_geometry(geometry: dict, tolerance: float = 0.0, *, most: int | None = None) -> dict:
    """The shape as the map draws it: as stored when it is small enough; otherwise simplified
    at `tolerance`, and coarser until it has at most DISPLAY_MAX_VERTICES or simplifying gains
    nothing more. Shapes that large are few (at most geo.geometry.MAX_VERTICES each); what
    they are drawn as is kept in the cache, so each is simplified once per tolerance."""
    most = most or display_max_vertices()
    if geometry.get("type") == "Point":
        return geometry
    count = vertex_count(geometry)
    if count <= most and not tolerance:
        return geometry
    if count <= most:  # small: simplifying costs less than remembering
        return _simplified(geometry, tolerance, most)
    # The shape's own bytes name it (pickled floats: ten times quicker than JSON text), so
    # that any caller is cached without saying which table the shape came from.
    fingerprint = hashlib.blake2b(pickle.dumps(geometry, protocol=5), digest_size=16)
    key = f"map-shape:{fingerprint.hexdigest()}:{tolerance!r}:{most}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = _simplified(geometry, tolerance, most)
        cache.set(key, drawn, timeout=7 * 24 * 3600)
    return drawn


def _simplified(geometry: dict, tolerance: float, most: int) -> dict:
    import shapely
    from shapely.geometry import mapping, shape

    original, tolerance, before = shape(geometry), tolerance or FINE_DEGREES, None
    while True:
        drawn = original.simplify(tolerance, preserve_topology=True)
        count = shapely.get_num_coordinates(drawn)
        # Kept topology keeps every part and ring: thousands of tiny parts stop shrinking.
        if count <= most or (before is not None and count >= before):
            return mapping(drawn)
        before, tolerance = count, tolerance * max(4.0, count / most)


def for_basemap(collection: dict, *, tolerance: float = 0.0) -> dict:
    """What the basemap draws: each shape through display_geometry() (at `tolerance`, the
    view's, when the caller knows it), shifted into GCJ-02 when the basemap uses it."""
    shift, most = None, display_max_vertices()
    if settings.BASEMAP_IS_GCJ02:
        from geo.gcj02 import shift_geometry as shift
    for feature in collection["features"]:
        if feature.get("geometry"):
            feature["geometry"] = display_geometry(feature["geometry"], tolerance, most=most)
            if shift:
                feature["geometry"] = shift(feature["geometry"])
    return collection


def project_points(qs) -> dict:
    """Every project as a point, straight from the indexed bbox columns."""
    rows = (qs.exclude(min_lon=None)
            .annotate(lon=(F("min_lon") + F("max_lon")) / 2, lat=(F("min_lat") + F("max_lat")) / 2,
                      colour=Coalesce("status__overall", Value("grey")))
            .values_list("pk", "code", "name", "lon", "lat", "colour"))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": pk,
         "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
         "properties": {"code": code, "name": name, "colour": colour}}
        for pk, code, name, lon, lat, colour in rows]}


def project_shapes(qs, bbox, zoom: int) -> dict:
    """Projects inside the view with their real shapes, simplified for the zoom."""
    minx, miny, maxx, maxy = bbox
    rows = (qs.exclude(min_lon=None)
            .filter(max_lon__gte=minx, min_lon__lte=maxx, max_lat__gte=miny, min_lat__lte=maxy)
            .annotate(colour=Coalesce("status__overall", Value("grey")))
            .values_list("pk", "code", "name", "geometry", "colour"))
    tolerance, most = SIMPLIFY_DEGREES.get(zoom, 0), display_max_vertices()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": pk, "geometry": display_geometry(geometry, tolerance, most=most),
         "properties": {"code": code, "name": name, "colour": colour}}
        for pk, code, name, geometry, colour in rows]}

