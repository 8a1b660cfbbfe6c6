"""A small server-rendered outline of a polygon, for pages without a map."""

import math

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from shapely.geometry import shape


def polygon_svg(geojson: dict, size: int = 240) -> str:
    geom = shape(geojson)
    minx, miny, maxx, maxy = geom.bounds
    # Shrink longitude by cos(latitude) so the outline is not stretched sideways.
    kx = math.cos(math.radians((miny + maxy) / 2))
    width, height = (maxx - minx) * kx or 1e-9, (maxy - miny) or 1e-9
    scale = (size - 20) / max(width, height)
    polygons = getattr(geom, "geoms", [geom])
    paths = []
    for poly in polygons:
        points = " ".join(
            f"{10 + (x - minx) * kx * scale:.1f},{10 + (maxy - y) * scale:.1f}"
            for x, y in poly.exterior.coords
        )
        paths.append(points)
    body = "".join(
        f'<polygon points="{p}" fill="#dbeafe" stroke="#1d4ed8" stroke-width="2"/>' for p in paths
    )
    return format_html(
        '<svg class="outline" viewBox="0 0 {s} {s}" width="{s}" height="{s}" role="img" '
        'aria-label="边界示意">{}</svg>', mark_safe(body), s=size,  # numbers only
    )
