"""The battle map's data reads are audited once per user, source and hour (issue 17 item 8).

The map asks /maps/data/… again on every pan and zoom; auditing each call would flood the
trail, and skipping "the map's own" calls by their headers would let a script skip the
audit too (it sends the same headers). So the first read of a source (projects, core
districts, each layer) by a user in an hour is recorded; the rest of that hour is not.
"""

from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.choices import AuditEventType
from core.models import AuditEvent
from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import Layer
from geo.tests.factories import geojson_bytes, square_m
from maps.views import MAP_READ
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

PROJECTS = "/maps/data/projects.geojson"
DISTRICTS = "/maps/data/districts.geojson"
# What the map itself sends with its fetch() calls.
MAP_HEADERS = {"HTTP_SEC_FETCH_MODE": "cors", "HTTP_SEC_FETCH_SITE": "same-origin",
               "HTTP_REFERER": "http://testserver/maps/", "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def map_reads(**filters):
    return AuditEvent.objects.filter(event_type=AuditEventType.EXPORT, detail__what=MAP_READ,
                                     **filters).order_by("id")


class MapReadAuditTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
        import_layer(cls.layer, SimpleUploadedFile("grid.geojson", geojson_bytes(
            [({"用地性质": "居住用地"}, square_m(0, 0, 100, 100))])))
        cls.layer_url = f"/maps/data/layers/{cls.layer.pk}.geojson"

    def read(self, user, url, **params):
        self.client.force_login(user)
        response = self.client.get(url, params, **MAP_HEADERS)
        self.assertEqual(response.status_code, 200, url)
        return response

    def test_the_first_read_of_each_source_is_recorded_with_what_was_read(self):
        office = self.cast.office_admin
        shown = len(self.read(office, PROJECTS, zoom=11).json()["features"])
        self.read(office, DISTRICTS)
        self.read(office, self.layer_url)
        events = list(map_reads(user=office))
        self.assertEqual([e.detail["source"] for e in events],
                         ["projects", "districts", f"layer:{self.layer.pk}"])
        first = events[0]
        self.assertEqual((first.username, first.detail["path"], first.detail["query"],
                          first.detail["returned"]), ("office_admin", PROJECTS, "zoom=11", shown))
        layer_event = events[2]
        self.assertEqual((layer_event.object_type, layer_event.object_id),
                         ("geo.Layer", str(self.layer.pk)))

    def test_panning_for_an_hour_adds_nothing_then_the_next_hour_is_recorded(self):
        office, now = self.cast.office_admin, timezone.now()
        with time_machine.travel(now, tick=False):
            for zoom in range(11, 18):  # a session of panning and zooming
                self.read(office, PROJECTS, zoom=zoom, bbox="113.3,34.4,113.5,34.6")
                self.read(office, self.layer_url, bbox="113.3,34.4,113.5,34.6")
        self.assertEqual(map_reads(user=office).count(), 2)
        with time_machine.travel(now + timedelta(minutes=59), tick=False):
            self.read(office, PROJECTS, zoom=12)
        self.assertEqual(map_reads(user=office).count(), 2)
        with time_machine.travel(now + timedelta(minutes=61), tick=False):
            self.read(office, PROJECTS, zoom=12)
        self.assertEqual(map_reads(user=office, detail__source="projects").count(), 2)

    def test_each_user_and_each_layer_is_counted_apart(self):
        other = Layer.objects.create(name="道路红线", kind=LayerKind.LAND_USE, is_public=True)
        import_layer(other, SimpleUploadedFile("road.geojson", geojson_bytes(
            [({"用地性质": "道路用地"}, square_m(0, 0, 50, 50))])))
        for user in (self.cast.office_admin, self.cast.office_staff):
            self.read(user, self.layer_url)
            self.read(user, f"/maps/data/layers/{other.pk}.geojson")
            self.read(user, self.layer_url)
        self.assertEqual(map_reads().count(), 4)
        self.assertEqual(set(map_reads().values_list("username", "detail__source")), {
            (u, f"layer:{pk}") for u in ("office_admin", "office_staff")
            for pk in (self.layer.pk, other.pk)})

    def test_the_same_headers_do_not_hide_a_script(self):
        """A script copying the map's headers is recorded like the map (and a bare one too)."""
        self.read(self.cast.office_staff, PROJECTS)
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(self.client.get(PROJECTS).status_code, 200)
        self.assertEqual(set(map_reads().values_list("username", flat=True)),
                         {"office_staff", "reporter_a"})

    def test_refused_and_bad_requests_are_not_map_reads(self):
        self.client.force_login(self.cast.office_admin)
        self.assertEqual(self.client.get(PROJECTS, {"zoom": "x"}).status_code, 400)
        self.assertEqual(self.client.get(self.layer_url, {"bbox": "1,2"}).status_code, 400)
        self.client.force_login(self.cast.sys_admin)
        self.assertEqual(self.client.get(PROJECTS).status_code, 403)
        self.assertFalse(map_reads().exists())
