"""The REST API: token auth, reasons on every 4xx, an offline schema and docs page."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.base import CastTestCase


class ApiTests(CastTestCase):
    def client_for(self, user):
        token = Token.objects.create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def test_token_auth_and_scope(self):
        client = self.client_for(self.cast.reporter_b)
        response = client.get("/api/org/people/")
        self.assertEqual(response.status_code, 200)
        names = {row["name"] for row in response.json()["results"]}
        self.assertIn("乙一", names)
        self.assertNotIn("甲一", names)

    def test_bad_input_gets_a_4xx_with_a_reason(self):
        client = self.client_for(self.cast.office_admin)
        self.assertEqual(client.get("/api/org/units/abc/").status_code, 404)
        self.assertEqual(client.get("/api/org/units/999999/").status_code, 404)
        response = client.get("/api/org/units/", {"kind": "nonsense"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("kind", response.json())
        response = client.get("/api/org/units/", {"limit": "x"})
        self.assertLess(response.status_code, 500)
        response = APIClient().get("/api/org/units/", HTTP_AUTHORIZATION="Token bogus")
        self.assertEqual(response.status_code, 401)
        self.assertIn("detail", response.json())

    def test_api_is_read_only_for_now(self):
        client = self.client_for(self.cast.office_admin)
        response = client.post("/api/org/units/", {"name": "x", "kind": "other"}, format="json")
        self.assertEqual(response.status_code, 405)

    def test_schema_and_docs_are_served_offline(self):
        self.client.force_login(self.cast.office_admin)
        schema = self.client.get("/api/schema/?format=json").json()
        self.assertIn("/api/org/units/", schema["paths"])
        docs = self.client.get("/api/docs/").content.decode()
        self.assertIn("/static/drf_spectacular_sidecar/", docs)
        self.assertNotIn("cdn.jsdelivr", docs)


class SchemaTests(CastTestCase):
    def test_openapi_schema_validates_without_warnings(self):
        import io

        from django.core.management import call_command

        out = io.StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=io.StringIO())
        self.assertIn("openapi: 3", out.getvalue())


class FilterFieldTests(CastTestCase):
    def test_fast_select_matches_the_widget(self):
        self.client.force_login(self.cast.office_admin)
        html = self.client.get("/org/units/?kind=town").content.decode()
        self.assertIn('<option value="town" selected>乡镇办(街道)</option>', html)
        self.assertIn('<option value="">全部</option>', html)
        html = self.client.get(f"/org/people/?unit={self.cast.unit_b.pk}").content.decode()
        self.assertIn(f'<option value="{self.cast.unit_b.pk}" selected>乙局</option>', html)
