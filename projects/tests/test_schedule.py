"""序时 schedules: set on the project page, imported from 1–12月 columns, and rescaled (not
reset to an even spread) when the year's total changes. Also the import_ledger command.

"Now" is fixed at Wednesday 2026-05-20 10:00 (Asia/Shanghai): the import's year is 2026.
"""

import io
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core.choices import ChangeSource
from core.history import change_context
from projects import actions
from projects.models import Project, ProjectYearPlan
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

NOW = datetime(2026, 5, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
D = Decimal


def workbook_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def schedule_workbook(rows, *, group="2026年序时计划（万元）", months=None, planned=True):
    """项目编号 | 项目名称 | 年度计划投资 | 2026年序时计划（万元） over 1月 … 12月."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年项目序时计划表"])
    ws.merge_cells("A1:O1")
    ws.append(["单位：万元"])
    first = ["项目编号", "项目名称"] + (["年度计划投资"] if planned else [])
    start = len(first) + 1
    ws.append(first + [group] + [None] * 11)
    ws.append([None] * len(first) + (months or [f"{m}月" for m in range(1, 13)]))
    for col in range(1, len(first) + 1):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + 11)
    for row in rows:
        ws.append(row)
    return wb


@time_machine.travel(NOW, tick=False)
class ScheduleTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def year_plan(self, project=None):
        return ProjectYearPlan.objects.get(project=project or self.ledger.project_a, year=2026)

    def test_changing_the_total_rescales_the_shape(self):
        project = self.ledger.project_a
        shape = [D(v) for v in (0, 0, 100, 200, 300, 400, 600, 800, 900, 1000, 1100, 1200)]
        with change_context(ChangeSource.SYSTEM, label="测试"):
            actions.do_set_year_plan(project, 2026, D("1200"), monthly=shape)
            actions.do_set_year_plan(project, 2026, D("2400"))
        self.assertEqual(self.year_plan().schedule(), [v * 2 for v in shape])

    def test_a_new_year_plan_is_spread_evenly(self):
        with change_context(ChangeSource.SYSTEM, label="测试"):
            plan = actions.do_set_year_plan(self.ledger.project_a, 2027, D("1200"))
        self.assertEqual(plan.schedule()[:3], [D("100.00"), D("200.00"), D("300.00")])

    def test_office_sets_monthly_amounts_on_the_project_page(self):
        project = self.ledger.project_a
        client = self.login(self.cast.office_admin)
        page = client.get(project.get_absolute_url())
        self.assertContains(page, "编辑2026年序时计划")
        months = {f"m{m}": "0" for m in range(1, 13)}
        months.update(m6="500", m9="700", m12="300")
        done = client.post(f"/projects/{project.pk}/schedule/", {"year": 2026, **months})
        self.assertRedirects(done, project.get_absolute_url())
        plan = self.year_plan()
        self.assertEqual(plan.planned_investment, D("1500"))
        self.assertEqual(plan.schedule()[4:], [D(v) for v in (0, 500, 500, 500, 1200, 1200,
                                                              1200, 1500)])
        self.assertContains(client.get(project.get_absolute_url()), "6月 500.00")

    def test_a_negative_month_is_refused_and_nothing_changes(self):
        project = self.ledger.project_a
        before = self.year_plan().monthly_cumulative
        client = self.login(self.cast.office_admin)
        done = client.post(f"/projects/{project.pk}/schedule/", {"year": 2026, "m3": "-5"},
                           follow=True)
        self.assertContains(done, "序时计划未保存：3月")
        self.assertEqual(self.year_plan().monthly_cumulative, before)

    def test_only_the_office_may_edit_the_schedule(self):
        project = self.ledger.project_a
        for user in (self.cast.reporter_a, self.cast.city_leader, self.cast.supervision):
            response = self.login(user).post(f"/projects/{project.pk}/schedule/",
                                             {"year": 2026, "m1": "1200"})
            self.assertEqual(response.status_code, 403, user)
        page = self.login(self.cast.reporter_a).get(project.get_absolute_url())
        self.assertNotContains(page, "编辑2026年序时计划")

    def test_import_reads_monthly_amounts_under_a_merged_schedule_group(self):
        project = self.ledger.project_b
        months = [0, 0, 100, 100, 200, 200, 200, 200, 100, 100, 0, 0]
        wb = schedule_workbook([[project.code, project.name, 1200, *months]])
        result = self._importer(wb).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        self.assertIn(f"第5行 {project.code}：修改序时计划", result.changes)
        self.assertEqual(self.year_plan(project).schedule(),
                         [D(v) for v in (0, 0, 100, 200, 400, 600, 800, 1000, 1100, 1200, 1200,
                                         1200)])

    def test_import_reads_cumulative_months_when_the_sheet_says_so(self):
        project = self.ledger.project_b
        cumulative = [0, 0, 100, 200, 400, 600, 800, 1000, 1100, 1200, 1200, 1500]
        wb = schedule_workbook([[project.code, project.name, *cumulative]],
                               group="2026年序时计划（累计，万元）", planned=False)
        result = self._importer(wb).run(apply=True)
        self.assertTrue(result.applied, [str(p) for p in result.problems])
        plan = self.year_plan(project)
        self.assertEqual((plan.planned_investment, plan.schedule()[-2]), (D("1500"), D("1200")))

    def test_months_that_do_not_add_up_to_the_year_plan_are_refused(self):
        project = self.ledger.project_b
        wb = schedule_workbook([[project.code, project.name, 1200, *([50] * 12)]])
        result = self._importer(wb).run(apply=True)
        self.assertFalse(result.applied)
        self.assertEqual([str(p) for p in result.problems], [
            "第5行 C列「年度计划投资」：年度计划投资1200.00万元与1—12月序时计划合计600.00万元不一致"])

    def _importer(self, wb):
        from projects.ledger_import import LedgerImporter

        return LedgerImporter(workbook_bytes(wb), user=self.cast.office_admin,
                              plan=self.cast.plan)


@time_machine.travel(NOW, tick=False)
class ImportCommandTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def run_command(self, rows, *args):
        wb = Workbook()
        ws = wb.active
        ws.append(["项目编号", "项目名称", "总投资", "责任人"])
        for row in rows:
            ws.append(row)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "台账.xlsx"
            wb.save(path)
            out = io.StringIO()
            try:
                call_command("import_ledger", str(path), "--plan", self.cast.plan.name, *args,
                             stdout=out)
                code = 0
            except CommandError as exc:
                code = exc.returncode
        return code, out.getvalue().splitlines()

    def test_problems_are_printed_one_per_line_with_their_place_and_exit_1(self):
        a, b = self.ledger.project_a, self.ledger.project_b
        code, lines = self.run_command([[a.code, a.name, "约3亿", "王五"],
                                        [b.code, b.name, 8000, None]],
                                       "--apply", "--user", "office_admin")
        self.assertEqual(code, 1)
        self.assertEqual(lines, ["第2行 C列「总投资」：'约3亿' 不是数字",
                                 "提示：第2行 D列「责任人」：人员目录中没有“王五”，已作为责任人姓名保存，"
                                 "可稍后在项目页关联人员"])
        a.refresh_from_db()
        self.assertEqual(a.responsible_name, "")   # nothing applied

    def test_a_clean_file_previews_then_applies_with_exit_0(self):
        a = self.ledger.project_a
        code, lines = self.run_command([[a.code, a.name, 15000, None]], "--plan",
                                       str(self.cast.plan.pk))
        self.assertEqual(code, 0)
        self.assertEqual(lines[-1], "预览（未导入，加 --apply 导入）：共1行项目数据，新建0个，修改1个，"
                                    "填报进度0个。")
        a.refresh_from_db()
        self.assertEqual(a.total_investment, D("12000"))
        code, lines = self.run_command([[a.code, a.name, 15000, None]], "--apply",
                                       "--user", "office_admin")
        self.assertEqual((code, lines[-1][:4]), (0, "已导入："))
        a.refresh_from_db()
        self.assertEqual(a.total_investment, D("15000"))

    def test_the_user_scope_applies(self):
        b = self.ledger.project_b
        code, lines = self.run_command([[b.code, b.name, 9000, None]], "--user", "reporter_a")
        self.assertEqual(code, 1)
        self.assertEqual(lines, [f"第2行 A列「项目编号」：项目编号“{b.code}”不存在或无权导入"])

    def test_unknown_plan_or_user(self):
        with self.assertRaisesMessage(CommandError, "计划“无此计划”不存在"):
            call_command("import_ledger", __file__, "--plan", "无此计划", stdout=io.StringIO())
        self.assertFalse(Project.objects.filter(name="").exists())
