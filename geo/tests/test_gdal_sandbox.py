"""Layer uploads that make GDAL read other files or the network (issue 17, items 3 and 4).

GDAL picks a reader from a file's content: an OGR VRT saved as "x.geojson", "x.gpkg" or as the
.shp of a zipped shapefile imported a server file as features and fetched /vsicurl/ URLs; a
JSON "gdal_streamed_alg" (GDALG) file runs a pipeline over any path; a GeoJSON whose crs is a
link makes GDAL fetch it. Each is refused with a Chinese message, nothing is stored, the secret
file's text appears nowhere, and a real HTTP server on 127.0.0.1 receives no request.
"""

import http.server
import json
import os
import sqlite3
import tempfile
import threading

import pyogrio
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from geo import gdal_guard
from geo.importers import Target, import_layers
from geo.models import Feature, Layer, LayerVersion
from geo.tests.factories import geojson_bytes, geopackage_bytes, shapefile_parts, square_m, zip_of
from tests.base import CastTestCase

SECRET = "topsecret-第七行"


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.hits.append(self.path)
        body = f'name,WKT\n{SECRET},"POINT (113.4 34.5)"\n'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def vrt(source: str, layer: str = "secret") -> bytes:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{source}</SrcDataSource>'
            f'<SrcLayer>{layer}</SrcLayer><GeometryType>wkbPoint</GeometryType>'
            '<GeometryField encoding="WKT" field="WKT"/></OGRVRTLayer></OGRVRTDataSource>'
            ).encode()


def parcels():
    return [({"名称": "地块1"}, square_m(0, 0, 100, 100))]


class ServerAndSecret:
    """A CSV of the server's own (made here, not /etc/passwd) and an HTTP server that records
    every request it gets."""

    @classmethod
    def start(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.secret_csv = os.path.join(cls.tmp.name, "secret.csv")
        with open(cls.secret_csv, "w", encoding="utf-8") as fh:
            fh.write(f'name,WKT\n{SECRET},"POINT (113.4 34.5)"\n')
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def stop(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.tmp.cleanup()


class DisguisedFileTests(CastTestCase):
    """The office's staff upload each file at 图层管理 as a new layer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ServerAndSecret.start()
        cls.secret_csv, cls.url = ServerAndSecret.secret_csv, ServerAndSecret.url

    @classmethod
    def tearDownClass(cls):
        ServerAndSecret.stop()
        super().tearDownClass()

    def setUp(self):
        _Recorder.hits.clear()
        self.client = self.login(self.cast.office_staff)

    def state(self):
        return Layer.objects.count(), LayerVersion.objects.count(), Feature.objects.count()

    def refused(self, data: bytes, filename: str, message: str):
        before = self.state()
        response = self.client.post("/maps/layers/", {
            "file": SimpleUploadedFile(filename, data), "name": "规划地块", "kind": "other"})
        self.assertContains(response, message, status_code=400)
        self.assertNotContains(response, SECRET, status_code=400)
        self.assertEqual(self.state(), before)
        self.assertEqual(_Recorder.hits, [], "GDAL sent a request")
        self.assertFalse(Feature.objects.filter(name__contains="topsecret").exists())

    def test_a_vrt_named_geojson_reading_a_server_csv_is_refused(self):
        self.refused(vrt(self.secret_csv), "地块.geojson",
                     "“地块.geojson”的内容不是GeoJSON文件")

    def test_a_vrt_with_a_csv_driver_prefix_is_refused(self):
        self.refused(vrt(f"CSV:{self.secret_csv}"), "地块.json", "的内容不是GeoJSON文件")

    def test_a_vrt_named_gpkg_is_refused(self):
        self.refused(vrt(self.secret_csv), "地块.gpkg", "“地块.gpkg”的内容不是GeoPackage文件")

    def test_a_vrt_as_the_shp_of_a_zipped_shapefile_is_refused(self):
        parts = shapefile_parts(parcels())
        parts[".shp"] = vrt(self.secret_csv)
        self.refused(zip_of({"成果/地块": parts}), "成果.zip",
                     "“成果/地块.shp”的内容不是Shapefile文件")

    def test_a_vrt_fetching_vsicurl_from_a_local_server_is_refused_without_a_request(self):
        self.refused(vrt(f"/vsicurl/{self.url}/secret.csv"), "地块.geojson",
                     "的内容不是GeoJSON文件")

    def test_a_geojson_whose_crs_links_to_a_local_server_is_refused_without_a_request(self):
        collection = json.loads(geojson_bytes(parcels()))
        collection["crs"] = {"type": "link", "properties": {"href": f"{self.url}/crs",
                                                            "type": "proj4"}}
        self.refused(json.dumps(collection).encode(), "地块.geojson", "引用了网络地址")

    def test_a_gdalg_pipeline_in_json_is_refused(self):
        # Starts with "{", so only the driver restriction stops it.
        pipeline = {"type": "gdal_streamed_alg", "relative_paths_relative_to_this_file": False,
                    "command_line": f"gdal vector pipeline ! read {self.secret_csv} "
                                    "! write --of stream streamed_dataset"}
        self.refused(json.dumps(pipeline).encode(), "地块.geojson", "无法读取文件“地块.geojson”")


def _gpkg_with(statements: list[str], *, writable_schema=False) -> bytes:
    """A real GeoPackage of one parcel layer ("layer"), changed by SQL."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.gpkg")
        with open(path, "wb") as fh:
            fh.write(geopackage_bytes(parcels()))
        con = sqlite3.connect(path)
        if writable_schema:
            con.execute("PRAGMA writable_schema=ON")
        for sql in statements:
            con.execute(sql)
        con.commit()
        con.close()
        with open(path, "rb") as fh:
            return fh.read()


class HostileGeoPackageTests(CastTestCase):
    def setUp(self):
        self.client = self.login(self.cast.office_staff)

    def refused(self, data, message):
        response = self.client.post("/maps/layers/", {
            "file": SimpleUploadedFile("地块.gpkg", data), "name": "规划地块", "kind": "other"})
        self.assertContains(response, message, status_code=400)
        self.assertFalse(Layer.objects.exists())

    def test_a_view_is_refused(self):
        self.refused(_gpkg_with([
            'CREATE VIEW "v" AS SELECT * FROM "layer"',
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "SELECT 'v', data_type, 'v', srs_id FROM gpkg_contents WHERE table_name = 'layer'",
        ]), "含有视图“v”")

    def test_a_virtual_table_other_than_the_spatial_index_is_refused(self):
        self.refused(_gpkg_with([
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', "
            "'leak', 'leak', 0, 'CREATE VIRTUAL TABLE leak USING VirtualOGR(''/etc/passwd'')')",
        ], writable_schema=True), "含有虚拟表“leak”")

    def test_a_generated_column_is_refused(self):
        self.refused(_gpkg_with([
            'ALTER TABLE "layer" ADD COLUMN "x" TEXT GENERATED ALWAYS AS (upper("名称"))',
        ]), "含有计算列“x”")

    def test_a_faked_feature_count_is_refused_not_read_in_part(self):
        # GDAL believes gpkg_ogr_contents and would read one row of two.
        data = geopackage_bytes(parcels() * 2)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.gpkg")
            with open(path, "wb") as fh:
                fh.write(data)
            con = sqlite3.connect(path)
            con.execute("UPDATE gpkg_ogr_contents SET feature_count = 1")
            con.commit()
            con.close()
            with open(path, "rb") as fh:
                data = fh.read()
        self.refused(data, "记录的要素数（1个）与实际的2个不符")


class GuardTests(SimpleTestCase):
    def test_only_the_three_drivers_remain_and_fetches_are_refused(self):
        self.assertEqual(gdal_guard.guards(), {"drivers": True, "fetch": True})
        self.assertLessEqual(set(pyogrio.list_drivers()), set(gdal_guard.ALLOWED_DRIVERS))
        self.assertEqual(pyogrio.get_gdal_config_option("CPL_VSIL_CURL_ALLOWED_FILENAME"),
                         gdal_guard.NO_REMOTE_FILE)

    def test_names_that_redirect_gdal_are_refused(self):
        for name in ("/vsicurl/http://127.0.0.1/x", "CSV:/etc/passwd", "/vsizip//tmp/a.zip",
                     "PG:dbname=x"):
            with self.subTest(name), self.assertRaisesMessage(ValidationError, "不能作为图层读取"):
                gdal_guard.gdal_path(name, "GeoJSON", "x.geojson")
        self.assertEqual(gdal_guard.gdal_path("/tmp/a/upload.gpkg", "GPKG", "x"),
                         "GPKG:/tmp/a/upload.gpkg")

    def test_a_geopackage_layer_named_like_a_virtual_file_is_refused(self):
        data = _gpkg_with([
            "UPDATE gpkg_contents SET table_name = '/vsicurl/x', identifier = '/vsicurl/x'",
            "UPDATE gpkg_geometry_columns SET table_name = '/vsicurl/x'",
            'ALTER TABLE "layer" RENAME TO "/vsicurl/x"',
        ])
        with self.assertRaisesMessage(ValidationError, "不能作为图层读取"):
            import_layers(SimpleUploadedFile("x.gpkg", data), [Target(name="x", kind="other")])


class CommandTests(CastTestCase):
    """manage.py import_layer reads through the same checks (import_layers)."""

    def test_the_command_refuses_a_zip_whose_shx_is_not_a_shapefile_index(self):
        parts = shapefile_parts(parcels())
        parts[".shx"] = b"<OGRVRTDataSource/>"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "成果.zip")
            with open(path, "wb") as fh:
                fh.write(zip_of({"地块": parts}))
            with self.assertRaisesMessage(CommandError, "的内容不是Shapefile文件"):
                call_command("import_layer", path, "--new", "地块", "--kind", "other")
        self.assertFalse(Layer.objects.exists())
