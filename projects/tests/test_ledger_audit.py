"""The ledger import against the audit's findings: amounts past the money fields, headings
split over 序号 and 名称, namesakes in other units, headings over existing projects, and the
apply that trusts its preview only while the database is unchanged.

"Now" is Wednesday 2026-05-20 10:00 in Beijing (the year 2026, the period from 2026-05-18).
"""

import io
import tempfile
from datetime import date
from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from core.choices import ChangeSource
from core.history import change_context
from org import actions as org_actions
from plans import actions as plan_actions
from projects import actions
from projects.ledger_import import LedgerImporter
from projects.models import Project
from projects.tests.test_ledger_habits import LedgerImportCase, office_workbook, workbook_bytes
from tests.base import on_mid_may_2026


@on_mid_may_2026
class AuditTestCase(LedgerImportCase):

    def apply(self, wb, user=None, **kw):
        result = self.importer(wb, user, **kw).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        return result


class AmountRangeTests(AuditTestCase):
    TOO_BIG = "金额过大（超过 999,999,999,999.99 万元），请检查单位"

    def test_a_year_plan_beyond_the_money_field_is_a_row_problem_in_chinese(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "年度计划投资"],
                             [[project.code, project.name, 500000000]], unit_line="单位：亿元")
        result = self.importer(wb).run(apply=True)
        self.assertFalse(result.applied)
        self.assertEqual([str(p) for p in result.problems],
                         [f"第5行 C列「年度计划投资」：{self.TOO_BIG}"])

    def test_total_investment_and_the_cumulative_are_checked_too(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "总投资", "1—5月累计完成投资"],
                             [[project.code, project.name, "2000000000亿元", 10 ** 13]])
        result = self.importer(wb).run(apply=False)
        self.assertEqual([str(p) for p in result.problems],
                         [f"第5行 C列「总投资」：{self.TOO_BIG}",
                          f"第5行 D列「1—5月累计完成投资」：{self.TOO_BIG}"])

    def test_the_command_reports_the_row_instead_of_a_traceback(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "年度计划投资"],
                             [[project.code, project.name, 500000000]], unit_line="单位：亿元")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(workbook_bytes(wb))
            fh.flush()
            out = StringIO()
            with self.assertRaises(CommandError):
                call_command("import_ledger", fh.name, "--plan", str(self.cast.plan.pk),
                             "--apply", stdout=out)
        self.assertIn(self.TOO_BIG, out.getvalue())

    def test_a_refused_year_plan_while_applying_becomes_a_row_problem(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "年度计划投资"],
                             [[project.code, project.name, 1500]])
        refuse = ValidationError({"planned_investment": ["确保该数字不超过14位。"]})
        with mock.patch("projects.actions.do_set_year_plan", side_effect=refuse):
            result = self.importer(wb).run(apply=True)
        self.assertFalse(result.applied)
        self.assertEqual([str(p) for p in result.problems],
                         ["第5行 C列「年度计划投资」：确保该数字不超过14位。"])


class SplitHeadingTests(AuditTestCase):
    HEADER = ["序号", "项目名称", "总投资", "责任单位"]

    def categories(self, rows):
        self.apply(office_workbook(self.HEADER, rows))
        return {p.name: p.category.name for p in Project.objects.filter(name__endswith="（新）")}

    def test_a_bare_numeral_in_xuhao_and_the_heading_in_the_name_cell(self):
        found = self.categories([
            ["一", "城市核心板块（3个）"],
            [1, "核心区管廊（新）", 20000, "甲局"],
            ["二", "重大基础设施（1个）"],
            [1, "东环路（新）", 30000, "乙局"],
        ])
        self.assertEqual(found, {"核心区管廊（新）": "城市核心板块", "东环路（新）": "重大基础设施"})

    def test_numbering_with_its_mark_in_xuhao_and_the_heading_in_the_name_cell(self):
        found = self.categories([
            ["一、", "城市核心板块（3个）"],
            [1, "核心区管廊（新）", 20000, "甲局"],
            ["（一）", "重大基础设施"],
            [1, "东环路（新）", 30000, "乙局"],
        ])
        self.assertEqual(found, {"核心区管廊（新）": "城市核心板块", "东环路（新）": "重大基础设施"})

    def test_the_heading_as_the_issue_wrote_it_in_one_cell(self):
        found = self.categories([
            ["一、城市核心板块（3个）"],
            [1, "核心区管廊（新）", 20000, "甲局"],
        ])
        self.assertEqual(found, {"核心区管廊（新）": "城市核心板块"})

    def test_a_row_with_amounts_or_a_unit_is_not_a_heading(self):
        wb = office_workbook(self.HEADER, [["一", "一环路工程", 20000, "甲局"]])
        result = self.apply(wb, default_category=self.ledger.category)
        self.assertEqual((result.rows, result.created), (1, 1))


class NamesakeTests(AuditTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            cls.zhang_a = org_actions.do_create_person(name="张伟", unit=cls.cast.unit_a)
            cls.zhang_b = org_actions.do_create_person(name="张伟", unit=cls.cast.unit_b)
            cls.li_b = org_actions.do_create_person(name="李娜", unit=cls.cast.unit_b)

    def test_the_namesake_in_the_rows_unit_is_linked(self):
        project = self.ledger.project_b          # lead unit B, no 责任单位 column
        self.apply(office_workbook(["项目编号", "项目名称", "责任人"],
                                   [[project.code, project.name, "张伟"]]))
        project.refresh_from_db()
        self.assertEqual(project.responsible_person, self.zhang_b)

    def test_a_name_only_in_another_unit_is_kept_as_text_with_a_warning(self):
        project = self.ledger.project_a          # lead unit A; 李娜 works in unit B
        wb = office_workbook(["项目编号", "项目名称", "责任人"],
                             [[project.code, project.name, "李娜"]])
        preview = self.importer(wb).run(apply=False)
        self.assertEqual([str(w) for w in preview.warnings],
                         ["提示：第5行 C列「责任人」：责任单位的人员中没有“李娜”（其他单位有同名人员，"
                          "未关联），已作为责任人姓名保存，可稍后在项目页关联人员"])
        self.apply(wb)
        project.refresh_from_db()
        self.assertEqual((project.responsible_person, project.responsible_name), (None, "李娜"))

    def test_a_new_row_links_the_namesake_of_its_own_unit(self):
        wb = office_workbook(["项目名称", "总投资", "责任单位", "责任人"],
                             [["西湖公园（新）", 100, "乙局", "张伟"]])
        self.apply(wb, default_category=self.ledger.category)
        self.assertEqual(Project.objects.get(name="西湖公园（新）").responsible_person,
                         self.zhang_b)


class HeadingOverExistingProjectTests(AuditTestCase):
    def test_a_reporters_progress_file_with_section_headings_imports(self):
        project = self.ledger.project_a          # 重大基础设施, under another heading here
        wb = office_workbook(["序号", "项目编号", "项目名称", "1—5月累计完成投资", "形象进度"], [
            "一、城市核心板块（1个）",
            [1, project.code, project.name, 400, "主体施工（35%）"],
        ])
        result = self.apply(wb, user=self.cast.reporter_a)
        self.assertEqual((result.reported, result.updated), (1, 0))
        project.refresh_from_db()
        self.assertEqual(project.category, self.ledger.category)

    def test_a_heading_does_not_move_an_existing_project_for_the_office_either(self):
        project = self.ledger.project_b
        wb = office_workbook(["序号", "项目编号", "项目名称"],
                             ["一、城市核心板块", [1, project.code, project.name]])
        self.assertEqual(self.apply(wb).updated, 0)
        project.refresh_from_db()
        self.assertEqual(project.category, self.ledger.category)

    def test_a_code_of_another_plan_is_a_row_problem(self):
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            other = plan_actions.do_create_plan(name="城市更新计划", start_year=2025,
                                                end_year=2027)
            plan_actions.do_add_taxonomy(other, "category", code="GX", name="城市更新")
        result = LedgerImporter(workbook_bytes(office_workbook(
            ["项目编号", "项目名称"], [[self.ledger.project_a.code, "甲路"]])),
            user=self.cast.office_admin, plan=other).run(apply=False)
        self.assertEqual([str(p) for p in result.problems], [
            f"第5行 A列「项目编号」：项目编号“{self.ledger.project_a.code}”不属于计划“城市更新计划”"])


class ApplyAfterPreviewTests(AuditTestCase):
    def preview(self, client, wb, **extra):
        upload = io.BytesIO(workbook_bytes(wb))
        upload.name = "台账.xlsx"
        page = client.post("/projects/import/", {"file": upload, "plan": self.cast.plan.pk,
                                                 **extra})
        self.assertEqual(page.status_code, 200, page.content.decode()[:500])
        return page

    def test_a_project_changed_after_the_preview_is_checked_again_not_applied_blindly(self):
        project = self.ledger.project_a
        wb = office_workbook(["项目编号", "项目名称", "总投资"],
                             [[project.code, project.name, 12500]])
        client = self.login(self.cast.office_admin)
        page = self.preview(client, wb)
        self.assertEqual(page.context["result"].updated, 1)
        with change_context(ChangeSource.SYSTEM, label="测试"):   # someone else, meanwhile
            actions.do_update_project(project, total_investment=Decimal("12500"),
                                      name="甲路综合改造工程（一期）")
        with mock.patch.object(LedgerImporter, "_process", autospec=True,
                               side_effect=LedgerImporter._process) as process:
            again = client.post("/projects/import/", {"token": page.context["token"]})
        self.assertEqual(process.call_count, 1)   # the full check ran again
        self.assertContains(again, "预览之后有项目被修改，已按最新数据重新检查")
        self.assertIn(f"第5行 {project.code}：修改项目名称", again.context["result"].changes)
        project.refresh_from_db()
        self.assertEqual(project.name, "甲路综合改造工程（一期）")   # nothing applied yet
        done = client.post("/projects/import/", {"token": again.context["token"]})
        self.assertRedirects(done, "/projects/")
        project.refresh_from_db()
        self.assertEqual((project.name, project.total_investment),
                         ("甲路综合改造工程", Decimal("12500.00")))

    def test_new_rows_year_plans_stages_and_units_apply_from_the_preview(self):
        project = self.ledger.project_b
        wb = office_workbook(
            ["项目编号", "项目名称", "总投资", "年度计划投资", "责任单位", "计划完工", "建设阶段"],
            [[project.code, project.name, 9000, 1500, "甲局", "2027年6月底", "已竣工"],
             [None, "北湖公园（新）", 800, 200, "乙局", "2026年12月", "在建"]])
        client = self.login(self.cast.office_admin)
        page = self.preview(client, wb, category=self.ledger.category.pk)
        self.assertEqual((page.context["result"].created, page.context["result"].updated), (1, 1))
        with mock.patch.object(LedgerImporter, "_process", autospec=True,
                               side_effect=LedgerImporter._process) as process:
            done = client.post("/projects/import/", {"token": page.context["token"]})
        self.assertRedirects(done, "/projects/")
        self.assertEqual(process.call_count, 0)
        project.refresh_from_db()
        self.assertEqual((project.total_investment, project.lead_unit, project.finish_date,
                          project.stage, project.year_plans.get(year=2026).planned_investment),
                         (Decimal("9000.00"), self.cast.unit_a, date(2027, 6, 30), "completed",
                          Decimal("1500.00")))
        new = Project.objects.get(name="北湖公园（新）")
        self.assertEqual((new.category, new.lead_unit, new.finish_date,
                          new.year_plans.get(year=2026).planned_investment),
                         (self.ledger.category, self.cast.unit_b, date(2026, 12, 31),
                          Decimal("200.00")))


class MonthHeaderTests(AuditTestCase):
    def schedule_after(self, months, groups=()):
        project = self.ledger.project_a
        header = ["项目编号", "项目名称", *months]
        amounts = [100] * 6 + [200] * 6
        self.apply(office_workbook(header, [[project.code, project.name, *amounts]],
                                   groups=groups))
        plan = project.year_plans.get(year=2026)
        return plan.planned_investment, plan.schedule()[5]

    def test_a_one_row_header_of_month_plans(self):
        self.assertEqual(self.schedule_after([f"{m}月计划" for m in range(1, 13)]),
                         (Decimal("1800.00"), Decimal("600.00")))

    def test_chinese_month_names_in_one_row(self):
        names = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
                 "十一月", "十二月"]
        self.assertEqual(self.schedule_after(names), (Decimal("1800.00"), Decimal("600.00")))

    def test_chinese_month_names_under_a_schedule_group(self):
        names = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
                 "十一月", "十二月"]
        header = [None] * 12
        self.assertEqual(self.schedule_after(header, groups=[
            ("2026年序时计划（万元）", 3, 14, names)]), (Decimal("1800.00"), Decimal("600.00")))
