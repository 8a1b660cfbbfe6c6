"""The Excel ledger: the office layout out, the same layout (and plain sheets) back in."""

import io
from datetime import date
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.models import ObjectChange
from projects.ledger_export import export_queryset
from projects.ledger_format import CellError, parse_amount, parse_date
from projects.ledger_import import LedgerImporter
from projects.models import ProgressReport, Project, ProjectYearPlan
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


def workbook_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class ParserTests(CastTestCase):
    def test_amounts(self):
        self.assertEqual(parse_amount("3,000"), Decimal("3000.00"))
        self.assertEqual(parse_amount("3000万元"), Decimal("3000.00"))
        self.assertEqual(parse_amount("3亿元"), Decimal("30000.00"))
        self.assertEqual(parse_amount("1.5亿"), Decimal("15000.00"))
        self.assertEqual(parse_amount(1234.5), Decimal("1234.50"))
        self.assertIsNone(parse_amount("  "))
        with self.assertRaisesMessage(CellError, "'约3亿' 不是数字"):
            parse_amount("约3亿")

    def test_dates(self):
        self.assertEqual(parse_date("2024年6月底", month_end=False), date(2024, 6, 30))
        self.assertEqual(parse_date("2024.6", month_end=True), date(2024, 6, 30))
        self.assertEqual(parse_date("2024.6", month_end=False), date(2024, 6, 1))
        self.assertEqual(parse_date("2024年6月30日", month_end=False), date(2024, 6, 30))
        self.assertEqual(parse_date("2024-02-29", month_end=False), date(2024, 2, 29))
        with self.assertRaises(CellError):
            parse_date("明年上半年", month_end=True)
        with self.assertRaises(CellError):
            parse_date("2024年2月30日", month_end=True)


@on_mid_may_2026
class ExcelTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def export(self):
        return export_queryset(Project.objects.all(), title="三年行动计划项目台账",
                               as_of=timezone.localdate())

    def importer(self, data, user=None, **kw):
        return LedgerImporter(data, user=user or self.cast.office_admin, plan=self.cast.plan, **kw)

    def test_export_has_the_office_layout(self):
        wb = load_workbook(io.BytesIO(self.export()))
        ws = wb.active
        self.assertIn("三年行动计划项目台账（截至", ws["A1"].value)
        merged = {str(r) for r in ws.merged_cells.ranges}
        self.assertIn("A1:N1", merged)
        self.assertIn("A2:A3", merged)          # 序号 spans both header rows
        self.assertIn("E2:H2", merged)          # 投资情况（万元） over four columns
        self.assertEqual(ws["E2"].value, "投资情况（万元）")
        self.assertEqual(ws["G3"].value, f"1—{timezone.localdate().month}月累计完成投资")
        self.assertEqual(ws.freeze_panes, "D4")
        self.assertEqual(ws.page_setup.orientation, "landscape")
        self.assertEqual(str(ws.page_setup.paperSize), str(ws.PAPERSIZE_A3))
        row = {ws.cell(3 if ws.cell(3, c).value else 2, c).value: ws.cell(4, c)
               for c in range(1, 15)}
        self.assertEqual(row["总投资"].number_format, "#,##0.00")
        self.assertEqual(row["亮灯"].value, "红灯")      # no report yet: behind 序时
        self.assertEqual(row["亮灯"].fill.fgColor.rgb[-6:], "FECACA")
        last = ws.max_row
        self.assertEqual(ws.cell(last, 3).value, "合计")
        self.assertEqual(Decimal(str(ws.cell(last, 5).value)), Decimal("23000"))

    def test_round_trip_changes_nothing(self):
        before = (ObjectChange.objects.count(), ProgressReport.objects.count())
        result = self.importer(self.export()).run(apply=True)
        self.assertEqual(result.problems, [])
        self.assertTrue(result.applied)
        self.assertEqual((result.created, result.updated, result.reported), (0, 0, 0))
        self.assertEqual((ObjectChange.objects.count(), ProgressReport.objects.count()), before)

    def test_each_bad_cell_kind_is_named_by_row_and_column(self):
        wb = load_workbook(io.BytesIO(self.export()))
        ws = wb.active
        ws["E4"] = "约3亿"                      # not a number
        ws["J5"] = "不存在的局"                  # unknown unit
        ws["L4"] = "张三"                        # not a city leader
        ws["B6"] = "2024-JC-999"                 # unknown code
        ws["I5"] = "主体施工（120%）"            # percent over 100
        result = self.importer(workbook_bytes(wb)).run(apply=True)
        messages = [str(p) for p in result.problems]
        self.assertIn("第4行 E列「总投资」：'约3亿' 不是数字", messages)
        self.assertIn("第5行 J列「责任单位」：找不到单位“不存在的局”", messages)
        self.assertIn("第4行 L列「分包领导」：“张三”不是市级领导", messages)
        self.assertIn("第6行 B列「项目编号」：项目编号“2024-JC-999”不存在或无权导入", messages)
        self.assertIn("第5行 I列「形象进度」：形象进度百分比120%超过100%", messages)
        self.assertFalse(result.applied)

    def test_a_failed_import_changes_nothing(self):
        wb = load_workbook(io.BytesIO(self.export()))
        ws = wb.active
        ws["E4"] = 15000          # a valid change on row 4 ...
        ws["E5"] = "三千万"        # ... and a bad cell on row 5
        before = ObjectChange.objects.count()
        totals = dict(Project.objects.values_list("code", "total_investment"))
        result = self.importer(workbook_bytes(wb)).run(apply=True)
        self.assertFalse(result.applied)
        self.assertEqual(len(result.problems), 1)
        self.assertEqual(ObjectChange.objects.count(), before)
        self.assertEqual(dict(Project.objects.values_list("code", "total_investment")), totals)

    def test_dry_run_lists_changes_and_applies_nothing(self):
        wb = load_workbook(io.BytesIO(self.export()))
        ws = wb.active
        code = ws["B4"].value
        ws["E4"] = "1.5亿元"
        preview = self.importer(workbook_bytes(wb)).run(apply=False)
        self.assertTrue(preview.ok)
        self.assertEqual(preview.updated, 1)
        self.assertIn("修改总投资", preview.changes[0])
        self.assertNotEqual(Project.objects.get(code=code).total_investment, Decimal("15000"))
        applied = self.importer(workbook_bytes(wb)).run(apply=True)
        self.assertTrue(applied.applied)
        self.assertEqual(Project.objects.get(code=code).total_investment, Decimal("15000"))

    def test_reporter_progress_import_files_this_periods_report(self):
        data = export_queryset(Project.objects.filter(pk=self.ledger.project_a.pk), title="t")
        wb = load_workbook(io.BytesIO(data))
        ws = wb.active
        ws["G4"] = "800万元"
        ws["I4"] = "路基施工（35%）"
        ws["M4"] = "管线迁改滞后"
        result = self.importer(workbook_bytes(wb), user=self.cast.reporter_a).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        report = ProgressReport.objects.get(project=self.ledger.project_a)
        self.assertEqual((report.investment_year_cumulative, report.progress_percent,
                          report.progress_text), (Decimal("800.00"), 35, "路基施工"))
        self.ledger.project_a.refresh_from_db()
        self.assertEqual(self.ledger.project_a.problems, "管线迁改滞后")

    def test_a_real_world_plain_sheet(self):
        """One header row, a section row, a blank spacer, merged unit cells, a 合计 row,
        amounts with units, Chinese dates; rows without a code create projects."""
        wb = Workbook()
        ws = wb.active
        ws.append(["2024年重点项目台账"])
        ws.append([])
        ws.append(["序号", "项目名称", "建设内容", "总投资（万元）", "年度计划", "责任单位",
                   "计划开工", "计划完工"])
        ws.append(["一、重大基础设施", None, None, None, None, None])
        ws.append([1, "新华路西延工程", "全长1.2公里", "1.2亿元", "3000万", "甲局", "2024.6",
                   "2025年12月底"])
        ws.append([None, None, None, None, None, None])
        ws.append([2, "开阳路雨污分流改造", "管网4公里", "4,500", 1500, None, "2024年7月",
                   "2025.6"])
        ws.merge_cells("F5:F7")  # 责任单位 merged over the rows of one unit
        ws.append(["合计", None, None, "16500", "4500"])
        result = self.importer(workbook_bytes(wb)).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        self.assertEqual(result.created, 2)
        road = Project.objects.get(name="新华路西延工程")
        self.assertEqual(road.total_investment, Decimal("12000.00"))
        self.assertEqual(road.category, self.ledger.category)  # from the section row
        self.assertEqual((road.start_date, road.finish_date), (date(2024, 6, 1), date(2025, 12, 31)))
        sewer = Project.objects.get(name="开阳路雨污分流改造")
        self.assertEqual(sewer.lead_unit, self.cast.unit_a)   # from the merged cell
        self.assertEqual(ProjectYearPlan.objects.get(project=sewer).planned_investment,
                         Decimal("1500.00"))
        self.assertRegex(road.code, r"^2024-JC-\d{3}$")
        again = self.importer(workbook_bytes(wb)).run(apply=True)  # a retried upload
        self.assertFalse(again.applied)
        self.assertIn(f"已存在同名项目（{road.code}）", str(again.problems[0]))
        self.assertEqual(Project.objects.filter(name="新华路西延工程").count(), 1)

    def test_import_pages_preview_then_apply(self):
        wb = load_workbook(io.BytesIO(self.export()))
        wb.active["E4"] = 13000
        upload = io.BytesIO(workbook_bytes(wb))
        upload.name = "台账.xlsx"
        self.client.force_login(self.cast.office_admin)
        page = self.client.post("/projects/import/", {"file": upload, "plan": self.cast.plan.pk})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "确认导入")
        token = page.context["token"]
        done = self.client.post("/projects/import/", {"token": token})
        self.assertRedirects(done, "/projects/")
        self.assertTrue(Project.objects.filter(total_investment=13000).exists())

    def test_not_a_spreadsheet(self):
        result = self.importer(b"this is not a workbook").run(apply=True)
        self.assertIn("无法读取该文件", str(result.problems[0]))


class ImportFormTests(CastTestCase):
    def test_a_category_of_another_plan_is_refused(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from plans import actions as plan_actions
        from projects.views_ledger import ImportForm

        other = plan_actions.do_create_plan(name="城乡结合部计划", start_year=2024, end_year=2026)
        foreign = plan_actions.do_add_taxonomy(other, "category", code="QT", name="其他类别")
        upload = SimpleUploadedFile("台账.xlsx", b"x")
        form = ImportForm({"plan": self.cast.plan.pk, "category": foreign.pk}, {"file": upload},
                          user=self.cast.office_staff)
        self.assertFalse(form.is_valid())
        self.assertIn("不属于计划", form.errors["category"][0])
