"""Schemes computed from the facts, ranked per group, explained, published and frozen."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from evaluation import actions
from evaluation.models import UnitScore
from projects.actions import do_complete_milestone, do_submit_report
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class EvaluationTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        today = timezone.localdate()
        # Unit B catches up on investment (1,150 of 1,200 planned for project B).
        do_submit_report(cls.ledger.project_b, acting_user=cls.cast.reporter_b,
                         investment_period=Decimal("1150"), progress_percent=40)
        cls.scheme = actions.do_create_scheme(
            preset="investment_led", period_start=today - timedelta(days=200), period_end=today,
            acting_user=cls.cast.office_admin)

    def compute(self):
        actions.do_compute(self.scheme, acting_user=self.cast.office_admin)
        return {s.unit.name: s for s in UnitScore.objects.filter(scheme=self.scheme)}

    def test_scores_explain_themselves(self):
        scores = self.compute()
        a, b = scores["甲局"], scores["乙局"]
        inv_b = next(r for r in b.items if r["fact"] == "investment")
        # B: 1,150 of (1,200 + 1,200) planned on its two projects → 60 × 47.9 % = 28.75.
        self.assertEqual(Decimal(inv_b["points"]), Decimal("28.75"))
        self.assertEqual(set(inv_b["ids"]["projects"]),
                         {self.ledger.project_b.pk, self.ledger.project_shared.pk})
        inv_a = next(r for r in a.items if r["fact"] == "investment")
        self.assertEqual(Decimal(inv_a["points"]), Decimal("0.00"))
        milestones_a = next(r for r in a.items if r["fact"] == "milestones")
        self.assertEqual(milestones_a["ids"]["on_time"], [self.ledger.milestone_a1.pk])
        self.assertGreater(b.total, a.total)
        self.assertEqual((b.rank, a.rank), (1, 2))
        self.assertNotIn("丙街道", scores)  # nothing of the town was due: not ranked

    def test_adjustments_are_capped(self):
        actions.do_adjust(self.scheme, unit=self.cast.unit_a, points=4, reason="省级通报表扬",
                          evidence="示政〔2024〕1号", acting_user=self.cast.office_admin)
        actions.do_adjust(self.scheme, unit=self.cast.unit_a, points=4, reason="市级表扬",
                          acting_user=self.cast.office_admin)
        actions.do_adjust(self.scheme, unit=self.cast.unit_b, points=-30, reason="通报批评",
                          acting_user=self.cast.office_admin)
        scores = self.compute()
        self.assertEqual(scores["甲局"].adjustment, Decimal("5"))    # bonus cap
        self.assertEqual(scores["乙局"].adjustment, Decimal("-10"))  # deduction cap
        self.assertEqual(scores["甲局"].total, scores["甲局"].base + 5)

    def test_units_see_only_their_own_until_published(self):
        self.compute()
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.scheme.get_absolute_url())
        names = [s.unit.name for g in page.context["groups"].values() for s in g]
        self.assertEqual(names, ["甲局"])
        other = UnitScore.objects.get(scheme=self.scheme, unit=self.cast.unit_b)
        self.assertEqual(self.client.get(f"/evaluation/scores/{other.pk}/").status_code, 404)
        with self.assertRaises(PermissionDenied):
            actions.do_publish(self.scheme, acting_user=self.cast.reporter_a)
        actions.do_publish(self.scheme, acting_user=self.cast.office_admin)
        page = self.client.get(self.scheme.get_absolute_url())
        names = {s.unit.name for g in page.context["groups"].values() for s in g}
        self.assertIn("乙局", names)
        self.assertContains(self.client.get(f"/evaluation/scores/{other.pk}/"), "年度投资完成率")
        with self.assertRaises(ValidationError):  # frozen
            actions.do_compute(self.scheme, acting_user=self.cast.office_admin)

    def test_frozen_scores_do_not_follow_new_data(self):
        self.compute()
        actions.do_publish(self.scheme, acting_user=self.cast.office_admin)
        before = UnitScore.objects.get(scheme=self.scheme, unit=self.cast.unit_a).total
        do_complete_milestone(self.ledger.milestone_a2, timezone.localdate(),
                              acting_user=self.cast.reporter_a)
        self.assertEqual(UnitScore.objects.get(scheme=self.scheme, unit=self.cast.unit_a).total,
                         before)

    def test_export(self):
        self.compute()
        self.client.force_login(self.cast.office_admin)
        response = self.client.get(f"/evaluation/{self.scheme.pk}/export.xlsx")
        ws = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(ws["A2"].value, "分组")
        self.assertEqual({ws.cell(r, 3).value for r in range(3, ws.max_row + 1)},
                         {"甲局", "乙局"})

    def test_weights_add_up_to_100_in_both_presets(self):
        from evaluation.presets import PRESETS

        for preset in PRESETS.values():
            self.assertEqual(sum(points for _, points, _, _ in preset["items"]), 100)

    def test_rank_based_item(self):
        from evaluation.models import SchemeItem

        SchemeItem.objects.filter(scheme=self.scheme).delete()
        SchemeItem.objects.create(scheme=self.scheme, fact="investment", points=10,
                                  formula="rank", params={"step": 3})
        scores = self.compute()
        self.assertEqual(scores["乙局"].total, Decimal("10"))  # best completion in the group
        self.assertEqual(scores["甲局"].total, Decimal("7"))   # second: −3
        row = scores["甲局"].items[0]
        self.assertIn("组内第2名", row["detail"])

    def test_items_without_facts_are_scaled_not_gifted(self):
        scores = self.compute()
        a = scores["甲局"]
        # A: investment 0/60, milestones due 1 on time → 30/30, no reports due →
        # (0 + 30) / 90 × 100 = 33.33; the reports row shows "—".
        self.assertEqual(a.base, Decimal("33.33"))
        reports = next(r for r in a.items if r["fact"] == "reports")
        self.assertEqual(reports["points"], "—")
