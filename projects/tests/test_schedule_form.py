"""The 序时 form of the project page refuses an all-blank year rather than saving 0.

"Now" is Wednesday 2026-05-20 10:00 in Beijing."""

from decimal import Decimal

from projects.models import ProjectYearPlan
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class ScheduleFormTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def plan(self):
        return ProjectYearPlan.objects.get(project=self.ledger.project_a, year=2026)

    def test_every_month_blank_is_refused_and_the_plan_kept(self):
        project = self.ledger.project_a
        client = self.login(self.cast.office_admin)
        done = client.post(f"/projects/{project.pk}/schedule/", {"year": 2026}, follow=True)
        self.assertContains(done, "序时计划未保存：1—12月计划均为空，未保存（年度计划投资为0时请填写0）。")
        self.assertEqual(self.plan().planned_investment, Decimal("1200.00"))

    def test_zeros_written_out_set_a_year_plan_of_zero(self):
        project = self.ledger.project_a
        client = self.login(self.cast.office_admin)
        client.post(f"/projects/{project.pk}/schedule/", {"year": 2026, "m1": "0"})
        self.assertEqual(self.plan().planned_investment, Decimal("0.00"))
