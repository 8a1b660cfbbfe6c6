"""The offline basemap endpoint, the demo's generated basemap, land-use colours, the bbox of
what the filters match, and amounts in 亿元."""

from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase, override_settings

from core.templatetags.cj import wan_yi
from demo.basemap import basemap_features
from maps.actions import do_replace_basemap
from maps.landuse import UNKNOWN_COLOUR, land_use_class, palette_and_legend
from maps.models import BasemapFeature
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

URL = "/maps/data/basemap.geojson"
ROAD = {"kind": "road", "name": "文峰路", "rank": 2,
        "geometry": {"type": "LineString", "coordinates": [[113.36, 34.50], [113.40, 34.52]]}}
WATER = {"kind": "water", "name": "溱水", "geometry": {"type": "Polygon", "coordinates": [
    [[113.36, 34.49], [113.40, 34.49], [113.40, 34.495], [113.36, 34.49]]]}}


@on_mid_may_2026
class BasemapEndpointTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        do_replace_basemap([ROAD, WATER])

    def test_anonymous_is_sent_to_log_in(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_roads_water_and_district_names_for_the_map(self):
        data = self.login(self.cast.office_admin).get(URL).json()
        kinds = {(f["properties"]["kind"], f["properties"]["name"]) for f in data["features"]}
        self.assertEqual(kinds, {("road", "文峰路"), ("water", "溱水"), ("district", "测试板块")})

    def test_districts_only_within_the_readers_scope(self):
        # A citizen reads no project and so no map; a unit's reporter reads districts as
        # CoreDistrict.visible_to allows, and the city's roads and water in any case.
        self.assertEqual(self.login(self.cast.citizen).get(URL).status_code, 403)
        data = self.login(self.cast.reporter_a).get(URL).json()
        self.assertIn("road", {f["properties"]["kind"] for f in data["features"]})

    @override_settings(BASEMAP_TILE_URL="https://t{s}.tianditu.gov.cn/vec_w/wmts?tk={tk}")
    def test_with_a_tile_service_only_the_district_names_are_drawn(self):
        data = self.login(self.cast.office_admin).get(URL).json()
        self.assertEqual({f["properties"]["kind"] for f in data["features"]}, {"district"})

    def test_replacing_the_basemap_is_the_offices(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            do_replace_basemap([ROAD], acting_user=self.cast.reporter_a)
        self.assertEqual(do_replace_basemap([ROAD], acting_user=self.cast.office_admin), 1)
        self.assertEqual(BasemapFeature.objects.count(), 1)


@on_mid_may_2026
class MapConfigTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def config(self, **params):
        import json
        import re

        html = self.login(self.cast.office_admin).get("/maps/", params).content.decode()
        found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>',
                          html, re.S)
        return json.loads(found.group(1))

    def test_the_credit_line_names_the_source_of_the_background(self):
        self.assertEqual(self.config()["attribution"], "底图：本市地理数据")
        with override_settings(BASEMAP_TILE_URL="https://t{s}.tianditu.gov.cn/x?tk={tk}",
                               BASEMAP_TILE_KEY="abc123"):
            config = self.config()
        self.assertEqual((config["attribution"], config["tileKey"]), ("底图：天地图", "abc123"))
        with override_settings(BASEMAP_ATTRIBUTION="底图：示范市自然资源和规划局"):
            self.assertEqual(self.config()["attribution"], "底图：示范市自然资源和规划局")

    def test_the_projects_answer_carries_the_box_of_all_matches(self):
        data = self.login(self.cast.office_admin).get(
            "/maps/data/projects.geojson", {"zoom": 16, "bbox": "0,0,0.1,0.1"}).json()
        self.assertEqual(data["features"], [])  # none in that view …
        self.assertEqual(data["bbox"], [113.38, 34.51, 113.38, 34.51])  # … but A matches
        none = self.login(self.cast.office_admin).get(
            "/maps/data/projects.geojson", {"q": "没有这样的项目"}).json()
        self.assertIsNone(none["bbox"])

    def test_a_land_use_layer_carries_its_colours_and_legend(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from geo.choices import LayerKind
        from geo.importers import import_layer
        from geo.models import Layer
        from geo.tests.factories import geojson_bytes, square_m

        layer = Layer.objects.create(name="控规", kind=LayerKind.LAND_USE)
        cells = [({"用地性质": use}, square_m(i * 100, 0, i * 100 + 90, 90))
                 for i, use in enumerate(["二类居住用地", "工业用地", "奇怪的类", "居住用地"])]
        import_layer(layer, SimpleUploadedFile("lu.geojson", geojson_bytes(cells)))
        info = next(i for i in self.config()["layers"] if i["id"] == layer.pk)
        self.assertEqual(info["legend"], [["二类居住用地", "#ffff2d"], ["居住用地", "#ffff2d"],
                                          ["工业用地", "#bb9674"], ["奇怪的类", UNKNOWN_COLOUR]])
        self.assertEqual(info["palette"]["工业用地"], "#bb9674")
        self.assertNotIn("奇怪的类", info["palette"])


class LandUseClassTests(SimpleTestCase):
    def test_both_classifications_map_to_the_standard_colours(self):
        cases = {"居住用地": "居住用地", "R2二类居住用地": "居住用地",
                 "商业服务业设施用地": "商业服务业用地", "商业服务业用地": "商业服务业用地",
                 "工矿用地": "工业用地", "道路与交通设施用地": "道路与交通设施用地",
                 "交通运输用地": "道路与交通设施用地", "公用设施用地": "公用设施用地",
                 "公共管理与公共服务设施用地": "公共管理与公共服务用地",
                 "绿地与广场用地": "绿地与开敞空间用地", "绿地与开敞空间用地": "绿地与开敞空间用地",
                 "农林用地": "农林用地", "物流仓储用地": "物流仓储用地"}
        for name, expected in cases.items():
            with self.subTest(name=name):
                self.assertEqual(land_use_class(name)[0], expected)
        self.assertIsNone(land_use_class("未知"))

    def test_a_legend_is_capped(self):
        _, legend = palette_and_legend([f"类{i:02d}" for i in range(30)])
        self.assertEqual(len(legend), 20)
        self.assertEqual(legend[-1][0], "其他11类")


class WanYiTests(SimpleTestCase):
    def test_amounts_of_one_yi_and_more_read_in_yi(self):
        cases = [(Decimal("4692.240000000000"), "4,692.24万元"), (Decimal("9999.99"), "9,999.99万元"),
                 (Decimal("10000"), "1.00亿元"), (Decimal("123456.7"), "12.35亿元"),
                 (250000.0, "25.00亿元"), (0, "0.00万元"), (None, "—"), ("", "—"), ("x", "—")]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(wan_yi(value), expected)

    def test_in_a_template(self):
        html = Template("{% load cj %}{{ v|wan_yi }}").render(Context({"v": Decimal("35000")}))
        self.assertEqual(html, "3.50亿元")


class DemoBasemapTests(SimpleTestCase):
    def test_the_demo_basemap_is_the_same_every_time_and_valid(self):
        from shapely.geometry import shape

        first, second = basemap_features(), basemap_features()
        self.assertEqual(first, second)
        kinds = {f["kind"] for f in first}
        self.assertEqual(kinds, {"area", "water", "road"})
        for f in first:
            self.assertTrue(shape(f["geometry"]).is_valid, f["name"])
        self.assertIn("文峰路", {f["name"] for f in first if f["kind"] == "road"})


class TileHostPolicyTests(SimpleTestCase):
    @override_settings(BASEMAP_TILE_URL="https://t{s}.tianditu.gov.cn/vec_w/wmts?tk={tk}",
                       BASEMAP_LABEL_URL="https://labels.city.gov.cn/cva/{z}/{x}/{y}.png")
    def test_the_policy_allows_the_tile_and_label_hosts_and_no_other(self):
        from core.middleware import content_security_policy

        policy = content_security_policy()
        self.assertIn("img-src 'self' data: blob: https://*.tianditu.gov.cn "
                      "https://labels.city.gov.cn;", policy)
        self.assertIn("connect-src 'self';", policy)


class ImportBasemapCommandTests(CastTestCase):
    def test_a_city_replaces_the_basemap_with_its_own_files(self):
        import tempfile
        from io import StringIO
        from pathlib import Path

        from django.core.management import call_command
        from django.core.management.base import CommandError
        from shapely.geometry import LineString

        from geo.tests.factories import ORIGIN, geojson_bytes, square_m

        do_replace_basemap([ROAD, WATER])
        with tempfile.TemporaryDirectory() as tmp:
            roads, water = Path(tmp, "道路.geojson"), Path(tmp, "水系.geojson")
            x, y = ORIGIN
            roads.write_bytes(geojson_bytes([
                ({"名称": "人民路", "等级": 1}, LineString([(x, y), (x + 900, y)])),
                ({"名称": "建设路"}, LineString([(x, y), (x, y + 900)]))]))
            water.write_bytes(geojson_bytes([({"名称": "溱水"}, square_m(0, 100, 900, 160))]))
            out = StringIO()
            call_command("import_basemap", "--road", str(roads), "--water", str(water),
                         stdout=out)
            with self.assertRaises(CommandError):
                call_command("import_basemap", "--road", str(Path(tmp, "none.geojson")))
        self.assertIn("共3个要素", out.getvalue())
        rows = list(BasemapFeature.objects.values_list("kind", "name", "rank"))
        self.assertEqual(rows, [("water", "溱水", 2), ("road", "人民路", 1), ("road", "建设路", 2)])
        with self.assertRaises(CommandError):
            call_command("import_basemap")
