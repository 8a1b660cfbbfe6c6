"""Layer import: GeoJSON, zipped Shapefile (CGCS2000 Gauss-Krüger), GeoPackage, broken files."""

import json

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from shapely.geometry import shape

from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import Feature, Layer
from geo.tests.factories import (
    geojson_bytes,
    geopackage_bytes,
    shapefile_zip_bytes,
    square_m,
    to_lonlat,
)

ZONES = [({"用地性质": "道路与交通设施用地", "名称": "甲地块"}, square_m(0, 0, 100, 100)),
         ({"用地性质": "农林用地", "名称": "乙地块"}, square_m(100, 0, 200, 100))]


class LayerImportTests(TestCase):
    def setUp(self):
        self.layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)

    def check_features(self, version):
        self.assertEqual(version.feature_count, 2)
        first = Feature.objects.get(version=version, index=0)
        self.assertEqual((first.land_use, first.name), ("道路与交通设施用地", "甲地块"))
        self.assertAlmostEqual(first.area_m2, 10000, delta=1)
        expected = to_lonlat(square_m(0, 0, 100, 100))
        self.assertAlmostEqual(shape(first.geometry).centroid.x, expected.centroid.x, places=6)
        self.assertAlmostEqual(shape(first.geometry).centroid.y, expected.centroid.y, places=6)
        self.layer.refresh_from_db()
        self.assertEqual(self.layer.current_version, version)

    def test_geojson(self):
        version = import_layer(self.layer, SimpleUploadedFile("zones.geojson", geojson_bytes(ZONES)))
        self.assertEqual(version.source_crs, "EPSG:4326")
        self.check_features(version)

    def test_gauss_kruger_shapefile_zip_is_reprojected(self):
        data = shapefile_zip_bytes(ZONES)
        version = import_layer(self.layer, SimpleUploadedFile("zones.zip", data))
        self.assertEqual(version.source_crs, "EPSG:4526")
        self.assertEqual(version.source_format, "Shapefile（zip）")
        self.check_features(version)

    def test_shapefile_without_prj_guesses_the_zone_from_the_prefix(self):
        version = import_layer(self.layer, SimpleUploadedFile(
            "zones.zip", shapefile_zip_bytes(ZONES, with_prj=False)))
        self.assertEqual(version.source_crs, "EPSG:4526")
        self.check_features(version)

    def test_geopackage(self):
        version = import_layer(self.layer, SimpleUploadedFile("zones.gpkg", geopackage_bytes(ZONES)))
        self.assertEqual(version.source_crs, "EPSG:4547")
        self.check_features(version)

    def test_each_import_is_a_new_version(self):
        first = import_layer(self.layer, SimpleUploadedFile("a.geojson", geojson_bytes(ZONES)))
        second = import_layer(self.layer, SimpleUploadedFile("b.geojson", geojson_bytes(ZONES[:1])))
        self.assertEqual((first.number, second.number), (1, 2))
        self.assertEqual(Feature.objects.filter(version=first).count(), 2)  # kept
        self.layer.refresh_from_db()
        self.assertEqual(self.layer.current_version, second)

    def test_broken_files_import_nothing(self):
        bowtie = {"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1, 34.1], [113.1, 34.0],
                                                      [113.0, 34.1], [113.0, 34.0]]]}
        good = json.loads(geojson_bytes(ZONES))
        good["features"].append({"type": "Feature", "properties": {"用地性质": "x"},
                                 "geometry": bowtie})
        cases = {
            "invalid geometry": ("bad.geojson", json.dumps(good).encode(), "第3个要素几何无效"),
            "not a layer": ("bad.geojson", b"{not json", "无法读取文件"),
            "wrong extension": ("zones.dwg", b"AC1027", "不支持的文件格式"),
            "truncated zip": ("zones.zip", shapefile_zip_bytes(ZONES)[:200], "无法读取文件"),
        }
        for label, (name, data, message) in cases.items():
            with self.subTest(label), self.assertRaisesMessage(ValidationError, message):
                import_layer(self.layer, SimpleUploadedFile(name, data))
        self.assertFalse(Feature.objects.exists())
        self.assertFalse(self.layer.versions.exists())

    def test_land_use_layer_needs_the_attribute(self):
        plain = [({"名称": "无属性"}, square_m(0, 0, 10, 10))]
        with self.assertRaisesMessage(ValidationError, "缺少“用地性质”属性"):
            import_layer(self.layer, SimpleUploadedFile("z.geojson", geojson_bytes(plain)))
        roads = Layer.objects.create(name="道路", kind=LayerKind.ROAD)
        import_layer(roads, SimpleUploadedFile("z.geojson", geojson_bytes(plain)))

    def test_coordinates_in_the_wrong_crs_are_refused(self):
        # Metres declared as lon/lat: the shapes land outside China.
        data = json.dumps({"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"用地性质": "x"},
            "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11],
                                                             [10, 10]]]}}]}).encode()
        with self.assertRaisesMessage(ValidationError, "不在中国范围内"):
            import_layer(self.layer, SimpleUploadedFile("z.geojson", data))
