"""Hostile layer files at 图层管理 (issue 17): each is refused with a Chinese message naming
the limit and, where the file says it, what the file has; nothing is created or staged; the
refusal costs little time and memory.

A probe's 1M-vertex polygon was imported and then sent whole to every map (24.8 MB). GDAL
alone, reading that GeoJSON feature's 27 MB, took 500 MB.
"""

import io
import os
import tempfile
import zipfile

import numpy as np
import pyogrio.raw
import shapely
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from core.staging import LAYER_IMPORTS
from core.tests.cost import measured
from geo.models import Feature, Layer, LayerVersion
from tests.base import CastTestCase

MAX_SECONDS = 10
CENTRE = (113.40, 34.50)


def circle(vertices: int, *, centre=CENTRE, radius=0.01) -> shapely.Polygon:
    """A round parcel drawn with `vertices` points (lon/lat)."""
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = np.column_stack([centre[0] + radius * np.cos(angles),
                            centre[1] + radius * np.sin(angles)])
    return shapely.Polygon(np.vstack([ring, ring[:1]]))


def _write(path, geoms, driver, geometry_type="Polygon", **options):
    names = np.array([f"地块{i}" for i in range(len(geoms))], dtype=object)
    pyogrio.raw.write(path, np.array(shapely.to_wkb(geoms), dtype=object), [names], ["名称"],
                      driver=driver, geometry_type=geometry_type, crs="EPSG:4326", **options)


def geojson_bytes(geoms) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.geojson")
        _write(path, geoms, "GeoJSON", layer_options={"COORDINATE_PRECISION": 7})
        with open(path, "rb") as fh:
            return fh.read()


def shapefile_zip(geoms, geometry_type="Polygon", extra=()) -> bytes:
    """A zipped shapefile as an office sends it (deflated, in a folder), plus `extra`
    members given as (name, size in MB of zeros)."""
    with tempfile.TemporaryDirectory() as tmp:
        _write(os.path.join(tmp, "layer.shp"), geoms, "ESRI Shapefile", geometry_type,
               encoding="UTF-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name in sorted(os.listdir(tmp)):
                archive.write(os.path.join(tmp, name), f"成果/{name}")
            for name, megabytes in extra:
                with archive.open(name, "w", force_zip64=True) as member:
                    for _ in range(megabytes):
                        member.write(bytes(2**20))
        return buffer.getvalue()


class HostileLayerTests(CastTestCase):
    """The office's staff upload each file as a new layer."""

    def setUp(self):
        self.client = self.login(self.cast.office_staff)
        self.client.get("/maps/layers/")  # warm, outside the measure

    def state(self):
        staged = default_storage.listdir(LAYER_IMPORTS)[1] \
            if default_storage.exists(LAYER_IMPORTS) else []
        return (Layer.objects.count(), LayerVersion.objects.count(), Feature.objects.count(),
                sorted(staged))

    def refused(self, data: bytes, filename: str, *messages: str, max_mb=100):
        before = self.state()
        upload = SimpleUploadedFile(filename, data)
        with measured(self.id().rsplit(".", 1)[-1]) as cost:
            response = self.client.post("/maps/layers/", {"file": upload, "name": "规划地块",
                                                          "kind": "other"})
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, max_mb, cost)
        for message in messages:
            self.assertContains(response, message, status_code=400)
        self.assertEqual(self.state(), before)

    def test_a_geojson_polygon_of_1m_vertices_is_refused_while_gdal_reads_it(self):
        data = geojson_bytes([circle(1_000_000)])
        self.assertGreater(len(data), 20 * 2**20)  # the probe's 24.8 MB
        # GDAL stops at about 200,000 vertices' worth of the feature (its 500 MB becomes ~150).
        self.refused(data, "红线.geojson", "“红线.geojson”中有要素过大：单个要素超过约200000个顶点的上限",
                     "简化", max_mb=250)

    def test_a_zipped_shapefile_polygon_of_1m_vertices_is_refused_with_its_count(self):
        # Counted from the shapefile's record headers before GDAL reads a shape (reading the
        # 16 MB of shapes as WKB, then GEOS, first cost up to 150 MB).
        self.refused(shapefile_zip([circle(1_000_000)]), "红线.zip",
                     "第1个要素有1000001个顶点，超过单个要素200000个的上限", max_mb=60)

    def test_200001_features_are_refused_from_the_header(self):
        points = shapely.points(np.column_stack([np.linspace(113.3, 113.5, 200_001),
                                                 np.full(200_001, 34.5)]))
        self.refused(shapefile_zip(list(points), "Point"), "井盖.zip",
                     "文件有200001个要素，超过200000个的上限")

    @override_settings(LAYER_MAX_VERTICES=100_000)
    def test_vertices_in_all_are_capped(self):
        parcels = [circle(40_000, centre=(113.4 + 0.03 * i, 34.5)) for i in range(3)]
        self.refused(shapefile_zip(parcels), "地块.zip", "文件共有120003个顶点，超过100000个的上限")

    def test_a_zip_unpacking_past_500_mb_is_refused_from_its_directory(self):
        data = shapefile_zip([circle(100)], extra=[("成果/说明.bin", 501)])
        self.assertLess(len(data), 4 * 2**20)
        self.refused(data, "成果.zip", "“成果.zip”解压后共501MB，超过500MB的上限")

    def test_a_member_with_an_absurd_ratio_is_refused(self):
        self.refused(shapefile_zip([circle(100)], extra=[("成果/说明.bin", 20)]), "成果.zip",
                     "“成果/说明.bin”压缩比异常")

    @override_settings(LAYER_MAX_SOURCES=3)
    def test_too_many_layers_in_one_zip_are_refused_before_unpacking(self):
        one = zipfile.ZipFile(io.BytesIO(shapefile_zip([circle(100)])))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for folder in range(4):
                for info in one.infolist():
                    archive.writestr(info.filename.replace("成果/", f"成果{folder}/"),
                                     one.read(info))
        self.refused(buffer.getvalue(), "成果.zip", "“成果.zip”中有4个图层，超过3个的上限")

    @override_settings(LAYER_MAX_UPLOAD_BYTES=2**20)
    def test_a_file_past_the_upload_limit_is_refused(self):
        data = geojson_bytes([circle(100_000)])
        self.refused(data, "大.geojson", f"文件“大.geojson”有{len(data) / 2**20:.0f}MB，超过1MB的上限")

    def test_the_command_refuses_the_same_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "红线.zip")
            with open(path, "wb") as fh:
                fh.write(shapefile_zip([circle(1_000_000)]))
            with self.assertRaisesMessage(CommandError, "超过单个要素200000个的上限"):
                call_command("import_layer", path, "--new", "红线", "--kind", "other")
        self.assertFalse(Layer.objects.exists())
