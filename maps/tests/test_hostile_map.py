"""What the map and the OGC API send of big shapes (issue 17): a 1M-vertex polygon was sent
whole to every map (24.8 MB). Imports now stop at 200,000 vertices a shape; the map draws
none with more than DISPLAY_MAX_VERTICES, simplified with its topology kept; the stored shape
stays as imported for the checks and for GIS clients (OGC), whose pages are bounded instead.
"""

import json

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from shapely.geometry import mapping, shape

from core.tests.cost import measured
from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import Feature, Layer
from geo.tests.test_hostile_layers import circle, geojson_bytes
from maps.selectors import DISPLAY_MAX_VERTICES, vertex_count
from plans import actions as plan_actions
from projects import actions
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

MAX_SECONDS = 5


def wavy(vertices: int, *, centre=(113.40, 34.50)) -> shapely.Polygon:
    """A boundary whose every vertex matters at 0.5 m: 2,000 waves of 50 m around a circle."""
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radius = 0.01 + 0.0005 * np.sin(angles * 2_000)
    ring = np.column_stack([centre[0] + radius * np.cos(angles),
                            centre[1] + radius * np.sin(angles)])
    return shapely.Polygon(np.vstack([ring, ring[:1]]))


class BigShapesOnTheMapTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.layer = Layer.objects.create(name="生态保护红线", kind=LayerKind.ECO_REDLINE)
        import_layer(cls.layer, SimpleUploadedFile("红线.geojson", geojson_bytes(
            [circle(150_000), wavy(150_000, centre=(113.45, 34.50))])))

    def get(self, url, user):
        client = self.login(user)
        client.get("/maps/")  # warm, outside the measure
        with measured(self.id().rsplit(".", 1)[-1]) as cost:
            response = client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, 150, cost)
        return response

    def test_the_layer_endpoint_sends_each_shape_simplified_and_keeps_the_stored_one(self):
        stored = {f.name: f for f in Feature.objects.filter(version__layer=self.layer)}
        response = self.get(f"/maps/data/layers/{self.layer.pk}.geojson", self.cast.city_leader)
        # 300,000 vertices stored, about 8 MB as GeoJSON; a few hundred KB drawn.
        self.assertLess(len(response.content), 600 * 1024)
        for feature in response.json()["features"]:
            original = stored[feature["properties"]["name"]]
            self.assertLessEqual(vertex_count(feature["geometry"]), DISPLAY_MAX_VERTICES)
            self.assertEqual(vertex_count(original.geometry), 150_001)  # stored as imported
            drawn, kept = shape(feature["geometry"]), shape(original.geometry)
            self.assertTrue(drawn.is_valid)
            self.assertAlmostEqual(drawn.area / kept.area, 1, delta=0.02)

    def test_a_district_boundary_is_drawn_simplified(self):
        plan_actions.do_create_district(name="大红线板块", plan=self.cast.plan,
                                        boundary=mapping(wavy(120_000)))
        response = self.get("/maps/data/districts.geojson", self.cast.office_admin)
        big = next(f for f in response.json()["features"]
                   if f["properties"]["name"] == "大红线板块")
        self.assertLessEqual(vertex_count(big["geometry"]), DISPLAY_MAX_VERTICES)

    def test_a_project_red_line_at_the_deepest_zoom_is_drawn_simplified(self):
        ledger = build_ledger(self.cast)
        actions.do_update_project(ledger.project_a, geometry=mapping(wavy(120_000)))
        response = self.get("/maps/data/projects.geojson?zoom=18&bbox=113.38,34.48,113.42,34.52",
                            self.cast.office_admin)
        drawn = next(f for f in response.json()["features"] if f["id"] == ledger.project_a.pk)
        self.assertLessEqual(vertex_count(drawn["geometry"]), DISPLAY_MAX_VERTICES)

    def test_a_project_shape_past_the_vertex_limit_is_refused(self):
        ledger = build_ledger(self.cast)
        with self.assertRaisesMessage(ValidationError, "几何有200002个顶点，超过200000个的上限"):
            actions.do_update_project(ledger.project_a, geometry=mapping(circle(200_001)))


class OgcPagesTests(CastTestCase):
    """GIS clients get the stored shapes, a page stopping at OGC_PAGE_MAX_VERTICES."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.layer = Layer.objects.create(name="地块", kind=LayerKind.OTHER)
        import_layer(cls.layer, SimpleUploadedFile("地块.geojson", geojson_bytes(
            [circle(300, centre=(113.4 + 0.03 * i, 34.5)) for i in range(5)])))

    @override_settings(OGC_PAGE_MAX_VERTICES=1_000)
    def test_a_page_stops_at_the_vertex_budget_and_the_next_one_goes_on(self):
        client = self.login(self.cast.office_admin)
        url = f"/ogc/collections/layer-{self.layer.pk}/items?limit=10"
        first = client.get(url).json()
        self.assertEqual((first["numberMatched"], first["numberReturned"]), (5, 3))
        self.assertEqual([vertex_count(f["geometry"]) for f in first["features"]], [301] * 3)
        following = next(link["href"] for link in first["links"] if link["rel"] == "next")
        self.assertIn("offset=3", following)
        second = client.get(following).json()
        self.assertEqual(second["numberReturned"], 2)
        self.assertFalse([link for link in second["links"] if link["rel"] == "next"])
        ids = [f["id"] for f in first["features"] + second["features"]]
        self.assertEqual(len(set(ids)), 5)
        self.assertEqual(json.loads(json.dumps(first["features"][0]["geometry"])),
                         Feature.objects.get(pk=ids[0]).geometry)  # as stored
