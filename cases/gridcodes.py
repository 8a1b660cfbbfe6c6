"""Unit-grid codes (单元网格标识码) and the demo's grid tiling. Pure functions, no database.

A grid code has 15 digits: the community's 12-digit 统一行政区划代码 (6 区县 + 3 街道 + 3 社区)
followed by a 3-digit 顺序码 001..999, numbered 从西向东、由北至南 within the community
(Beijing DB11 单元网格划分; ../shared/reference/city-management.md §1.4).

Row rule ("band rule"). Hand-drawn grids are never exactly aligned, so "the same row" cannot
mean "the same centroid latitude". Centroids are taken from north to south; a row starts at
its northernmost centroid and takes every following centroid whose latitude is within
half a typical grid height below that first one (typical = the median of the polygons'
bbox heights). The next centroid further south starts a new row. Within a row grids are
numbered by centroid longitude, west first. Half the median height means two grids of the
same size share a row when they overlap vertically by more than half, and a grid one whole
row lower never does. Ties (the same centroid) keep the input order, so numbering is
deterministic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from statistics import median

from shapely.geometry import shape

COMMUNITY_CODE = re.compile(r"^\d{12}$")
MAX_SEQUENCE = 999
# Mean metres per degree of latitude (sphere of the mean Earth radius 6,371,008.8 m). A local
# equirectangular projection is exact enough for 100 m cells; areas are re-measured in true
# metres by geo.geometry.area_m2 when a Grid is saved.
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180


def _as_shape(polygon):
    """A shapely geometry from a shapely geometry or a GeoJSON mapping."""
    if hasattr(polygon, "centroid"):
        return polygon
    return shape(polygon)


def rows_of(polygons: Sequence) -> list[list[int]]:
    """Indexes of `polygons` grouped into rows (north first), each row west first."""
    shapes = [_as_shape(p) for p in polygons]
    if not shapes:
        return []
    centroids = [(s.centroid.x, s.centroid.y) for s in shapes]
    heights = [s.bounds[3] - s.bounds[1] for s in shapes]
    band = median(heights) / 2
    # North to south; equal latitudes keep input order (sorted() is stable).
    order = sorted(range(len(shapes)), key=lambda i: -centroids[i][1])
    rows: list[list[int]] = []
    row_top = None
    for i in order:
        lat = centroids[i][1]
        if row_top is None or row_top - lat > band:
            rows.append([])
            row_top = lat
        rows[-1].append(i)
    return [sorted(row, key=lambda i: centroids[i][0]) for row in rows]


def number_grids(polygons: Sequence, community_code12: str) -> list[str]:
    """The 15-digit code of each polygon, in the order the polygons were given.

    `polygons` are shapely geometries or GeoJSON mappings of one community's grids.
    Raises ValueError (message in Chinese) for a bad community code or more than 999 grids.
    """
    code = str(community_code12 or "").strip()
    if not COMMUNITY_CODE.match(code):
        raise ValueError(f"社区行政区划代码应为12位数字，收到“{community_code12}”。")
    if len(polygons) > MAX_SEQUENCE:
        raise ValueError(f"一个社区最多{MAX_SEQUENCE}个单元网格，收到{len(polygons)}个。")
    codes = [""] * len(polygons)
    sequence = 0
    for row in rows_of(polygons):
        for i in row:
            sequence += 1
            codes[i] = f"{code}{sequence:03d}"
    return codes


def grid_polygons(bbox: Iterable[float], size_m: float = 100) -> Iterator[dict]:
    """GeoJSON Polygons of `size_m` × `size_m` squares (100 m → about 10,000 m², a 万米单元网格)
    covering bbox = (min_lon, min_lat, max_lon, max_lat), yielded row by row from the north,
    west to east in each row — the order number_grids gives them.

    The cells start at the bbox's north-west corner and cover it whole, so the last row and
    column may reach past its south and east edges (a cut cell would be a sliver, not a grid).
    Longitude steps use the cosine of the bbox's middle latitude, so every cell is square in
    metres to well under 1 % across a city.
    """
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    if not (min_lon < max_lon and min_lat < max_lat):
        raise ValueError("范围应为（最小经度, 最小纬度, 最大经度, 最大纬度），且最小值小于最大值。")
    if size_m <= 0:
        raise ValueError("网格边长应大于0米。")
    dlat = size_m / METRES_PER_DEGREE
    dlon = size_m / (METRES_PER_DEGREE * math.cos(math.radians((min_lat + max_lat) / 2)))
    rows = math.ceil((max_lat - min_lat) / dlat - 1e-9)
    cols = math.ceil((max_lon - min_lon) / dlon - 1e-9)
    for r in range(rows):
        top = max_lat - r * dlat
        bottom = top - dlat
        for c in range(cols):
            west = min_lon + c * dlon
            east = west + dlon
            # Counter-clockwise exterior ring, as RFC 7946 asks.
            ring = [(west, top), (west, bottom), (east, bottom), (east, top), (west, top)]
            yield {"type": "Polygon",
                   "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}
