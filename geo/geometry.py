"""Geometry helpers shared by every app that stores shapes.

Shapes are stored as GeoJSON in longitude/latitude (CGCS2000 ≈ WGS84 at map
scale) with bbox columns for indexed filtering. Areas and lengths are
computed in the CGCS2000 3-degree Gauss-Krüger zone that contains the shape,
so they are true metres rather than squared degrees.
"""

from functools import lru_cache

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from pyproj import Transformer
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

GEOGRAPHIC_CRS = "EPSG:4490"  # CGCS2000 geographic
ALLOWED_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
# Vertices in one shape (a project's red line, a district, one feature of a layer). The map
# draws a shape whole whenever it is in view and every check tests it whole; a red line or
# boundary digitised at 0.5 m is far below this. GEOMETRY_MAX_VERTICES in settings overrides.
MAX_VERTICES = 200_000


def max_vertices() -> int:
    return getattr(settings, "GEOMETRY_MAX_VERTICES", MAX_VERTICES)


def gauss_kruger_epsg(longitude: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone (CM 75E..135E → 4534..4554)."""
    central = round(longitude / 3) * 3
    central = min(max(central, 75), 135)
    return 4534 + (central - 75) // 3


@lru_cache(maxsize=32)
def _to_projected(epsg: int) -> Transformer:
    return Transformer.from_crs(GEOGRAPHIC_CRS, f"EPSG:{epsg}", always_xy=True)


def parse_geojson(data, *, allowed=ALLOWED_TYPES):
    """Validate a GeoJSON geometry dict and return the shapely geometry."""
    if not isinstance(data, dict) or "type" not in data:
        raise ValidationError("几何数据应为GeoJSON对象。")
    if data["type"] not in allowed:
        raise ValidationError("不支持的几何类型“%(t)s”。", params={"t": data["type"]})
    try:
        geom = shape(data)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        raise ValidationError("几何坐标格式错误：%(e)s", params={"e": exc}) from None
    if geom.is_empty:
        raise ValidationError("几何为空。")
    vertices = shapely.get_num_coordinates(geom)
    if vertices > max_vertices():  # before the validity check, whose cost grows with it
        raise ValidationError("几何有%(n)d个顶点，超过%(m)d个的上限，请简化后再提交。",
                              params={"n": vertices, "m": max_vertices()})
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError("坐标超出经纬度范围，请使用经纬度（CGCS2000/WGS84）。")
    if not geom.is_valid:
        raise ValidationError("几何无效：%(r)s", params={"r": explain_validity(geom)})
    return geom


def projected(geom):
    """The geometry in its Gauss-Krüger zone, in metres."""
    transformer = _to_projected(gauss_kruger_epsg(geom.centroid.x))

    def forward(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, forward)


def area_m2(geom) -> float:
    return projected(geom).area


def to_geojson(geom) -> dict:
    return mapping(geom)
