"""Bulk reads through the REST API and OGC API – Features are audited (issue 17 item 8).

The rule (core.api.views.audit_list_read, maps.ogc._audit_items): every page of an API
list or OGC items read by a signed-in user or a token is one audit event; reading one
row by id is not, anonymous reads of public layers are not, and the browser's own pages
and map (which read /maps/data/…, never /api/ or /ogc/) add no API reads (the map's data
is audited on its own, once per user, source and hour: maps/tests/test_map_read_audit.py).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import Feature, Layer
from geo.tests.factories import geojson_bytes, square_m
from tests.base import CastTestCase


def exports():
    return AuditEvent.objects.filter(event_type="export").order_by("id")


class ApiListAuditTests(CastTestCase):
    def token_client(self, user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    def test_every_list_page_is_audited_with_what_was_read(self):
        client = self.token_client(self.cast.office_admin)
        self.assertEqual(client.get("/api/org/people/", {"limit": 2, "offset": 1}).status_code,
                         200)
        event = exports().get()
        self.assertEqual(event.username, "office_admin")
        self.assertEqual(event.detail["what"], "接口列表读取")
        self.assertEqual(event.detail["model"], "org.Person")
        self.assertEqual(event.detail["path"], "/api/org/people/")
        self.assertEqual(event.detail["query"], "limit=2&offset=1")
        self.assertEqual((event.detail["returned"], event.detail["matched"]), (2, 6))
        client.get("/api/plans/plans/")
        self.assertEqual(exports().count(), 2)

    def test_single_rows_refusals_and_bad_input_are_not_exports(self):
        client = self.token_client(self.cast.reporter_a)
        self.assertEqual(client.get(f"/api/org/people/{self.cast.person_a.pk}/").status_code, 200)
        self.assertEqual(client.get("/api/org/units/", {"kind": "nonsense"}).status_code, 400)
        self.assertEqual(APIClient().get("/api/org/people/").status_code, 401)
        self.assertFalse(exports().exists())

    def test_the_browser_pages_and_map_data_are_not_api_reads(self):
        self.client.force_login(self.cast.office_admin)
        for url in ("/org/people/", "/maps/", "/maps/data/projects.geojson",
                    "/maps/data/districts.geojson"):
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.assertFalse(exports().exclude(detail__what="地图数据读取").exists())


class OgcItemsAuditTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parks = Layer.objects.create(name="公园", kind=LayerKind.PARK, is_public=True)
        rows = [({"名称": f"公园{i}"}, square_m(i * 100, 0, i * 100 + 50, 50)) for i in range(3)]
        import_layer(cls.parks, SimpleUploadedFile("parks.geojson", geojson_bytes(rows)))

    def items_url(self, cid):
        return f"/ogc/collections/{cid}/items"

    def test_items_pages_read_with_a_session_or_a_token_are_audited(self):
        self.client.force_login(self.cast.office_admin)
        self.assertEqual(self.client.get(self.items_url("core-districts")).status_code, 200)
        token = Token.objects.create(user=self.cast.reporter_a).key
        response = Client().get(self.items_url(f"layer-{self.parks.pk}"), {"limit": 2},
                                HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(response.status_code, 200)
        events = list(exports())
        self.assertEqual([(e.username, e.detail["what"], e.detail["collection"]) for e in events],
                         [("office_admin", "OGC 要素读取", "core-districts"),
                          ("reporter_a", "OGC 要素读取", f"layer-{self.parks.pk}")])
        self.assertEqual((events[1].detail["returned"], events[1].detail["matched"]), (2, 3))

    def test_anonymous_public_reads_and_single_features_are_not_audited(self):
        self.assertEqual(Client().get(self.items_url(f"layer-{self.parks.pk}")).status_code, 200)
        self.client.force_login(self.cast.office_admin)
        feature = Feature.objects.filter(version__layer=self.parks).first()
        self.assertEqual(self.client.get(f"{self.items_url(f'layer-{self.parks.pk}')}/"
                                         f"{feature.pk}").status_code, 200)
        self.assertFalse(exports().exists())
