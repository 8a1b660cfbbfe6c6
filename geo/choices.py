from django.db import models


class LayerKind(models.TextChoices):
    BOUNDARY = "boundary", "行政边界"
    LAND_USE = "land_use", "用地性质（总规/控规）"
    ECO_REDLINE = "eco_redline", "生态保护红线"
    FARMLAND = "farmland", "永久基本农田"
    URBAN_BOUNDARY = "urban_boundary", "城镇开发边界"
    ROAD = "road", "道路"
    PARK = "park", "公园"
    SCHOOL = "school", "学校"
    ELDERLY = "elderly", "养老服务设施"
    COMMUNITY = "community", "社区（小区）"
    GRID = "grid", "单元网格"
    OTHER = "other", "其他"


# Zones a project must not intrude into (conformity check: fail).
PROTECTED_KINDS = frozenset({LayerKind.ECO_REDLINE, LayerKind.FARMLAND})

DEFAULT_STYLES = {
    LayerKind.BOUNDARY: {"color": "#374151", "weight": 2, "fillOpacity": 0},
    LayerKind.LAND_USE: {"color": "#a16207", "weight": 1, "fillOpacity": 0.15},
    LayerKind.ECO_REDLINE: {"color": "#15803d", "weight": 2, "fillOpacity": 0.25},
    LayerKind.FARMLAND: {"color": "#ca8a04", "weight": 1, "fillOpacity": 0.25},
    LayerKind.URBAN_BOUNDARY: {"color": "#7c3aed", "weight": 2, "dashArray": "6 4",
                               "fillOpacity": 0},
    LayerKind.ROAD: {"color": "#6b7280", "weight": 3},
    LayerKind.PARK: {"color": "#16a34a", "weight": 1, "fillOpacity": 0.3},
    LayerKind.SCHOOL: {"color": "#2563eb", "weight": 1, "fillOpacity": 0.3},
    LayerKind.ELDERLY: {"color": "#db2777", "weight": 1, "fillOpacity": 0.3},
    LayerKind.COMMUNITY: {"color": "#0891b2", "weight": 1, "fillOpacity": 0.1},
    LayerKind.GRID: {"color": "#9ca3af", "weight": 1, "fillOpacity": 0},
    LayerKind.OTHER: {"color": "#4b5563", "weight": 1, "fillOpacity": 0.1},
}

# Attribute names that carry 用地性质 in the files planning bureaus exchange.
LAND_USE_ATTRIBUTES = ("用地性质", "YDXZ", "ydxz", "DLMC", "landuse", "LANDUSE", "land_use")
NAME_ATTRIBUTES = ("名称", "name", "NAME", "MC", "mc")

# Words in a file or layer name that suggest its type when the upload page offers a new layer.
KIND_KEYWORDS = (
    ("红线", LayerKind.ECO_REDLINE), ("生态", LayerKind.ECO_REDLINE),
    ("基本农田", LayerKind.FARMLAND), ("农田", LayerKind.FARMLAND),
    ("开发边界", LayerKind.URBAN_BOUNDARY),
    ("道路", LayerKind.ROAD), ("路网", LayerKind.ROAD), ("公园", LayerKind.PARK),
    ("学校", LayerKind.SCHOOL), ("养老", LayerKind.ELDERLY), ("社区", LayerKind.COMMUNITY),
    ("小区", LayerKind.COMMUNITY), ("网格", LayerKind.GRID), ("行政", LayerKind.BOUNDARY),
    ("边界", LayerKind.BOUNDARY),
)
