"""Read functions over cases shared by pages, the API and commands."""

import math

from cases import workflow
from cases.models import Case

# Metres per degree of latitude; a degree of longitude is this × cos(latitude).
M_PER_DEG = 111_320.0


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine; plenty for tens of metres)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def nearby_open(queryset, *, case_type, lon: float, lat: float, radius_m: float | None = None,
                limit: int = 10) -> list[tuple[Case, float]]:
    """Open cases of `case_type` within `radius_m` of the point (default: the type's current
    duplicate radius), nearest first, as (case, metres). `queryset` is already scoped
    (Case.objects.visible_to(user)): a reporter is offered only what he may see."""
    if radius_m is None:
        version = case_type.current_version()
        radius_m = version.duplicate_radius_m if version else 50
    dlat = radius_m / M_PER_DEG
    dlon = radius_m / (M_PER_DEG * max(0.01, math.cos(math.radians(lat))))
    rows = (queryset.exclude(state__in=workflow.FINAL_STATES)
            .filter(type_version__case_type=case_type, duplicate_of__isnull=True,
                    lon__gte=lon - dlon, lon__lte=lon + dlon,
                    lat__gte=lat - dlat, lat__lte=lat + dlat)
            .select_related("type_version__case_type")[:500])
    found = [(c, distance_m(lon, lat, c.lon, c.lat)) for c in rows]
    found = [(c, d) for c, d in found if d <= radius_m]
    found.sort(key=lambda pair: pair[1])
    return found[:limit]
