"""Layer files as offices send them: GBK .dbf without .cpg, folders and several shapefiles in
one zip, GBK member names, several layers in a GeoPackage. Every file is built in the test."""

import os
import tempfile

import numpy as np
import pyogrio.raw
import shapely
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from geo.choices import LayerKind
from geo.importers import Target, import_layer, import_layers, list_sources
from geo.models import Feature, Layer, LayerVersion
from geo.sources import cpg_encoding
from geo.tests.factories import GK_CM114, shapefile_parts, square_m, zip_of

LAND = [({"用地性质": "二类居住用地", "名称": "城东片区甲地块"}, square_m(0, 0, 100, 100)),
        ({"用地性质": "公园绿地", "名称": "滨河公园（北段）"}, square_m(100, 0, 200, 100))]
REDLINE = [({"名称": "南山水源涵养区", "管控级别": "一级"}, square_m(300, 0, 400, 80))]


def upload(name, data):
    return SimpleUploadedFile(name, data)


class ChineseShapefileTests(TestCase):
    def setUp(self):
        self.layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)

    def assert_chinese(self, version):
        first, second = Feature.objects.filter(version=version).order_by("index")
        self.assertEqual(first.properties, {"用地性质": "二类居住用地", "名称": "城东片区甲地块"})
        self.assertEqual((first.land_use, first.name), ("二类居住用地", "城东片区甲地块"))
        self.assertEqual((second.land_use, second.name), ("公园绿地", "滨河公园（北段）"))
        self.assertAlmostEqual(first.area_m2, 10000, delta=1)

    def test_a_gbk_dbf_without_cpg_comes_out_as_chinese(self):
        for encoding in ("GB18030", "GBK"):
            with self.subTest(encoding):
                parts = shapefile_parts(LAND, encoding=encoding)
                self.assertNotIn(".cpg", parts)
                self.assertIn("用地性质".encode("gbk"), parts[".dbf"])  # really GBK on disk
                version = import_layer(self.layer, upload("控规.zip", zip_of({"控规": parts})))
                self.assert_chinese(version)

    def test_a_utf8_dbf_without_cpg_stays_utf8(self):
        rows = [({"名称": "城东片区甲地块", "用途": "居住"}, square_m(0, 0, 100, 100))]
        roads = Layer.objects.create(name="地块", kind=LayerKind.OTHER)
        version = import_layer(roads, upload("a.zip", zip_of(
            {"a": shapefile_parts(rows, encoding="UTF-8")})))
        feature = Feature.objects.get(version=version)
        self.assertEqual(feature.properties, {"名称": "城东片区甲地块", "用途": "居住"})

    def test_a_cpg_is_respected(self):
        for label in ("GBK", "936", "ANSI 936", "GB2312"):
            with self.subTest(label):
                parts = {**shapefile_parts(LAND, encoding="GB18030"), ".cpg": label.encode()}
                self.assert_chinese(import_layer(self.layer, upload("z.zip", zip_of({"z": parts}))))
        self.assertEqual(cpg_encoding("UTF-8"), "UTF-8")
        self.assertEqual(cpg_encoding("1252"), "CP1252")
        self.assertIsNone(cpg_encoding("no such code page"))  # then the content decides

    def test_a_shapefile_inside_a_folder_of_the_zip_imports(self):
        parts = shapefile_parts(LAND)
        for gbk_names in (False, True):  # UTF-8 flagged names, and GBK names from Windows tools
            with self.subTest(gbk_names=gbk_names):
                data = zip_of({"数据/规划用地": parts}, gbk_names=gbk_names,
                              extra={"数据/说明.txt": "规划局提供".encode()})
                version = import_layer(self.layer, upload("规划用地.zip", data))
                self.assertEqual(version.source_name, "规划用地.zip/数据/规划用地.shp")
                self.assertEqual(version.source_crs, "EPSG:4526")
                self.assert_chinese(version)
                [summary] = list_sources(upload("规划用地.zip", data))
                self.assertEqual(summary.label, "数据/规划用地.shp")
                self.assertEqual(summary.fields, ["用地性质", "名称"])

    def test_missing_parts_and_empty_zips_are_named(self):
        parts = shapefile_parts(LAND)
        del parts[".dbf"]
        cases = {
            "no dbf": (zip_of({"数据/规划用地": parts}), "“数据/规划用地.shp”缺少同名的 .dbf"),
            "no shapefile": (zip_of({}, extra={"说明.txt": b"x"}), "没有找到 Shapefile"),
            "not a zip": (b"PK\x03\x04 broken", "无法读取文件“z.zip”"),
        }
        for label, (data, message) in cases.items():
            with self.subTest(label), self.assertRaisesMessage(ValidationError, message):
                import_layer(self.layer, upload("z.zip", data))
        self.assertFalse(LayerVersion.objects.exists())


class SeveralLayersInOneFileTests(TestCase):
    def zip(self):
        return zip_of({"数据/规划用地": shapefile_parts(LAND),
                       "数据/生态保护红线": shapefile_parts(REDLINE)}, gbk_names=True)

    def test_they_are_listed_with_their_attributes(self):
        found = list_sources(upload("规划成果.zip", self.zip()))
        self.assertEqual([(s.label, s.feature_count, s.suggested_name, s.suggested_kind)
                          for s in found],
                         [("数据/生态保护红线.shp", 1, "生态保护红线", LayerKind.ECO_REDLINE),
                          ("数据/规划用地.shp", 2, "规划用地", LayerKind.LAND_USE)])
        self.assertEqual(found[0].fields, ["名称", "管控级别"])

    def test_one_is_never_imported_silently(self):
        layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        with self.assertRaisesMessage(ValidationError, "中有2个图层：数据/生态保护红线.shp、"
                                                       "数据/规划用地.shp"):
            import_layer(layer, upload("规划成果.zip", self.zip()))
        self.assertFalse(LayerVersion.objects.exists())

    def test_each_imports_as_its_own_layer(self):
        land = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        versions = import_layers(upload("规划成果.zip", self.zip()), [
            Target(source="数据/规划用地.shp", layer=land),
            Target(source="数据/生态保护红线.shp", name="生态保护红线",
                   kind=LayerKind.ECO_REDLINE)])
        self.assertEqual([v.layer.name for v in versions], ["控规用地", "生态保护红线"])
        red = Feature.objects.get(version=versions[1])
        self.assertEqual(red.properties, {"名称": "南山水源涵养区", "管控级别": "一级"})
        self.assertEqual(Layer.objects.get(name="生态保护红线").kind, LayerKind.ECO_REDLINE)
        self.assertEqual(Feature.objects.filter(version=versions[0]).get(index=0).land_use,
                         "二类居住用地")

    def test_a_problem_in_one_layer_imports_none(self):
        taken = Layer.objects.create(name="生态保护红线", kind=LayerKind.ECO_REDLINE)
        cases = {
            "land use without the attribute": (
                [Target(source="数据/规划用地.shp", name="控规", kind=LayerKind.ROAD),
                 Target(source="数据/生态保护红线.shp", name="红线", kind=LayerKind.LAND_USE)],
                "数据/生态保护红线.shp：用地性质图层缺少“用地性质”属性"),
            "a taken name": ([Target(source="数据/规划用地.shp", name="生态保护红线",
                                     kind=LayerKind.OTHER)], "已有名为“生态保护红线”的图层"),
            "no such file": ([Target(source="道路.shp", layer=taken)], "中没有“道路.shp”"),
            "one layer twice": ([Target(source="数据/规划用地.shp", layer=taken),
                                 Target(source="数据/生态保护红线.shp", layer=taken)],
                                "一次只能导入一个文件"),
        }
        for label, (targets, message) in cases.items():
            with self.subTest(label), self.assertRaisesMessage(ValidationError, message):
                import_layers(upload("规划成果.zip", self.zip()), targets)
        self.assertEqual(list(Layer.objects.values_list("name", flat=True)), ["生态保护红线"])
        self.assertFalse(LayerVersion.objects.exists())

    def test_a_geopackage_with_several_layers_is_listed_too(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "成果.gpkg")
            for name, rows in (("规划用地", LAND), ("生态保护红线", REDLINE)):
                names = list(rows[0][0])
                pyogrio.raw.write(
                    path, np.array(shapely.to_wkb([g for _, g in rows]), dtype=object),
                    [np.array([p[n] for p, _ in rows], dtype=object) for n in names], names,
                    driver="GPKG", layer=name, geometry_type="Polygon", crs=GK_CM114)
            with open(path, "rb") as fh:
                data = fh.read()
        self.assertEqual({s.label for s in list_sources(upload("成果.gpkg", data))},
                         {"规划用地", "生态保护红线"})
        layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        with self.assertRaisesMessage(ValidationError, "中有2个图层"):
            import_layer(layer, upload("成果.gpkg", data))
        version = import_layer(layer, upload("成果.gpkg", data), source="规划用地")
        self.assertEqual(version.feature_count, 2)
        self.assertEqual(version.source_name, "成果.gpkg/规划用地")
