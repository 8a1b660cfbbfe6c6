"""Investment is compared with 序时 on the day the reported figure refers to.

A report's 年度累计完成投资 is a figure as of its period's end; the status engine takes 序时
on that same day (the end of the latest period that is closed or already filed), so the
days since the last report are not counted as lag, and in the first days of January the
figures on the table are still last year's.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine

from core.choices import ChangeSource
from core.history import change_context
from plans import actions as plan_actions
from projects import actions, engine
from projects.choices import Colour, Stage
from projects.models import ProjectStatus
from tests.base import SHANGHAI, CastTestCase

# The weekly periods start on Mondays (the default anchor 2024-01-01) and are due on
# Friday at 17:00. 2026-12-28 is a Monday; 2027-01-01 a Friday; 2027-01-04 a Monday.


class InvestmentDateTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)), \
                change_context(ChangeSource.SYSTEM, label="测试数据"):
            category = plan_actions.do_add_taxonomy(cls.cast.plan, "category", code="JC",
                                                    name="重大基础设施")
            cls.project = actions.do_create_project(
                plan=cls.cast.plan, category=category, name="甲路综合改造工程",
                lead_unit=cls.cast.unit_a, total_investment=Decimal("50000"),
                start_date=date(2025, 6, 1), finish_date=date(2027, 12, 31),
                stage=Stage.CONSTRUCTION)
            actions.do_set_year_plan(cls.project, 2026, Decimal("12000"))  # 1,000 a month
            actions.do_set_year_plan(cls.project, 2027, Decimal("12000"))

    def file(self, period_start, cumulative):
        actions.do_submit_report(self.project, acting_user=None, period_start=period_start,
                                 investment_year_cumulative=Decimal(cumulative),
                                 progress_text="主体施工", progress_percent=40)

    def status(self, today):
        engine.recompute(type(self.project).objects.filter(pk=self.project.pk), today=today)
        return ProjectStatus.objects.get(project=self.project)

    def investment_reasons(self, status):
        return status.reasons.get("investment", [])

    @time_machine.travel(datetime(2027, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_early_january_still_reads_last_years_figures(self):
        # Last year ended 4,000 behind its 12,000 plan; nothing of 2027 is due yet (the
        # period starting 2026-12-28 belongs to 2026 and is due on 2027-01-01).
        self.file(date(2026, 12, 21), "8000")
        status = self.status(date(2027, 1, 2))
        self.assertEqual(status.investment, Colour.RED)
        reason = self.investment_reasons(status)[0]
        self.assertIn("截至2026年12月31日", reason)
        self.assertIn("落后序时进度（100.0%）33.3个百分点", reason)

    @time_machine.travel(datetime(2027, 1, 9, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_once_a_period_of_the_new_year_is_due_the_new_year_counts(self):
        self.file(date(2026, 12, 21), "8000")
        self.file(date(2027, 1, 4), "200")  # the first week of 2027, on time
        status = self.status(date(2027, 1, 9))
        # 序时 on Saturday 2027-01-09 is 1000 × 9/31 = 290.32: 0.8 points behind.
        self.assertEqual(status.investment, Colour.GREEN)
        self.assertEqual(self.investment_reasons(status), [])

    @time_machine.travel(datetime(2026, 6, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_days_since_the_last_report_are_not_lag(self):
        # Thursday 4 June: the last closed period is 25–31 May, reported at 3,850 against
        # 序时 of 5,000 on 31 May: 9.6 points behind, green. Against today's 序时 (5,133.33)
        # it would read 10.7 points and turn yellow for days nobody has reported yet.
        self.file(date(2026, 5, 25), "3850")
        status = self.status(date(2026, 6, 4))
        self.assertEqual(status.investment, Colour.GREEN)

    @time_machine.travel(datetime(2026, 6, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_a_report_filed_this_week_counts_at_once(self):
        self.file(date(2026, 5, 25), "1000")
        self.assertEqual(self.status(date(2026, 6, 4)).investment, Colour.RED)
        self.file(date(2026, 6, 1), "5100")  # this week's, before Friday's deadline
        status = self.status(date(2026, 6, 4))
        self.assertEqual(status.investment, Colour.GREEN)
        self.assertEqual(ProjectStatus.objects.get(project=self.project).as_of,
                         date(2026, 6, 4))

    @time_machine.travel(datetime(2026, 6, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_a_past_day_is_judged_with_what_was_known_then(self):
        self.file(date(2026, 5, 4), "1000")
        self.file(date(2026, 5, 25), "5000")
        # On Saturday 9 May the latest closed period was 4–10 May (due 8 May): 1,000
        # against a 序时 of 4,290.32 that day (never a day after the one judged) — 27.4
        # points behind, yellow. The report for 25 May did not exist yet.
        status = self.status(date(2026, 5, 9))
        self.assertEqual(status.investment, Colour.YELLOW)
        self.assertIn("截至2026年5月9日", self.investment_reasons(status)[0])
        self.assertIn("27.4个百分点", self.investment_reasons(status)[0])
        self.assertEqual(self.status(date(2026, 6, 4) - timedelta(days=1)).investment,
                         Colour.GREEN)
