"""The ledger API: same filters as the pages, reports filed through the same action."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import actions
from projects.models import ProgressReport, Project, ProjectStatus, RebaselineRequest
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class LedgerApiTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def api(self, user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return client

    def test_filters_match_the_page(self):
        api = self.api(self.cast.office_admin)
        query = {"lead_unit": self.cast.unit_b.pk, "q": "污水"}
        names = {r["name"] for r in api.get("/api/projects/projects/", query).json()["results"]}
        self.assertEqual(names, {"乙区污水处理厂"})
        self.client.force_login(self.cast.office_admin)
        page = self.client.get("/projects/", query)
        self.assertEqual({p.name for p in page.context["object_list"]}, names)
        row = api.get(f"/api/projects/projects/{self.ledger.project_a.pk}/").json()
        self.assertEqual(row["status"]["overall"], "red")
        self.assertTrue(any("落后序时进度" in r for r in row["status"]["reasons"]))

    def test_file_a_report_and_a_retry_does_not_duplicate(self):
        api = self.api(self.cast.reporter_a)
        payload = {"project": self.ledger.project_a.pk, "investment_period": "1150",
                   "progress_percent": 40, "progress_text": "主体施工",
                   "problems": [{"description": "电力迁改慢", "coordinate_with": "供电公司"}]}
        first = api.post("/api/projects/reports/", payload, format="json")
        self.assertEqual(first.status_code, 201, first.content)
        retry = api.post("/api/projects/reports/", payload, format="json")
        self.assertEqual(retry.status_code, 400)
        self.assertIn("已提交", str(retry.json()))
        self.assertEqual(ProgressReport.objects.filter(project=self.ledger.project_a).count(), 1)
        status = ProjectStatus.objects.get(project=self.ledger.project_a)
        self.assertEqual(status.investment, "green")

    def test_bad_payloads_get_reasons(self):
        api = self.api(self.cast.reporter_a)
        cases = [
            {"project": self.ledger.project_a.pk, "investment_period": "-5",
             "progress_percent": 10},
            {"project": self.ledger.project_a.pk, "investment_period": "abc",
             "progress_percent": 10},
            {"project": self.ledger.project_a.pk, "investment_period": "1",
             "progress_percent": 101},
            {"project": "x", "investment_period": "1", "progress_percent": 1},
            {"project": self.ledger.project_a.pk, "investment_period": "1", "progress_percent": 1,
             "milestones_reached": [{"milestone": 999999, "date": "2024-01-01"}]},
            {"project": self.ledger.project_a.pk, "investment_period": "1", "progress_percent": 1,
             "period_start": "2999-01-01"},
        ]
        for payload in cases:
            with self.subTest(payload=payload):
                response = api.post("/api/projects/reports/", payload, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertTrue(response.json())
        self.assertFalse(ProgressReport.objects.exists())

    def test_return_and_rebaseline_are_office_only(self):
        report = actions.do_submit_report(self.ledger.project_a, acting_user=self.cast.reporter_a,
                                          investment_period=Decimal("1"), progress_percent=1)
        reporter = self.api(self.cast.reporter_a)
        self.assertEqual(reporter.post(f"/api/projects/reports/{report.pk}/return/",
                                       {"reason": "x"}, format="json").status_code, 403)
        office = self.api(self.cast.office_staff)
        self.assertEqual(office.post(f"/api/projects/reports/{report.pk}/return/", {},
                                     format="json").status_code, 400)
        self.assertEqual(office.post(f"/api/projects/reports/{report.pk}/return/",
                                     {"reason": "请补充照片"}, format="json").status_code, 200)
        m = self.ledger.milestone_a2
        created = reporter.post("/api/projects/rebaselines/", {
            "milestone": m.pk, "new_date": "2030-01-01", "reason": "设计变更"}, format="json")
        self.assertEqual(created.status_code, 201, created.content)
        rid = created.json()["id"]
        self.assertEqual(reporter.post(f"/api/projects/rebaselines/{rid}/approve/").status_code,
                         403)
        self.assertEqual(self.api(self.cast.reporter_b).post(
            f"/api/projects/rebaselines/{rid}/approve/").status_code, 404)
        self.assertEqual(office.post(f"/api/projects/rebaselines/{rid}/approve/").status_code, 200)
        self.assertEqual(RebaselineRequest.objects.get(pk=rid).status, "approved")


class LedgerQueryCountTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def count(self, url, user=None):
        client = APIClient()
        client.force_login(user or self.cast.office_admin)
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(client.get(url).status_code, 200)
        return len(ctx)

    def test_ledger_list_and_api_do_not_grow_with_rows(self):
        urls = [f"/projects/?stage=construction&lead_unit={self.cast.unit_a.pk}",
                "/projects/", "/api/projects/projects/?limit=50", "/projects/review/",
                "/projects/export.xlsx"]
        # One report already waits, so the review queue's per-page lookups (previous
        # reports, flags) are in both counts: it is growth with rows that is refused.
        first = Project.objects.filter(lead_unit=self.cast.unit_a).first()
        actions.do_submit_report(first, acting_user=None, investment_period=Decimal("1"),
                                 progress_percent=5)
        before = {u: self.count(u) for u in urls}
        before_due = self.count("/projects/due/", self.cast.reporter_a)
        for i in range(12):
            project = actions.do_create_project(
                plan=self.cast.plan, category=self.ledger.category, name=f"新增项目{i}",
                lead_unit=self.cast.unit_a, total_investment=Decimal("100"), stage="construction",
                cooperating_units=[self.cast.unit_b], leader=self.cast.leader)
            actions.do_submit_report(project, acting_user=None, investment_period=Decimal("1"),
                                     progress_percent=5)
        self.assertEqual({u: self.count(u) for u in urls}, before)
        self.assertEqual(self.count("/projects/due/", self.cast.reporter_a), before_due)
