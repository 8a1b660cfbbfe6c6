"""What the map draws: projects (scoped, filtered) as light GeoJSON, layers, districts."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce

# Below this zoom a project is a dot at its bbox centre (no shape is parsed or sent).
POINTS_BELOW_ZOOM = 14
SIMPLIFY_DEGREES = {14: 0.0002, 15: 0.0001, 16: 0.00004}


def for_basemap(collection: dict) -> dict:
    """Shift drawn coordinates into GCJ-02 when the configured basemap uses it."""
    from django.conf import settings

    if not settings.BASEMAP_IS_GCJ02:
        return collection
    from maps.gcj02 import shift_geometry

    for feature in collection["features"]:
        if feature.get("geometry"):
            feature["geometry"] = shift_geometry(feature["geometry"])
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
    from shapely.geometry import mapping, shape

    minx, miny, maxx, maxy = bbox
    rows = (qs.exclude(min_lon=None)
            .filter(max_lon__gte=minx, min_lon__lte=maxx, max_lat__gte=miny, min_lat__lte=maxy)
            .annotate(colour=Coalesce("status__overall", Value("grey")))
            .values_list("pk", "code", "name", "geometry", "colour"))
    tolerance = SIMPLIFY_DEGREES.get(zoom, 0)
    features = []
    for pk, code, name, geometry, colour in rows:
        geom = geometry
        if tolerance and geometry["type"] != "Point":
            geom = mapping(shape(geometry).simplify(tolerance, preserve_topology=True))
        features.append({"type": "Feature", "id": pk, "geometry": geom,
                         "properties": {"code": code, "name": name, "colour": colour}})
    return {"type": "FeatureCollection", "features": features}

