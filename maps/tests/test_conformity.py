"""Conformity on hand-built geometries with known overlap areas (to 1 m²)."""

import math

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from shapely.geometry import LineString, Point, mapping

from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import LandUseRule, Layer
from geo.tests.factories import geojson_bytes, square_m, to_lonlat
from maps.actions import do_check_conformity
from maps.models import ConformityCheck
from projects import actions
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

# Land use: A road land 0–100 m, B farmland-use 100–200 m; red line C over 150–200 m.
LAND_USE = [({"用地性质": "道路与交通设施用地"}, square_m(0, 0, 100, 100)),
            ({"用地性质": "农林用地"}, square_m(100, 0, 200, 100))]
REDLINE = [({"名称": "溱水生态红线"}, square_m(150, 0, 200, 100))]


class ConformityTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.land = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        cls.redline = Layer.objects.create(name="生态保护红线", kind=LayerKind.ECO_REDLINE)
        import_layer(cls.land, SimpleUploadedFile("land.geojson", geojson_bytes(LAND_USE)))
        import_layer(cls.redline, SimpleUploadedFile("red.geojson", geojson_bytes(REDLINE)))
        LandUseRule.objects.create(land_use="道路与交通设施用地", category_code="JC")

    def place(self, geom_m):
        project = self.ledger.project_a  # category JC
        actions.do_update_project(project, geometry=mapping(to_lonlat(geom_m)),
                                  acting_user=self.cast.office_admin)
        [check] = do_check_conformity(type(project).objects.filter(pk=project.pk),
                                      acting_user=self.cast.office_admin)
        return check

    def zone(self, check, land_use_or_layer):
        return next(z for z in check.zones
                    if z["land_use"] == land_use_or_layer or z["layer"] == land_use_or_layer)

    def test_inside_allowed_land_use_passes(self):
        check = self.place(square_m(20, 20, 80, 80))
        self.assertEqual(check.verdict, "pass")
        self.assertAlmostEqual(check.project_area_m2, 3600, delta=1)
        self.assertAlmostEqual(self.zone(check, "道路与交通设施用地")["overlap_m2"], 3600, delta=1)

    def test_straddling_two_zones_reports_each_area_and_share(self):
        check = self.place(square_m(50, 0, 150, 100))
        self.assertEqual(check.verdict, "fail")
        road = self.zone(check, "道路与交通设施用地")
        farm = self.zone(check, "农林用地")
        self.assertAlmostEqual(road["overlap_m2"], 5000, delta=1)
        self.assertAlmostEqual(farm["overlap_m2"], 5000, delta=1)
        self.assertAlmostEqual(road["share"], 0.5, places=3)
        self.assertIn("占用“农林用地”用地50.0%，该用地性质不允许此类项目", check.reasons)
        versions = {v["layer"]: v["version"] for v in check.layer_versions}
        self.assertEqual(versions, {"控规用地": 1, "生态保护红线": 1})

    def test_intrusion_into_the_red_line_fails_with_its_area(self):
        LandUseRule.objects.create(land_use="农林用地", category_code="JC", allowed=False)
        check = self.place(square_m(120, 10, 180, 90))
        self.assertEqual(check.verdict, "fail")
        self.assertAlmostEqual(self.zone(check, "生态保护红线")["overlap_m2"], 2400, delta=1)
        self.assertIn("侵入生态保护红线（生态保护红线）2400平方米", check.reasons)

    def test_conditional_use(self):
        LandUseRule.objects.create(land_use="农林用地", category_code="JC", allowed=False)
        check = self.place(square_m(105, 10, 140, 90))
        self.assertEqual(check.verdict, "conditional")
        self.assertTrue(any("需规划调整" in r for r in check.reasons))

    def test_lines_are_checked_as_a_corridor_and_points_by_containment(self):
        x0, y0 = square_m(0, 0, 0, 0).bounds[:2]
        line = self.place(LineString([(x0 + 10, y0 + 50), (x0 + 90, y0 + 50)]))
        self.assertEqual(line.verdict, "pass")
        # 10 m each side, round ends drawn as a 32-gon: 80 × 20 + 16 × 10² × sin(2π/32).
        self.assertAlmostEqual(line.project_area_m2, 1600 + 1600 * math.sin(2 * math.pi / 32),
                               delta=1)
        point = self.place(Point(x0 + 170, y0 + 40))
        self.assertEqual(point.verdict, "fail")
        self.assertTrue(any("侵入生态保护红线" in r for r in point.reasons))

    def test_records_are_immutable_and_office_only(self):
        check = self.place(square_m(20, 20, 80, 80))
        check.verdict = "fail"
        with self.assertRaises(PermissionDenied):
            check.save()
        with self.assertRaises(PermissionDenied):
            ConformityCheck.objects.filter(pk=check.pk).update(verdict="fail")
        with self.assertRaises(PermissionDenied):
            do_check_conformity(type(self.ledger.project_a).objects.all(),
                                acting_user=self.cast.reporter_a)
        second = self.place(square_m(20, 20, 80, 80))
        self.assertNotEqual(second.pk, check.pk)  # a new check is a new record


class LayerPageAndCommandTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_office_uploads_a_layer_version_others_cannot(self):
        upload = SimpleUploadedFile("land.geojson", geojson_bytes(LAND_USE))
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(self.client.post("/maps/layers/", {"name": "x", "kind": "land_use",
                                                            "file": upload}).status_code, 403)
        self.client.force_login(self.cast.office_admin)
        upload.seek(0)
        response = self.client.post("/maps/layers/", {"name": "控规用地", "kind": "land_use",
                                                      "file": upload}, follow=True)
        self.assertContains(response, "已导入“控规用地”第1版，共2个要素")
        broken = SimpleUploadedFile("bad.geojson", b"{oops")
        response = self.client.post("/maps/layers/", {"name": "坏图层", "kind": "road",
                                                      "file": broken})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "无法读取文件", status_code=400)
        self.assertFalse(Layer.objects.filter(name="坏图层").exists())

    def test_batch_command(self):
        import io

        from django.core.management import call_command

        land = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        import_layer(land, SimpleUploadedFile("land.geojson", geojson_bytes(LAND_USE)))
        out = io.StringIO()
        call_command("check_conformity", stdout=out)
        self.assertIn("已审查 1 个项目", out.getvalue())  # only project A has a location
        check = ConformityCheck.objects.get()
        self.assertIsNone(check.run_by)
