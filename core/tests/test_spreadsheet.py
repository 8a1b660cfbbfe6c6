"""Formula injection (issue 17 item 7): what people typed reaches every export as text.

Hostile texts are planted where users and office imports write them (a report's problem,
a project's name, content and progress, a unit's, a person's, a plan's and a scheme's
name); each export is opened again with openpyxl, which must find no formula and the text
unchanged. The evaluation export is audited like the ledger's (item 8).
"""

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.choices import AuditEventType
from core.models import AuditEvent
from core.spreadsheet import csv_field, set_value, write_row
from evaluation import actions as evaluation
from evaluation.presets import preset_scheme
from org import actions as org
from projects.actions import do_submit_report
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

HYPERLINK = '=HYPERLINK("http://attacker.example/x","点此查看附件")'
PLUS = "+1+1"
MINUS = "-2+3"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
ERROR_CODE = "#N/A"


def cells(data: bytes):
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            yield from row


class CellHelperTests(SimpleTestCase):
    def test_formula_like_text_is_stored_as_text_and_numbers_stay_numbers(self):
        wb = Workbook()
        values = [HYPERLINK, PLUS, MINUS, AT, TAB, CR, ERROR_CODE, "甲局", 12, Decimal("3.5"), -4]
        write_row(wb.active, 1, values)
        buffer = io.BytesIO()
        wb.save(buffer)
        row = next(load_workbook(buffer).active.iter_rows())
        self.assertEqual([c.value for c in row], [*values[:9], 3.5, -4])
        self.assertEqual([c.data_type for c in row], ["s"] * 8 + ["n"] * 3)
        # Excel's "typed with a leading '" mark: editing the cell keeps it text.
        self.assertEqual([c.quotePrefix for c in row[:6]], [True] * 6)
        self.assertFalse(row[7].quotePrefix)

    def test_a_named_style_set_first_keeps_the_text_mark(self):
        wb = Workbook()
        cell = wb.active["A1"]
        cell.style = "Normal"
        set_value(cell, HYPERLINK)
        self.assertEqual((cell.data_type, cell.quotePrefix), ("s", True))

    def test_csv_fields_get_the_owasp_quote(self):
        self.assertEqual([csv_field(v) for v in (HYPERLINK, PLUS, MINUS, AT, TAB, CR)],
                         ["'" + v for v in (HYPERLINK, PLUS, MINUS, AT, TAB, CR)])
        self.assertEqual([csv_field(v) for v in ("甲局", "a=b", 12, -4, Decimal("-1.5"), None)],
                         ["甲局", "a=b", 12, -4, Decimal("-1.5"), None])


class EveryExportIsCoveredTests(SimpleTestCase):
    """A new spreadsheet or CSV export must write through core.spreadsheet and be tested here."""

    # The cases' exports are tested beside them: cases/tests/test_exports.py
    # (test_typed_text_stays_text) and cases/tests/test_performance.py (a formula-like name).
    TESTED = {"projects/ledger_export.py", "evaluation/views.py", "cases/exports.py",
              "cases/views_performance.py"}
    WRITERS = re.compile(r"Workbook\(|csv\.writer|csv\.DictWriter|xlsxwriter|text/csv")

    def test_the_exports_found_in_the_code_are_the_ones_tested(self):
        root = Path(settings.BASE_DIR)
        found = set()
        for path in root.rglob("*.py"):
            rel = path.relative_to(root).as_posix()
            if rel.split("/")[0] in {".venv", "bench", "node_modules"} or "/tests/" in rel \
                    or rel.startswith("tests/") or "/migrations/" in rel:
                continue
            text = path.read_text(encoding="utf-8")
            if self.WRITERS.search(text):
                found.add(rel)
                self.assertIn("core.spreadsheet", text, rel)
        self.assertEqual(found, self.TESTED)


@on_mid_may_2026
class ExportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cast, a = cls.cast, cls.ledger.project_a
        # The reporter's problem text: the attack the probe found.
        do_submit_report(a, acting_user=cast.reporter_a, investment_period=Decimal("100"),
                         progress_percent=30, progress_text=MINUS, problems=[(HYPERLINK, "")])
        org.do_update_unit(cast.unit_a, name=PLUS)
        cast.person_a.name = TAB  # the responsible person (people come from the admin)
        cast.person_a.save()
        a.refresh_from_db()
        a.content = AT
        a.name = CR
        a.save()
        cast.plan.name = ERROR_CODE + HYPERLINK
        cast.plan.save()

    def test_the_ledger_export_holds_no_formula_and_keeps_the_text(self):
        self.client.force_login(self.cast.office_admin)
        data = self.client.get("/projects/export.xlsx", {"plan": self.cast.plan.pk}).content
        found = list(cells(data))
        self.assertEqual([c.coordinate for c in found if c.data_type == "f"], [])
        values = {c.value for c in found}
        for text in (HYPERLINK, PLUS, AT, CR, TAB):
            self.assertIn(text, values)
        self.assertIn(f"{MINUS}（30%）", values)  # 形象进度: the text and its percentage
        title = next(c for c in found if c.coordinate == "A1")
        self.assertTrue(title.value.startswith(ERROR_CODE + HYPERLINK + "项目台账"))
        self.assertEqual((title.data_type, title.quotePrefix), ("s", False))
        problem = next(c for c in found if c.value == HYPERLINK)
        self.assertTrue(problem.quotePrefix)
        # Numbers stay numbers: the total investment of the project named CR.
        row = next(c.row for c in found if c.value == CR)
        self.assertIn(12000, {c.value for c in found if c.row == row and c.data_type == "n"})

    def scheme(self, name=HYPERLINK):
        today = timezone.localdate()
        scheme = evaluation.do_create_evaluation(
            scheme=preset_scheme("investment_led", acting_user=self.cast.office_admin),
            period_start=today - timedelta(days=200), period_end=today,
            acting_user=self.cast.office_admin, name=name)
        evaluation.do_compute(scheme, acting_user=self.cast.office_admin)
        return scheme

    def test_the_evaluation_export_holds_no_formula_and_keeps_the_text(self):
        scheme = self.scheme()
        self.client.force_login(self.cast.office_admin)
        response = self.client.get(f"/evaluation/{scheme.pk}/export.xlsx")
        self.assertEqual(response.status_code, 200)
        found = list(cells(response.content))
        self.assertEqual([c.coordinate for c in found if c.data_type == "f"], [])
        values = {c.value for c in found}
        self.assertIn(HYPERLINK, values)  # the scheme's name, in A1
        self.assertIn(PLUS, values)       # unit A's name
        plus = next(c for c in found if c.value == PLUS)
        self.assertEqual({c.data_type for c in found if c.row == plus.row and c.column > 3},
                         {"n"})  # points and totals stay numbers

    def test_the_evaluation_export_is_audited_with_the_rows_it_listed(self):
        scheme = self.scheme(name="2026年上半年阶段考评")
        # The office lists every unit (the two ranked and 丙街道, 不参评); the reporter its own.
        for user, rows in ((self.cast.office_admin, 3), (self.cast.reporter_a, 1)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(
                    self.client.get(f"/evaluation/{scheme.pk}/export.xlsx").status_code, 200)
                event = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).latest("id")
                self.assertEqual((event.user, event.object_type, event.object_id),
                                 (user, "evaluation.Evaluation", str(scheme.pk)))
                self.assertEqual(event.detail, {"what": "考评结果", "rows": rows})

    def test_a_refused_evaluation_export_leaves_no_audit_event(self):
        scheme = self.scheme()
        self.client.force_login(self.cast.citizen)
        before = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).count()
        self.assertIn(self.client.get(f"/evaluation/{scheme.pk}/export.xlsx").status_code,
                      (403, 404))
        self.assertEqual(AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).count(),
                         before)
