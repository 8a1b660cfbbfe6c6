"""Vertices are counted from a layer file's bytes before GDAL reads any shape (issue 17).

The probe's zipped shapefile of 10M vertices (81 MB) cost +396 MB because every shape was read
before the first was counted. Now a shapefile's records are counted from its index, a GeoJSON's
positions and a GeoPackage's geometry bytes from the file, and the file is refused as soon as
the count passes the limit: in little memory and time whatever the file holds.

import_layers() is called directly: through the test client, the multipart copies of a 40 MB
upload would be measured too.
"""

import os
import tempfile

import numpy as np
import pyogrio.raw
import shapely
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core.tests.cost import measured
from geo.importers import Target, import_layers, list_sources
from geo.models import Feature, Layer
from geo.tests.test_hostile_layers import circle, geojson_bytes, shapefile_zip
from tests.base import CastTestCase

MAX_SECONDS = 10


def parcels(count: int, vertices: int):
    """`count` round parcels of `vertices` coordinates each (the ring closes on its first)."""
    return [circle(vertices - 1, centre=(113.4 + 0.03 * i, 34.5)) for i in range(count)]


def geopackage_bytes(geoms) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.gpkg")
        pyogrio.raw.write(path, np.array(shapely.to_wkb(geoms), dtype=object),
                          [np.array([f"地块{i}" for i in range(len(geoms))], dtype=object)],
                          ["名称"], driver="GPKG", geometry_type="Polygon", crs="EPSG:4326")
        with open(path, "rb") as fh:
            return fh.read()


class VertexBudgetTests(CastTestCase):
    def refused(self, data: bytes, filename: str, message: str, max_mb: float):
        upload = SimpleUploadedFile(filename, data)
        del data
        with measured(self.id().rsplit(".", 1)[-1]) as cost, \
                self.assertRaisesMessage(ValidationError, message):
            import_layers(upload, [Target(name="地块", kind="other")])
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, max_mb, cost)
        self.assertFalse(Layer.objects.exists())
        self.assertFalse(Feature.objects.exists())
        return cost

    def test_a_shapefile_of_5m_vertices_is_refused_from_its_index(self):
        data = shapefile_zip(parcels(25, 200_000))  # 5M vertices, 40 MB zipped
        # Counted exactly before GDAL reads a shape: ~200 MB when all were read first.
        self.refused(data, "地块.zip", "文件共有5000000个顶点，超过3000000个的上限", max_mb=60)

    def test_the_upload_page_refuses_it_before_the_clerk_chooses(self):
        data = shapefile_zip(parcels(25, 200_000))
        with measured() as cost, self.assertRaisesMessage(ValidationError, "超过3000000个的上限"):
            list_sources(SimpleUploadedFile("地块.zip", data))
        self.assertLess(cost.peak_mb, 60, cost)

    @override_settings(LAYER_MAX_VERTICES=500_000)
    def test_a_geojson_is_refused_once_its_positions_pass_the_limit(self):
        data = geojson_bytes(parcels(5, 200_000))  # 1M vertices, 27 MB
        # GDAL alone would hold them all (and parse each feature's 5 MB of text).
        self.refused(data, "地块.geojson", "超过500000个的上限", max_mb=40)

    @override_settings(LAYER_MAX_VERTICES=500_000)
    def test_a_geopackage_is_refused_from_its_geometry_bytes(self):
        data = geopackage_bytes(parcels(5, 200_000))  # 1M vertices, 16 MB
        self.refused(data, "地块.gpkg", "超过500000个的上限", max_mb=40)

    @override_settings(LAYER_MAX_VERTICES=500_000)
    def test_a_file_within_the_limit_is_imported(self):
        data = geojson_bytes(parcels(2, 200_000))
        versions = import_layers(SimpleUploadedFile("地块.geojson", data),
                                 [Target(name="地块", kind="other")])
        self.assertEqual(versions[0].feature_count, 2)
