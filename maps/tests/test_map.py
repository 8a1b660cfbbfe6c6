"""The battle map's data: scoped, filtered like the ledger, light at low zoom."""

from geo.choices import LayerKind
from geo.models import Layer
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class MapDataTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        from projects import actions

        for project, lon in ((cls.ledger.project_b, 113.40), (cls.ledger.project_shared, 113.42)):
            actions.do_update_project(project, acting_user=cls.cast.office_admin, geometry={
                "type": "Polygon", "coordinates": [[[lon, 34.50], [lon + 0.01, 34.50],
                                                    [lon + 0.01, 34.51], [lon, 34.50]]]})

    def data(self, user, **params):
        self.client.force_login(user)
        return self.client.get("/maps/data/projects.geojson", params)

    def test_a_unit_user_sees_only_its_projects_on_the_map(self):
        ids = {f["id"] for f in self.data(self.cast.reporter_b).json()["features"]}
        self.assertEqual(ids, {self.ledger.project_b.pk, self.ledger.project_shared.pk})
        ids = {f["id"] for f in self.data(self.cast.office_admin).json()["features"]}
        self.assertEqual(len(ids), 3)
        self.assertEqual(self.data(self.cast.citizen).status_code, 403)
        self.assertEqual(self.data(self.cast.sys_admin).status_code, 403)

    def test_low_zoom_sends_points_and_high_zoom_shapes_in_view(self):
        low = self.data(self.cast.office_admin, zoom=11).json()
        self.assertEqual({f["geometry"]["type"] for f in low["features"]}, {"Point"})
        self.assertEqual(sum(low["counts"].values()), 3)
        high = self.data(self.cast.office_admin, zoom=16, bbox="113.395,34.49,113.415,34.52").json()
        self.assertEqual([f["id"] for f in high["features"]], [self.ledger.project_b.pk])
        self.assertEqual(high["features"][0]["geometry"]["type"], "Polygon")

    def test_the_ledger_filters_apply(self):
        data = self.data(self.cast.office_admin, lead_unit=self.cast.unit_b.pk, colour="red").json()
        self.assertEqual({f["properties"]["code"] for f in data["features"]},
                         {self.ledger.project_b.code, self.ledger.project_shared.code})
        self.assertEqual(self.data(self.cast.office_admin, zoom="x").status_code, 400)
        self.assertEqual(self.data(self.cast.office_admin, stage="nonsense").status_code, 400)

    def test_a_gcj02_basemap_shifts_what_is_drawn(self):
        from django.test import override_settings

        plain = self.data(self.cast.office_admin, zoom=11).json()
        with override_settings(BASEMAP_IS_GCJ02=True):
            shifted = self.data(self.cast.office_admin, zoom=11).json()
        a = {f["id"]: f["geometry"]["coordinates"] for f in plain["features"]}
        b = {f["id"]: f["geometry"]["coordinates"] for f in shifted["features"]}
        for pk in a:
            dx, dy = b[pk][0] - a[pk][0], b[pk][1] - a[pk][1]
            self.assertTrue(0.001 < abs(dx) < 0.01 and 0.0001 < abs(dy) < 0.01, (dx, dy))

    def test_card_is_scoped(self):
        self.client.force_login(self.cast.reporter_b)
        url = f"/maps/projects/{self.ledger.project_a.pk}/card/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.cast.reporter_a)
        self.assertContains(self.client.get(url), "甲路综合改造工程")

    def test_layers_need_plan_rights_unless_public(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from geo.importers import import_layer
        from geo.tests.factories import geojson_bytes, square_m

        layer = Layer.objects.create(name="控规", kind=LayerKind.LAND_USE)
        import_layer(layer, SimpleUploadedFile("a.geojson", geojson_bytes(
            [({"用地性质": "公园绿地"}, square_m(0, 0, 50, 50))])))
        url = f"/maps/data/layers/{layer.pk}.geojson"
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(len(self.client.get(url).json()["features"]), 1)
        self.client.force_login(self.cast.citizen)
        self.assertEqual(self.client.get(url).status_code, 403)
        Layer.objects.filter(pk=layer.pk).update(is_public=True)
        self.assertEqual(self.client.get(url).status_code, 200)


class VerdictFilterTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_map_filters_by_the_latest_conformity_verdict(self):
        from maps.models import ConformityCheck

        project = self.ledger.project_a
        for verdict in ("fail", "pass"):  # the latest one counts
            ConformityCheck.objects.create(project=project, verdict=verdict, geometry={},
                                           category_code="JC")
        self.client.force_login(self.cast.office_admin)
        ids = {f["id"] for f in self.client.get("/maps/data/projects.geojson",
                                                {"verdict": "pass"}).json()["features"]}
        self.assertEqual(ids, {project.pk})
        self.assertEqual(self.client.get("/maps/data/projects.geojson",
                                         {"verdict": "fail"}).json()["features"], [])


class LargeLayerByViewTests(CastTestCase):
    """A layer larger than one answer carries is served by view box and never cut silently."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from django.core.files.uploadedfile import SimpleUploadedFile

        from geo.importers import import_layer
        from geo.tests.factories import geojson_bytes, square_m

        cls.layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        cells = [({"用地性质": "居住用地", "名称": f"{i:02d}-{j:02d}"},
                  square_m(i * 100, j * 100, (i + 1) * 100, (j + 1) * 100))
                 for i in range(12) for j in range(12)]
        import_layer(cls.layer, SimpleUploadedFile("grid.geojson", geojson_bytes(cells)))
        cls.url = f"/maps/data/layers/{cls.layer.pk}.geojson"

    def bbox_of_cells(self, first, last):
        """A view box from the middle of cell (first, first) to the middle of (last, last)."""
        from geo.tests.factories import square_m, to_lonlat

        a = to_lonlat(square_m(first * 100 + 50, first * 100 + 50, first * 100 + 51,
                               first * 100 + 51)).bounds
        b = to_lonlat(square_m(last * 100 + 50, last * 100 + 50, last * 100 + 51,
                               last * 100 + 51)).bounds
        return f"{a[0]},{a[1]},{b[0]},{b[1]}"

    def get(self, **params):
        from unittest import mock

        from maps.views import LayerDataView

        self.client.force_login(self.cast.office_admin)
        with mock.patch.object(LayerDataView, "MAX_FEATURES", 50):
            return self.client.get(self.url, params)

    def test_too_many_features_are_refused_with_the_count_not_cut(self):
        data = self.get().json()
        self.assertEqual((data["truncated"], data["numberMatched"], data["numberReturned"],
                          data["limit"], data["features"]), (True, 144, 0, 50, []))

    def test_the_view_box_returns_only_the_features_in_it(self):
        data = self.get(bbox=self.bbox_of_cells(2, 4)).json()
        self.assertFalse(data["truncated"])
        self.assertEqual((data["numberMatched"], data["numberReturned"]), (9, 9))
        self.assertEqual(sorted(f["properties"]["name"] for f in data["features"]),
                         [f"{i:02d}-{j:02d}" for i in range(2, 5) for j in range(2, 5)])
        zoomed_out = self.get(bbox=self.bbox_of_cells(0, 9)).json()
        self.assertEqual((zoomed_out["truncated"], zoomed_out["numberMatched"]), (True, 100))

    def test_a_bad_view_box_is_a_clear_error(self):
        response = self.get(bbox="113,34,oops")
        self.assertEqual(response.status_code, 400)
        self.assertIn("最小经度,最小纬度,最大经度,最大纬度", response.json()["errors"]["bbox"][0])

    def test_the_map_knows_which_layers_load_by_view(self):
        import json

        from maps.views import LayerDataView

        self.client.force_login(self.cast.office_admin)
        page = self.client.get("/maps/").content.decode()
        config = json.loads(page.split('id="map-config" type="application/json">')[1]
                            .split("</script>")[0])
        self.assertEqual(config["layerLimit"], LayerDataView.MAX_FEATURES)
        self.assertEqual([(x["name"], x["count"]) for x in config["layers"]], [("控规用地", 144)])
