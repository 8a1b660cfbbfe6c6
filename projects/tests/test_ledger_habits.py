"""Real 台账 workbooks: each office habit, in a workbook built here the way an office lays it
out (title, 「单位：…」 line, two-row merged header, merged section rows, 合计 rows).

"Now" is fixed at Wednesday 2026-05-20 10:00 (Asia/Shanghai): the import's year is 2026 and
this reporting period starts on Monday 2026-05-18.
"""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import Workbook

from core.choices import ChangeSource
from core.history import change_context
from plans import actions as plan_actions
from projects import actions
from projects.choices import Stage
from projects.ledger_import import LedgerImporter
from projects.models import ProgressReport, Project
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

NOW = datetime(2026, 5, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def workbook_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def office_workbook(header, rows, *, unit_line="单位：万元", groups=(), title="2026年重点项目台账"):
    """Title merged across, a unit line, a two-row header whose `groups` are merged
    (label, first column, last column, second-row labels), then `rows` as given."""
    wb = Workbook()
    ws = wb.active
    width = len(header)
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append([None] * (width - 1) + [unit_line])
    ws.append(header)
    ws.append([None] * width)
    grouped = set()
    for label, first, last, labels in groups:
        ws.cell(3, first, label)
        ws.merge_cells(start_row=3, start_column=first, end_row=3, end_column=last)
        for offset, text in enumerate(labels):
            ws.cell(4, first + offset, text)
            grouped.add(first + offset)
    for col in range(1, width + 1):
        if col not in grouped:
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for row in rows:
        if isinstance(row, str):  # a section heading merged across the row
            ws.append([row])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                           end_column=width)
        else:
            ws.append(row)
    return wb


class LedgerImportCase(CastTestCase):
    """The cast's ledger plus a 城市核心板块 category, and an importer for a workbook."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            cls.core = plan_actions.do_add_taxonomy(cls.cast.plan, "category", code="HX",
                                                    name="城市核心板块")

    def importer(self, wb, user=None, **kw):
        return LedgerImporter(workbook_bytes(wb), user=user or self.cast.office_admin,
                              plan=self.cast.plan, **kw)


@time_machine.travel(NOW, tick=False)
class HabitTests(LedgerImportCase):

    def apply(self, wb, user=None):
        result = self.importer(wb, user).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        return result

    def test_merged_section_rows_are_headings_that_set_the_category(self):
        header = ["序号", "项目名称", "建设内容", "投资情况", None, "责任单位"]
        wb = office_workbook(header, [
            "一、城市核心板块（2个）",
            [1, "核心区地下综合管廊", "管廊3公里", 20000, 5000, "甲局"],
            [2, "核心区中央公园", "公园40公顷", 8000, 2000, "甲局"],
            "（二）重大基础设施",
            [1, "东环路快速化改造", "全长5公里", 30000, 6000, "乙局"],
            ["小 计", None, None, 58000, 13000],
            ["合　计", None, None, 58000, 13000],
        ], groups=[("投资情况（万元）", 4, 5, ["总投资", "年度计划投资"])])
        result = self.apply(wb)
        self.assertEqual((result.rows, result.created), (3, 3))
        self.assertEqual(Project.objects.get(name="核心区中央公园").category, self.core)
        road = Project.objects.get(name="东环路快速化改造")
        self.assertEqual(road.category, self.ledger.category)
        self.assertEqual(road.total_investment, Decimal("30000.00"))

    def test_unknown_person_is_kept_as_the_responsible_name_with_a_warning(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "责任人"],
                             [[project.code, project.name, "王五"]])
        preview = self.importer(wb).run(apply=False)
        self.assertEqual(preview.problems, [])
        self.assertEqual([str(w) for w in preview.warnings],
                         ["提示：第5行 C列「责任人」：人员目录中没有“王五”，已作为责任人姓名保存，"
                          "可稍后在项目页关联人员"])
        self.assertIn("修改责任人", preview.changes[0])
        self.apply(wb)
        project.refresh_from_db()
        self.assertEqual((project.responsible_person, project.responsible_name), (None, "王五"))
        page = self.login(self.cast.office_admin).get(project.get_absolute_url())
        self.assertContains(page, "王五")
        self.assertContains(page, "尚未关联人员目录")
        again = self.importer(wb).run(apply=False)   # the same name again: nothing to change
        self.assertEqual(again.updated, 0)
        with change_context(ChangeSource.SYSTEM, label="测试"):
            actions.do_update_project(project, responsible_person=self.cast.person_a)
        project.refresh_from_db()
        self.assertEqual((project.responsible_person, project.responsible_name),
                         (self.cast.person_a, ""))   # linked later: the bare name goes

    def test_header_synonyms_and_declared_units_convert_to_wan(self):
        header = ["序号", "项目名称", "项目总投资", "年度计划（万元）", "责任单位", "备注"]
        wb = office_workbook(header, [[1, "南湖片区海绵城市改造", 1.25, 3000, "甲局", "新增"]],
                             unit_line="单位：亿元")
        preview = self.importer(wb, default_category=self.ledger.category).run(apply=False)
        self.assertIn("提示：第3行 F列「备注」：未识别的列，已忽略（未导入）",
                      [str(w) for w in preview.warnings])
        self.apply_with_category(wb)
        project = Project.objects.get(name="南湖片区海绵城市改造")
        self.assertEqual(project.total_investment, Decimal("12500.00"))   # 1.25亿元
        self.assertEqual(project.year_plans.get(year=2026).planned_investment,
                         Decimal("3000.00"))                              # its own 万元

    def apply_with_category(self, wb):
        result = self.importer(wb, default_category=self.ledger.category).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        return result

    def test_total_in_yi_column_heading(self):
        wb = office_workbook(["项目名称", "总投资（亿元）", "责任单位"],
                             [["北站枢纽配套道路", "0.8", "乙局"]])
        self.apply_with_category(wb)
        self.assertEqual(Project.objects.get(name="北站枢纽配套道路").total_investment,
                         Decimal("8000.00"))

    def test_total_rows_with_ascii_and_full_width_spaces_are_skipped(self):
        project = self.ledger.project_a
        wb = office_workbook(["序号", "项目编号", "项目名称", "总投资"], [
            [1, project.code, project.name, 12000],
            ["合 计", None, None, 12000],
            [None, None, "小\u3000计", 12000],
            ["总 计", None, None, 12000],
        ])
        result = self.apply(wb)
        self.assertEqual((result.rows, result.created, result.updated), (1, 0, 0))

    def test_a_date_excel_stored_as_2024_1_is_ambiguous(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "计划完工"],
                             [[project.code, project.name, 2027.1]])
        result = self.importer(wb).run(apply=True)
        self.assertFalse(result.applied)
        self.assertEqual([str(p) for p in result.problems], [
            "第5行 C列「计划完工」：'2027.1' 有歧义：可能是2027年1月，也可能是被Excel存成数字的"
            "2027年10月，请写成“2027年1月”或“2027年10月”"])
        wb.active["C5"] = "2027.10"  # written as text, it is October
        self.apply(wb)
        project.refresh_from_db()
        self.assertEqual(project.finish_date, date(2027, 10, 31))

    def test_an_absent_column_or_a_blank_cell_never_clears_a_field(self):
        project = self.ledger.project_a
        before = Project.objects.filter(pk=project.pk).values(
            "content", "start_date", "finish_date", "responsible_person", "leader",
            "total_investment", "category").get()
        wb = office_workbook(["项目编号", "项目名称", "计划开工", "建设内容"],
                             [[project.code, project.name, None, None]])
        result = self.apply(wb)
        self.assertEqual((result.updated, result.reported), (0, 0))
        after = Project.objects.filter(pk=project.pk).values(*before).get()
        self.assertEqual(after, before)

    def test_planned_dates_category_and_stage_are_compared_shown_and_applied(self):
        project = self.ledger.project_b
        wb = office_workbook(["项目编号", "项目名称", "项目类别", "计划开工", "计划完工",
                              "建设阶段"],
                             [[project.code, project.name, "城市核心板块", "2025年3月",
                               "2027年6月底", "已竣工"]])
        preview = self.importer(wb).run(apply=False)
        self.assertEqual(preview.problems, [])
        self.assertIn(f"第5行 {project.code}：修改计划开工、计划完工、项目类别",
                      preview.changes)
        self.assertIn(f"第5行 {project.code}：建设阶段由“在建”改为“竣工”", preview.changes)
        project.refresh_from_db()
        self.assertEqual(project.stage, Stage.CONSTRUCTION)   # the preview applied nothing
        self.apply(wb)
        project.refresh_from_db()
        self.assertEqual((project.start_date, project.finish_date, project.category, project.stage),
                         (date(2025, 3, 1), date(2027, 6, 30), self.core, Stage.COMPLETED))

    def test_progress_of_nine_edited_rows_imports_on_this_database(self):
        """Cents in the previous report: SQLite's subquery once returned 11 decimals and
        refused 8 of 9 rows; every row must be filed, as on PostgreSQL."""
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            projects = [self.ledger.project_a, self.ledger.project_b, self.ledger.project_shared]
            for i in range(6):
                projects.append(actions.do_create_project(
                    plan=self.cast.plan, category=self.ledger.category, name=f"第{i}号道路",
                    lead_unit=self.cast.unit_a, total_investment=Decimal("5000"),
                    stage=Stage.CONSTRUCTION))
            for i, project in enumerate(projects):
                actions.do_submit_report(project, acting_user=None,
                                         period_start=date(2026, 5, 11),
                                         investment_year_cumulative=Decimal(f"{1000 + i}.37"))
        rows = [[p.code, p.name, f"{1100 + i}.58", f"主体施工（{40 + i}%）"]
                for i, p in enumerate(projects)]
        wb = office_workbook(["项目编号", "项目名称", "投资完成", None], rows,
                             groups=[("投资完成", 3, 3, ["1—5月累计完成投资"])])
        wb.active.cell(3, 4, "形象进度")
        result = self.apply(wb)
        self.assertEqual(result.reported, 9)
        reports = ProgressReport.objects.filter(period_start=date(2026, 5, 18))
        self.assertEqual(reports.count(), 9)
        first = reports.get(project=projects[0])
        self.assertEqual((first.investment_year_cumulative, first.investment_period,
                          first.progress_percent), (Decimal("1100.58"), Decimal("100.21"), 40))

    def test_a_second_progress_import_in_the_same_period_is_refused_by_row(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "1—5月累计完成投资"],
                             [[project.code, project.name, 300]])
        self.apply(wb)
        wb.active["C5"] = 450
        result = self.importer(wb).run(apply=True)
        self.assertFalse(result.applied)
        self.assertEqual([str(p) for p in result.problems],
                         ["第5行：2026-05-18这一周期已提交，如需修改请联系办公室退回。"])
        self.assertEqual(ProgressReport.objects.get(project=project).investment_year_cumulative,
                         Decimal("300.00"))

    def test_import_page_applies_what_the_preview_checked_without_reading_or_checking_again(
            self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "总投资", "1—5月累计完成投资", "备注"],
                             [[project.code, project.name, 12500, 300, "调整"]])
        upload = io.BytesIO(workbook_bytes(wb))
        upload.name = "台账.xlsx"
        client = self.login(self.cast.office_admin)
        page = client.post("/projects/import/", {"file": upload, "plan": self.cast.plan.pk})
        self.assertContains(page, "提示：第3行 E列「备注」：未识别的列，已忽略")
        token = page.context["token"]
        with _no_workbook_read(), _counting(LedgerImporter, "_process") as process, \
                _counting(LedgerImporter, "_load_lookups") as lookups:
            done = client.post("/projects/import/", {"token": token})
        self.assertRedirects(done, "/projects/")
        self.assertEqual((process.call_count, lookups.call_count), (0, 0))
        project.refresh_from_db()
        self.assertEqual(project.total_investment, Decimal("12500.00"))
        self.assertEqual(ProgressReport.objects.get(project=project).investment_year_cumulative,
                         Decimal("300.00"))


class _no_workbook_read:
    """Fails if a workbook is opened inside the block (the apply reuses the preview)."""

    def __enter__(self):
        from unittest import mock

        self.patch = mock.patch("core.workbook._open",
                                side_effect=AssertionError("workbook read twice"))
        self.patch.start()

    def __exit__(self, *exc):
        self.patch.stop()


def _counting(cls, name):
    """Patch a method with a mock that wraps it: the method still runs, its calls counted."""
    from unittest import mock

    original = getattr(cls, name)
    return mock.patch.object(cls, name, autospec=True, side_effect=original)
