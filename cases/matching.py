"""Which road segment a point lies on (for a case reported on a street).

segment_for_point(lon, lat, tolerance_m=30) -> the nearest active RoadSegment (of an active
road) whose line passes within `tolerance_m` metres, or None.

Every report asks, so the segments are kept in memory, per process: their lines as shapely
geometries with their bboxes in a numpy array. A point is tested against the bboxes widened
by the tolerance (vectorised), and only the few candidates left are measured exactly, in a
local equirectangular projection centred on the point on a sphere of the mean Earth radius
(metres; within about 0.5 % of true distances in China, 15 cm at 30 m).

The memory copy is checked against the database on every call with one aggregate query
(count and latest change of the segments and of their roads): a segment saved, archived or
imported in another process, or inside the caller's own transaction, is seen at once. A save
in this process also drops the copy through a signal, so a reload never waits for the clock
to tick. Bulk writes must stamp updated_at (TrackedQuerySet.tracked_bulk_update does; a bare
queryset update() of a segment's geometry would not be seen).
"""

from __future__ import annotations

import copy
import math
import threading

import numpy as np
import shapely
from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import Road, RoadSegment
from geo.geometry import parse_geojson

# Mean metres per degree of latitude (as cases.gridcodes).
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180

_lock = threading.Lock()
_cache: dict = {"key": None, "segments": [], "lines": None, "bounds": None}


def _fingerprint():
    """What changes whenever a segment or its road is created, saved or archived.

    One statement, written out: on a busy server the ORM's compiling of an aggregate cost
    more than the query itself, and this runs for every report. A road only matters through
    its segments, so the join sees a road's archive or rename on the segments' side.
    """
    seg, road = RoadSegment._meta, Road._meta
    q = connection.ops.quote_name
    sql = (f"SELECT COUNT(s.{q(seg.pk.column)}), MAX(s.{q('updated_at')}), "
           f"MAX(s.{q(seg.pk.column)}), MAX(r.{q('updated_at')}) "
           f"FROM {q(seg.db_table)} s JOIN {q(road.db_table)} r "
           f"ON r.{q(road.pk.column)} = s.{q(seg.get_field('road').column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _load():
    segments, lines = [], []
    for segment in (RoadSegment.objects.active().filter(road__archived_at__isnull=True)
                    .select_related("road").order_by("road__sort_order", "road__name", "order",
                                                     "pk")):
        try:
            line = parse_geojson(segment.geometry, allowed={"LineString", "MultiLineString"})
        except Exception:  # noqa: BLE001 - a bad stored shape must not stop every report
            continue
        segments.append(segment)
        lines.append(line)
    lines_arr = np.array(lines, dtype=object)
    bounds = shapely.bounds(lines_arr) if lines else np.empty((0, 4))
    return segments, lines_arr, bounds


def _current():
    key = _fingerprint()
    with _lock:
        if _cache["key"] != key:
            segments, lines, bounds = _load()
            _cache.update(key=key, segments=segments, lines=lines, bounds=bounds)
        return _cache["segments"], _cache["lines"], _cache["bounds"]


def invalidate() -> None:
    with _lock:
        _cache["key"] = None


@receiver(post_save, sender=RoadSegment, dispatch_uid="cases.matching.segment_saved")
@receiver(post_save, sender=Road, dispatch_uid="cases.matching.road_saved")
def _changed(**_kwargs):
    invalidate()


def segment_for_point(lon, lat, tolerance_m: float = 30):
    """The nearest active segment within `tolerance_m` metres of (lon, lat), or None.

    Ties (a point at a crossing, equally near two roads) go to the road first in the road
    list (sort order, then name), then the lower segment order, so the answer is stable.
    """
    return _nearest(_current(), lon, lat, tolerance_m)


def segment_matcher(tolerance_m: float = 30):
    """segment_for_point for many points at once (demo build, benchmarks, bulk imports of
    cases): the change check runs once, here, and the callable answers from that snapshot,
    so it must not outlive a change to the segments it was made for."""
    snapshot = _current()
    return lambda lon, lat: _nearest(snapshot, lon, lat, tolerance_m)


def _nearest(snapshot, lon, lat, tolerance_m):
    segments, lines, bounds = snapshot
    try:
        lon, lat, tolerance_m = float(lon), float(lat), float(tolerance_m)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lon) and math.isfinite(lat) and -90 < lat < 90) or tolerance_m < 0:
        return None
    if not segments:
        return None
    x_scale = METRES_PER_DEGREE * math.cos(math.radians(lat))
    d_lon, d_lat = tolerance_m / x_scale, tolerance_m / METRES_PER_DEGREE
    near = np.flatnonzero((bounds[:, 0] - d_lon <= lon) & (bounds[:, 2] + d_lon >= lon)
                          & (bounds[:, 1] - d_lat <= lat) & (bounds[:, 3] + d_lat >= lat))
    if not len(near):
        return None

    def to_metres(coords):
        return np.column_stack([(coords[:, 0] - lon) * x_scale,
                                (coords[:, 1] - lat) * METRES_PER_DEGREE])

    local = shapely.transform(lines[near], to_metres)
    distances = shapely.distance(local, shapely.Point(0, 0))
    best = int(np.argmin(distances))  # first of equals: candidates keep the list's order
    if distances[best] > tolerance_m:
        return None
    # A copy: callers may set attributes on what they get without changing the cache.
    return copy.copy(segments[near[best]])
