"""Input the database cannot hold is a 4xx with a reason, never a 500, on both databases.

Each class here was a server error found by fuzzing the schema (scripts/fuzz_api): a
27-digit limit overflowed SQLite's LIMIT, an id filter past 64 bits overflowed the SQLite
driver, a JSON 1e400 id was an infinite float, a NUL byte in a token broke PostgreSQL.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import ProgressReport, RebaselineRequest
from supervision.models import ActionItem
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

BIG = "9" * 27  # beyond every database integer
OVER_BIGINT = str(2**63)
OVER_INT = 2**31


class ApiInputTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def api(self, user):
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    def assert_refused(self, response, status, field=None):
        self.assertEqual(response.status_code, status, response.content)
        body = response.json()
        self.assertTrue(body, "a 4xx carries a reason")
        if field:
            self.assertIn(field, str(body), body)
        return body

    def report(self, **changes):
        return {"project": self.ledger.project_a.pk, "investment_period": "10",
                "progress_percent": 10, **changes}

    def test_limit_and_offset_outside_their_range_are_refused_with_a_reason(self):
        api = self.api(self.cast.reporter_a)
        for query in ({"limit": BIG}, {"limit": OVER_BIGINT}, {"limit": "0"}, {"limit": "-1"},
                      {"limit": "x"}, {"limit": "1001"}, {"offset": BIG}, {"offset": "-1"},
                      {"offset": "1.5"}):
            with self.subTest(query=query):
                body = self.assert_refused(api.get("/api/projects/projects/", query), 400)
                self.assertEqual(list(body), list(query))
        page = api.get("/api/projects/projects/", {"limit": "1000", "offset": "999999"})
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.json()["results"], [])

    def test_schema_documents_the_limit_range(self):
        self.client.force_login(self.cast.office_admin)
        schema = self.client.get("/api/schema/?format=json").json()
        params = {p["name"]: p["schema"] for p in schema["paths"]["/api/org/units/"]["get"]
                  ["parameters"]}
        self.assertEqual((params["limit"]["minimum"], params["limit"]["maximum"]), (1, 1000))
        self.assertEqual(params["offset"]["minimum"], 0)

    def test_id_filters_beyond_the_key_range_are_refused(self):
        api = self.api(self.cast.reporter_a)
        for url, query in (("/api/projects/reports/", {"project": BIG}),
                           ("/api/projects/reports/", {"project": str(-(2**63) - 1)}),
                           ("/api/projects/reports/", {"project": "1.5"}),
                           ("/api/projects/projects/", {"lead_unit": BIG}),
                           ("/api/projects/milestones/", {"project": OVER_BIGINT}),
                           ("/api/supervision/action-items/", {"unit": BIG})):
            with self.subTest(url=url, query=query):
                self.assert_refused(api.get(url, query), 400, next(iter(query)))

    def test_huge_ids_in_post_bodies_are_refused(self):
        reporter, office = self.api(self.cast.reporter_a), self.api(self.cast.office_admin)
        m2 = self.ledger.milestone_a2.pk
        cases = [
            (reporter, "/api/projects/reports/", self.report(project=int(BIG)), "project"),
            (reporter, "/api/projects/reports/", self.report(project=2**63), "project"),
            (reporter, "/api/projects/reports/",
             self.report(milestones_reached=[{"milestone": int(BIG), "date": "2025-01-01"}]),
             "milestone"),
            (reporter, "/api/projects/rebaselines/",
             {"milestone": int(BIG), "new_date": "2030-01-01", "reason": "x"}, "milestone"),
            (office, "/api/supervision/action-items/",
             {"title": "x", "unit": 2**63, "deadline": "2030-01-01"}, "unit"),
            (office, "/api/supervision/action-items/",
             {"title": "x", "unit": self.cast.unit_a.pk, "deadline": "2030-01-01",
              "meeting": OVER_INT}, "meeting"),
        ]
        for client, url, payload, field in cases:
            with self.subTest(url=url, payload=payload):
                self.assert_refused(client.post(url, payload, format="json"), 400, field)
        # 1e400 is valid JSON for an infinite float; as an id it is the wrong type.
        for url, body in (("/api/projects/rebaselines/",
                           '{"milestone": 1e400, "new_date": "2030-01-01", "reason": "x"}'),
                          ("/api/projects/rebaselines/",
                           f'{{"milestone": {m2}, "new_date": "2030-01-01", "reason": "x", '
                           '"id": 1e400}'),
                          ("/api/supervision/action-items/",
                           '{"title": "x", "unit": -1e400, "deadline": "2030-01-01"}')):
            with self.subTest(body=body):
                client = reporter if "rebaselines" in url else office
                response = client.post(url, body, content_type="application/json")
                if "id" in body.split(",")[-1]:  # a read-only field is ignored
                    self.assertEqual(response.status_code, 201, response.content)
                else:
                    self.assert_refused(response, 400)
        self.assertFalse(ProgressReport.objects.exists())
        self.assertEqual(ActionItem.objects.count(), 0)
        self.assertEqual(RebaselineRequest.objects.count(), 1)

    def test_huge_or_malformed_ids_in_urls_are_404_with_a_reason(self):
        api = self.api(self.cast.office_admin)
        for url in (f"/api/projects/projects/{BIG}/", f"/api/projects/projects/{OVER_BIGINT}/",
                    "/api/projects/projects/99999999999999999999/", "/api/org/units/-1/",
                    "/api/org/units/abc/", "/api/org/units/1.5/", "/api/org/units/%00/",
                    f"/api/projects/transitions/{BIG}/", f"/api/projects/rebaselines/{BIG}/"):
            with self.subTest(url=url):
                self.assert_refused(api.get(url), 404, "detail")
        for url in (f"/api/projects/reports/{BIG}/accept/",
                    f"/api/projects/rebaselines/{BIG}/approve/",
                    "/api/supervision/action-items/abc/close/"):
            with self.subTest(url=url):
                self.assert_refused(api.post(url, {}, format="json"), 404, "detail")

    def test_nul_bytes_are_refused(self):
        api = self.api(self.cast.reporter_a)
        self.assert_refused(api.get("/api/org/units/", {"q": "甲\x00"}), 400, "q")
        self.assert_refused(api.post("/api/projects/reports/",
                                     self.report(progress_text="主体\x00施工"), format="json"),
                            400, "progress_text")
        self.assert_refused(api.post("/api/projects/reports/", self.report(
            problems=[{"description": "电力\x00迁改"}]), format="json"), 400, "description")
        anonymous = APIClient(raise_request_exception=False)
        for header in ("Token ab\x00cd", "Token " + "a" * 500):
            with self.subTest(header=header[:12]):
                self.assert_refused(anonymous.get("/api/org/units/", HTTP_AUTHORIZATION=header),
                                    401, "detail")
        self.assertFalse(ProgressReport.objects.exists())

    def test_bad_dates_are_refused(self):
        reporter, office = self.api(self.cast.reporter_a), self.api(self.cast.office_admin)
        for value in ("0000-01-01", "99999-01-01", "2024-02-30", "x\x00"):
            with self.subTest(filter=value):
                self.assert_refused(reporter.get("/api/projects/reports/",
                                                 {"period_start": value}), 400, "period_start")
        for value in ("0000-01-01", "0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31",
                      "99999-01-01"):
            with self.subTest(body=value):
                self.assert_refused(reporter.post("/api/projects/reports/",
                                                  self.report(period_start=value), format="json"),
                                    400, "period_start")
                self.assert_refused(reporter.post("/api/projects/rebaselines/", {
                    "milestone": self.ledger.milestone_a2.pk, "new_date": value, "reason": "x"},
                    format="json"), 400, "new_date")
                self.assert_refused(office.post("/api/supervision/action-items/", {
                    "title": "x", "unit": self.cast.unit_a.pk, "deadline": value},
                    format="json"), 400, "deadline")
        later = timezone.localdate() + timedelta(days=30)
        ok = office.post("/api/supervision/action-items/", {
            "title": "x", "unit": self.cast.unit_a.pk, "deadline": str(later)}, format="json")
        self.assertEqual(ok.status_code, 201, ok.content)

    def test_nan_and_infinite_amounts_are_refused(self):
        api = self.api(self.cast.reporter_a)
        for value in ("NaN", "Infinity", "-Infinity", "1e400", "9" * 40):
            with self.subTest(value=value):
                self.assert_refused(api.post("/api/projects/reports/",
                                             self.report(investment_period=value),
                                             format="json"), 400, "investment_period")
        response = api.post("/api/projects/reports/",
                            '{"project": 1, "investment_period": NaN, "progress_percent": 1}',
                            content_type="application/json")
        self.assert_refused(response, 400, "detail")

    def test_over_long_text_is_refused_before_the_database(self):
        reporter, office = self.api(self.cast.reporter_a), self.api(self.cast.office_admin)
        long = "长" * 201
        self.assert_refused(reporter.post("/api/projects/reports/", self.report(
            problems=[{"description": "x", "coordinate_with": long}]), format="json"),
            400, "coordinate_with")
        self.assert_refused(reporter.post("/api/projects/reports/",
                                          self.report(correction_note=long), format="json"),
                            400, "correction_note")
        self.assert_refused(reporter.post("/api/projects/reports/",
                                          self.report(progress_text="长" * 5001), format="json"),
                            400, "progress_text")
        report = reporter.post("/api/projects/reports/", self.report(), format="json")
        self.assertEqual(report.status_code, 201, report.content)
        self.assert_refused(office.post(f"/api/projects/reports/{report.json()['id']}/return/",
                                        {"reason": long}, format="json"), 400, "reason")
        self.assertEqual(ProgressReport.objects.get().return_reason, "")


class OgcInputTests(CastTestCase):
    def test_a_huge_offset_is_an_empty_page(self):
        build_ledger(self.cast)
        client = APIClient(raise_request_exception=False)
        token = Token.objects.create(user=self.cast.office_admin)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        for cid in ("projects", "core-districts"):
            with self.subTest(cid=cid):
                response = client.get(f"/ogc/collections/{cid}/items", {"offset": BIG})
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response.json()["features"], [])
                response = client.get(f"/ogc/collections/{cid}/items/{BIG}")
                self.assertEqual(response.status_code, 404)
                self.assertTrue(response.json()["description"])


class MalformedSessionCookieTests(CastTestCase):
    def test_a_nul_byte_in_the_session_cookie_is_no_session_not_a_500(self):
        self.client.cookies[settings.SESSION_COOKIE_NAME] = "abc\x00def"
        response = self.client.get("/projects/")
        self.assertEqual(response.status_code, 302)  # to the login page, as without a cookie
        self.assertIn("/accounts/login/", response["Location"])
        api = self.client.get("/api/projects/projects/")
        self.assertIn(api.status_code, (401, 403))

    def test_a_real_session_still_works(self):
        self.client.force_login(self.cast.office_admin)
        self.assertEqual(self.client.get("/projects/").status_code, 200)
