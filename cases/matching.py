"""Which road segment a point lies on (for a case reported on a street).

Interface (owned by the base-data work): segment_for_point(lon, lat) -> RoadSegment | None.
"""


def segment_for_point(lon: float, lat: float):
    return None  # replaced by the base-data work: nearest segment within a tolerance
