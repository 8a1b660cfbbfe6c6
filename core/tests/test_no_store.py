"""No answer to a signed-in user is kept by a browser or proxy (issue 17 item 5, review).

core.middleware.NoStoreMiddleware sends `Cache-Control: no-store, private` on every answer
to a signed-in user unless the view chose a policy itself; static files keep WhiteNoise's.
"""

from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase
from django.utils.cache import patch_cache_control
from rest_framework.authtoken.models import Token

from core.middleware import NoStoreMiddleware
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


class NoStorePagesTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def assert_no_store(self, response, url):
        self.assertEqual(response.status_code, 200, url)
        self.assertLessEqual({"no-store", "private"}, cache_control(response), url)
        self.assertNotIn("ETag", response, url)

    def test_pages_with_names_phones_usernames_and_ips(self):
        c, project = self.cast, self.ledger.project_a
        pages = [
            (c.office_admin, project.get_absolute_url(), "甲一"),  # responsible person
            (c.audit_admin, "/audit/", "office_admin"),
            (c.office_staff, "/org/leaders/", "领导甲"),
            (c.sec_admin, "/org/lockouts/", ""),
            (c.office_staff, "/projects/export.xlsx", ""),
            (c.office_staff, "/api/projects/projects/", "甲路综合改造工程"),
            (c.office_staff, f"/api/projects/projects/{project.pk}/", "甲路综合改造工程"),
            (c.office_staff, "/maps/data/projects.geojson", ""),
            (c.reporter_a, "/", ""),
        ]
        for user, url, shown in pages:
            with self.subTest(url=url, role=user.role):
                self.client.force_login(user)
                response = self.client.get(url)
                self.assert_no_store(response, url)
                if shown:
                    self.assertIn(shown, response.content.decode())

    def test_token_reads_of_the_api_too(self):
        token = Token.objects.create(user=self.cast.office_staff)
        url = f"/api/projects/projects/{self.ledger.project_a.pk}/"
        response = self.client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
        self.assert_no_store(response, url)

    def test_static_files_are_left_to_whitenoise(self):
        self.client.force_login(self.cast.office_staff)
        static = self.client.get("/static/js/app.js")
        self.assertEqual(static.status_code, 200)
        self.assertNotIn("no-store", cache_control(static))


class OptOutTests(SimpleTestCase):
    """A view that set its own Cache-Control (core.files: private, an hour) keeps it."""

    def answer(self, response, authenticated=True):
        request = RequestFactory().get("/")
        request.user = type("U", (), {"is_authenticated": authenticated})()
        return NoStoreMiddleware(lambda r: response)(request)

    def test_the_views_own_policy_stays(self):
        chosen = HttpResponse()
        patch_cache_control(chosen, private=True, max_age=3600)
        self.assertEqual(cache_control(self.answer(chosen)), {"private", "max-age=3600"})

    def test_a_plain_answer_gets_no_store(self):
        self.assertEqual(cache_control(self.answer(HttpResponse())), {"no-store", "private"})
        self.assertEqual(cache_control(self.answer(HttpResponse(), authenticated=False)), set())
