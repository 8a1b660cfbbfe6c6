"""The demo city's offline basemap: its outline, the river 溱水 with a tributary and a
reservoir, a grid of main roads named as the projects name them, a ring road and two
expressways. Generated from fixed numbers (its own random stream), so the same on every
build and independent of the rest of the demo's randomness."""

import math
import random

import shapely
from shapely.geometry import LineString, Polygon, mapping

from demo import names
from demo.projects import ROADS_EW, ROADS_NS

NS_OFFSETS = (-0.095, -0.06, -0.025, 0.01, 0.045, 0.08)  # degrees of longitude from the centre
EW_OFFSETS = (-0.08, -0.045, -0.015, 0.02, 0.05, 0.08)  # degrees of latitude


def _r(coords):
    return [[round(x, 6), round(y, 6)] for x, y in coords]


def _line(points):
    return {"type": "LineString", "coordinates": _r(points)}


def _area(shape):
    """An area as GeoJSON, to about 5 m (a basemap needs no finer) and six decimals."""
    return mapping(shapely.set_precision(shape.simplify(0.00005), 0.000001))


def _wiggly(rng, start, end, steps=24, amplitude=0.0015):
    """A street from start to end, bending a little as streets do."""
    (x0, y0), (x1, y1) = start, end
    nx, ny = -(y1 - y0), x1 - x0
    norm = math.hypot(nx, ny) or 1
    points = []
    for i in range(steps + 1):
        t = i / steps
        off = 0 if i in (0, steps) else rng.uniform(-amplitude, amplitude)
        points.append((x0 + (x1 - x0) * t + nx / norm * off, y0 + (y1 - y0) * t + ny / norm * off))
    return points


def _ellipse(cx, cy, rx, ry, n=48, rng=None, jitter=0.0):
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        k = 1 + (rng.uniform(-jitter, jitter) if rng else 0)
        pts.append((cx + rx * k * math.cos(a), cy + ry * k * math.sin(a)))
    return pts


def basemap_features() -> list[dict]:
    rng = random.Random("示范市底图")
    lon0, lat0 = names.CENTRE
    features = []
    outline = Polygon(_ellipse(lon0, lat0, 0.205, 0.17, n=36, rng=rng, jitter=0.07))
    features.append({"kind": "area", "name": "示范市", "geometry": _area(outline)})

    # 溱水 runs from the north-west to the wetland in the south-east; 青屏河 joins it.
    river = [(lon0 + x, lat0 - 0.0575 - 0.4375 * x + 0.012 * math.sin(x * 38))
             for x in [i / 100 for i in range(-22, 23)]]
    features.append({"kind": "water", "name": "溱水",
                     "geometry": _area(LineString(river).buffer(0.0018, cap_style="flat"))})
    join_x = -0.07
    join_y = lat0 - 0.0575 - 0.4375 * join_x + 0.012 * math.sin(join_x * 38)
    branch = [(lon0 + join_x + 0.006 * math.sin(t * 9), join_y + t * 0.24) for t in
              [i / 30 for i in range(31)]]
    features.append({"kind": "water", "name": "青屏河",
                     "geometry": _area(LineString(branch).buffer(0.0009, cap_style="flat"))})
    features.append({"kind": "water", "name": "青岭水库", "geometry": _area(Polygon(
        _ellipse(lon0 - 0.135, lat0 - 0.1, 0.013, 0.008, rng=rng, jitter=0.12)))})
    features.append({"kind": "water", "name": "金凤湖", "geometry": _area(Polygon(
        _ellipse(lon0 + 0.03, lat0 + 0.066, 0.005, 0.0035, rng=rng, jitter=0.1)))})

    # Expressways and the ring road first (drawn under the city streets' labels).
    features.append({"kind": "road", "name": "连霍高速", "rank": 1, "geometry": _line(
        _wiggly(rng, (lon0 - 0.23, lat0 + 0.125), (lon0 + 0.23, lat0 + 0.118), amplitude=0.003))})
    features.append({"kind": "road", "name": "京港澳高速", "rank": 1, "geometry": _line(
        _wiggly(rng, (lon0 + 0.165, lat0 - 0.19), (lon0 + 0.158, lat0 + 0.19), amplitude=0.003))})
    ring = _ellipse(lon0, lat0, 0.135, 0.108, n=60)
    features.append({"kind": "road", "name": "环城大道", "rank": 1,
                     "geometry": _line(ring + [ring[0]])})
    for name, dx in zip(ROADS_NS, NS_OFFSETS):
        features.append({"kind": "road", "name": name, "rank": 2, "geometry": _line(
            _wiggly(rng, (lon0 + dx, lat0 - 0.105), (lon0 + dx, lat0 + 0.105)))})
    for name, dy in zip(ROADS_EW, EW_OFFSETS):
        features.append({"kind": "road", "name": name, "rank": 2, "geometry": _line(
            _wiggly(rng, (lon0 - 0.13, lat0 + dy), (lon0 + 0.13, lat0 + dy)))})
    return features


def build_basemap(city=None) -> int:
    from maps.actions import do_replace_basemap

    return do_replace_basemap(basemap_features())
