"""Ledger scope: every role sees exactly its projects, in pages, API, export and import."""

import io
from decimal import Decimal

from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects.ledger_export import export_queryset
from projects.ledger_import import LedgerImporter
from projects.models import ProgressReport, Project
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

DENIED = "denied"


class LedgerScopeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def expected(self):
        lg = self.ledger
        everything = {lg.project_a, lg.project_b, lg.project_shared}
        return {
            "office_admin": everything, "office_staff": everything, "supervision": everything,
            "city_leader": {lg.project_a},  # assigned to unit A and leader of project A
            "reporter_a": {lg.project_a, lg.project_shared},
            "head_a": {lg.project_a, lg.project_shared},
            "reporter_b": {lg.project_b, lg.project_shared},
            "citizen": DENIED, "sys_admin": DENIED, "sec_admin": DENIED, "audit_admin": DENIED,
        }

    def test_list_page_api_and_export_show_exactly_the_scope(self):
        for member, want in self.expected().items():
            user = getattr(self.cast, member)
            with self.subTest(member=member):
                self.client.force_login(user)
                page = self.client.get("/projects/")
                api = APIClient()
                api.force_authenticate(user)
                response = api.get("/api/projects/projects/")
                export = self.client.get("/projects/export.xlsx")
                if want == DENIED:
                    self.assertEqual((page.status_code, response.status_code, export.status_code),
                                     (403, 403, 403))
                    continue
                self.assertEqual(set(page.context["object_list"]), want)
                self.assertEqual({r["code"] for r in response.json()["results"]},
                                 {p.code for p in want})
                ws = load_workbook(io.BytesIO(export.content)).active
                codes = {ws.cell(r, 2).value for r in range(4, ws.max_row)}
                self.assertEqual(codes, {p.code for p in want})

    def test_reporter_b_cannot_see_or_file_for_project_a(self):
        a = self.ledger.project_a
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.client.get(a.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(f"/projects/{a.pk}/report/").status_code, 404)
        response = self.client.post(f"/projects/{a.pk}/report/", {
            "investment_period": "10", "progress_percent": 10, "progress_text": "x"})
        self.assertEqual(response.status_code, 404)
        api = APIClient()
        api.force_authenticate(self.cast.reporter_b)
        self.assertEqual(api.get(f"/api/projects/projects/{a.pk}/").status_code, 404)
        response = api.post("/api/projects/reports/", {
            "project": a.pk, "investment_period": "10", "progress_percent": 10,
            "progress_text": "x"}, format="json")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(ProgressReport.objects.filter(project=a).exists())

    def test_cooperating_unit_sees_but_cannot_file(self):
        shared = self.ledger.project_shared
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(self.client.get(shared.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(f"/projects/{shared.pk}/report/").status_code, 403)
        api = APIClient()
        api.force_authenticate(self.cast.reporter_a)
        response = api.post("/api/projects/reports/", {
            "project": shared.pk, "investment_period": "10", "progress_percent": 10,
            "progress_text": "x"}, format="json")
        self.assertEqual(response.status_code, 403)

    def test_reporter_b_cannot_import_progress_for_project_a(self):
        data = export_queryset(Project.objects.filter(pk=self.ledger.project_a.pk), title="t")
        wb = load_workbook(io.BytesIO(data))
        ws = wb.active
        ws["G4"] = 999  # 1—N月累计完成投资
        buffer = io.BytesIO()
        wb.save(buffer)
        before = ProgressReport.objects.count()
        result = LedgerImporter(buffer.getvalue(), user=self.cast.reporter_b,
                                plan=self.cast.plan).run(apply=True)
        self.assertFalse(result.applied)
        self.assertIn("不存在或无权导入", str(result.problems[0]))
        self.assertEqual(ProgressReport.objects.count(), before)
        self.ledger.project_a.refresh_from_db()
        self.assertEqual(self.ledger.project_a.total_investment, Decimal("12000"))

    def test_reporter_cannot_change_master_data_by_import(self):
        data = export_queryset(Project.objects.filter(pk=self.ledger.project_a.pk), title="t")
        wb = load_workbook(io.BytesIO(data))
        wb.active["E4"] = 99999  # 总投资
        buffer = io.BytesIO()
        wb.save(buffer)
        result = LedgerImporter(buffer.getvalue(), user=self.cast.reporter_a,
                                plan=self.cast.plan).run(apply=True)
        self.assertFalse(result.applied)
        self.assertIn("无权修改项目基本信息（总投资）", str(result.problems[0]))
