"""Plan layers for 示范市: a land-use grid (20,000 parcels at the large scale), the urban
development boundary, ecological red lines and basic farmland, imported through the real
layer importer, plus the land-use compatibility table; then every project is checked."""

import json
import math

from django.core.files.uploadedfile import SimpleUploadedFile

from demo import names
from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import LandUseRule, Layer

GRID = {"small": 20, "city": 60, "large": 142}  # cells per side (142² ≈ 20,000)
EXTENT_DEG = (0.17, 0.14)  # half-width, half-height around the centre

RULES = {
    # land use: {category code: allowed (True) / conditional (False)}
    "居住用地": {"HX": True, "GF": True, "JC": False},
    "商业服务业用地": {"HX": True, "GF": False, "JC": False},
    "公共管理与公共服务用地": {"HX": True, "GF": True, "JC": False},
    "道路与交通设施用地": {"HX": True, "GF": False, "JC": True},
    "公用设施用地": {"JC": True, "GF": False},
    "绿地与广场用地": {"HX": True, "GF": True, "JC": False},
    "工业用地": {"HX": False, "JC": True},
    "农林用地": {"GF": False},
}


def _land_use(rng, r):
    """Urban uses near the centre, farmland towards the edge (r = 0 … ~1.4)."""
    if r < 0.35:
        return rng.choice(["居住用地", "居住用地", "商业服务业用地", "公共管理与公共服务用地",
                           "道路与交通设施用地", "绿地与广场用地"])
    if r < 0.7:
        return rng.choice(["居住用地", "工业用地", "道路与交通设施用地", "公用设施用地",
                           "绿地与广场用地", "公共管理与公共服务用地"])
    return rng.choice(["农林用地", "农林用地", "农林用地", "工业用地", "道路与交通设施用地"])


def _square(x0, y0, dx, dy):
    return [[[round(x0, 6), round(y0, 6)], [round(x0 + dx, 6), round(y0, 6)],
             [round(x0 + dx, 6), round(y0 + dy, 6)], [round(x0, 6), round(y0 + dy, 6)],
             [round(x0, 6), round(y0, 6)]]]


def _collection(features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]},
        ensure_ascii=False).encode("utf-8")


def _import(name, kind, features, *, public=False):
    layer = Layer.objects.create(name=name, kind=kind, is_public=public)
    import_layer(layer, SimpleUploadedFile(f"{name}.geojson", _collection(features)),
                 note="示范数据")
    return layer


def build_layers(city):
    rng = city.rng
    lon0, lat0 = names.CENTRE
    n = GRID[city.scale]
    hw, hh = EXTENT_DEG
    dx, dy = 2 * hw / n, 2 * hh / n
    parcels, farmland = [], []
    for i in range(n):
        for j in range(n):
            x0, y0 = lon0 - hw + i * dx, lat0 - hh + j * dy
            r = math.hypot((x0 + dx / 2 - lon0) / hw, (y0 + dy / 2 - lat0) / hh)
            use = _land_use(rng, r)
            parcels.append(({"用地性质": use, "名称": f"{i:03d}-{j:03d}"},
                            {"type": "Polygon", "coordinates": _square(x0, y0, dx, dy)}))
            if use == "农林用地" and rng.random() < 0.35:
                farmland.append(({"名称": f"基本农田{i:03d}-{j:03d}"},
                                 {"type": "Polygon", "coordinates": _square(x0, y0, dx, dy)}))
    _import("国土空间规划用地（控规）", LayerKind.LAND_USE, parcels)
    _import("永久基本农田", LayerKind.FARMLAND, farmland)
    ring = [[round(lon0 + 0.11 * math.cos(a / 24 * 2 * math.pi), 6),
             round(lat0 + 0.085 * math.sin(a / 24 * 2 * math.pi), 6)] for a in range(24)]
    _import("城镇开发边界", LayerKind.URBAN_BOUNDARY,
            [({"名称": "中心城区城镇开发边界"}, {"type": "Polygon", "coordinates": [ring + [ring[0]]]})],
            public=True)
    redlines = []
    for k, (cx, cy) in enumerate(((-0.13, -0.1), (0.12, -0.11), (-0.14, 0.09))):
        pts = [[round(lon0 + cx + 0.02 * math.cos(a / 10 * 2 * math.pi) * (1 + 0.2 * rng.random()), 6),
                round(lat0 + cy + 0.015 * math.sin(a / 10 * 2 * math.pi) * (1 + 0.2 * rng.random()), 6)]
               for a in range(10)]
        redlines.append(({"名称": ["青岭水源涵养区", "溱水湿地", "松泉山林地"][k]},
                         {"type": "Polygon", "coordinates": [pts + [pts[0]]]}))
    _import("生态保护红线", LayerKind.ECO_REDLINE, redlines, public=True)
    LandUseRule.objects.bulk_create([
        LandUseRule(land_use=use, category_code=code, allowed=allowed)
        for use, codes in RULES.items() for code, allowed in codes.items()])


def check_all_projects():
    from maps.actions import do_check_conformity
    from projects.models import Project

    return do_check_conformity(Project.objects.exclude(geometry=None))

