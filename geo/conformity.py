"""Overlay geometries on plan layers: areas in metres, per zone, with a spatial index.

Pure service (no business models): maps.conformity turns the hits into a
verdict for a project and stores the record.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.strtree import STRtree

from geo.geometry import GEOGRAPHIC_CRS, gauss_kruger_epsg

LINE_BUFFER_M = 10.0  # linear projects are checked as a 20 m wide corridor


@dataclass(frozen=True)
class Zone:
    feature_id: int
    version_id: int
    layer_name: str
    kind: str
    land_use: str
    name: str


@dataclass(frozen=True)
class Hit:
    zone: Zone
    overlap_m2: float
    share: float  # of the project's (buffered) area; 1.0 for a point inside the zone


class ZoneIndex:
    """Zones of several layers, projected once into one Gauss-Krüger zone, in an STRtree."""

    def __init__(self, zones: list[Zone], geometries: list, central_lon: float | None = None):
        self.zones = zones
        arr = np.array(geometries, dtype=object)
        if central_lon is None:
            minx, _, maxx, _ = shapely.total_bounds(arr) if len(arr) else (114, 0, 114, 0)
            central_lon = (minx + maxx) / 2
        self.transformer = Transformer.from_crs(
            GEOGRAPHIC_CRS, f"EPSG:{gauss_kruger_epsg(central_lon)}", always_xy=True)
        self.geoms = self.project(arr) if len(arr) else arr
        self.tree = STRtree(self.geoms)

    def project(self, geoms):
        def forward(coords):
            x, y = self.transformer.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geoms, forward)

    def footprint(self, geom_lonlat):
        """The shape that is measured: polygons as they are, lines buffered, points as points."""
        g = self.project(geom_lonlat)
        if g.geom_type in ("LineString", "MultiLineString"):
            return shapely.buffer(g, LINE_BUFFER_M)
        return g

    def hits(self, geom_lonlat) -> list[Hit]:
        shape = self.footprint(geom_lonlat)
        candidates = self.tree.query(shape, predicate="intersects")
        if len(candidates) == 0:
            return []
        if shape.geom_type in ("Point", "MultiPoint"):
            return [Hit(self.zones[i], 0.0, 1.0) for i in candidates]
        overlaps = shapely.area(shapely.intersection(self.geoms[candidates], shape))
        total = shape.area or 1.0
        return [Hit(self.zones[i], float(a), float(a) / total)
                for i, a in zip(candidates, overlaps, strict=True) if a > 0]

    def area_m2(self, geom_lonlat) -> float:
        return float(self.footprint(geom_lonlat).area)
