"""A form's `next` never sends the user off the site (issue 17 item 8, open redirect)."""

from datetime import timedelta

from django.test import RequestFactory, SimpleTestCase

from core.redirects import redirect_next, safe_next
from projects import actions
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

HOSTILE = ["//evil.example", "https://evil.example/login", "http://evil.example",
           "javascript:alert(1)", "JaVaScRiPt:alert(1)", "\\\\evil.example", "/\\evil.example",
           "https:evil.example", "data:text/html,<script>alert(1)</script>",
           "supervision:item_list", " //evil.example"]


class SafeNextTests(SimpleTestCase):
    def request(self, next_url, secure=False):
        return RequestFactory().post("/x/", {"next": next_url}, secure=secure)

    def test_off_site_and_script_targets_are_ignored(self):
        for url in HOSTILE:
            with self.subTest(url=url):
                self.assertIsNone(safe_next(self.request(url)))
                self.assertEqual(redirect_next(self.request(url), "/fallback/")["Location"],
                                 "/fallback/")

    def test_a_path_on_this_site_is_kept(self):
        self.assertEqual(safe_next(self.request("/projects/7/?tab=1")), "/projects/7/?tab=1")
        self.assertEqual(safe_next(self.request("http://testserver/projects/7/")),
                         "http://testserver/projects/7/")

    def test_https_pages_do_not_send_back_to_http(self):
        self.assertIsNone(safe_next(self.request("http://testserver/projects/7/", secure=True)))


@on_mid_may_2026
class DecisionFormTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_rebaseline_decision_ignores_a_hostile_next(self):
        m = self.ledger.milestone_a2
        req = actions.do_request_rebaseline(m, m.planned_date + timedelta(days=10), reason="雨季",
                                            acting_user=self.cast.reporter_a)
        self.client.force_login(self.cast.office_admin)
        url = f"/projects/rebaselines/{req.pk}/reject/"
        for hostile in HOSTILE:
            with self.subTest(next=hostile):
                response = self.client.post(url, {"next": hostile})
                self.assertEqual(response["Location"], "/projects/review/")
        project_page = self.ledger.project_a.get_absolute_url()
        self.assertEqual(self.client.post(url, {"next": project_page})["Location"], project_page)

    def test_action_item_form_ignores_a_hostile_next(self):
        self.client.force_login(self.cast.supervision)
        for hostile in HOSTILE:
            with self.subTest(next=hostile):
                response = self.client.post("/supervision/items/", {"next": hostile})
                self.assertEqual(response["Location"], "/supervision/items/")
        page = self.ledger.project_a.get_absolute_url()
        self.assertEqual(self.client.post("/supervision/items/", {"next": page})["Location"], page)
