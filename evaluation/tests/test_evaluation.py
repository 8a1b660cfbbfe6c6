"""Evaluations computed from the facts, ranked per group, explained, published and frozen."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from evaluation import actions
from evaluation.choices import Fact, Formula
from evaluation.models import ItemScore, UnitScore
from evaluation.presets import PRESETS, preset_scheme
from evaluation.validation import ItemSpec
from projects.actions import do_complete_milestone, do_submit_report
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


def item(score, fact) -> ItemScore:
    return next(i for i in score.item_scores.select_related("item") if i.item.fact == fact)


@on_mid_may_2026
class EvaluationTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        today = timezone.localdate()
        # Unit B reports 1,150 on project B today. Each project's 序时 share is taken on the
        # day its figure refers to: project B's on 20 May (400 + 100 × 20/31 = 464.52), the
        # unreported shared project's on 17 May, the end of the last period closed
        # (454.84) — 919.36 of the 2,400 planned for the year.
        do_submit_report(cls.ledger.project_b, acting_user=cls.cast.reporter_b,
                         investment_period=Decimal("1150"), progress_percent=40)
        cls.office = cls.cast.office_admin
        cls.scheme = preset_scheme("investment_led", acting_user=cls.office)
        cls.evaluation = actions.do_create_evaluation(
            scheme=cls.scheme, period_start=today - timedelta(days=200), period_end=today,
            acting_user=cls.office)

    def compute(self, evaluation=None):
        evaluation = evaluation or self.evaluation
        actions.do_compute(evaluation, acting_user=self.office)
        return {s.unit.name: s for s in UnitScore.objects.filter(evaluation=evaluation)}

    def test_scores_explain_themselves(self):
        scores = self.compute()
        a, b = scores["甲局"], scores["乙局"]
        inv_b = item(b, Fact.INVESTMENT)
        self.assertEqual((inv_b.achieved, inv_b.target), (Decimal("1150"), Decimal("919.36")))
        self.assertEqual(inv_b.points, Decimal("60.00"))  # ahead of 序时: full, capped
        self.assertEqual({f.object_id for f in inv_b.facts.all()},
                         {self.ledger.project_b.pk, self.ledger.project_shared.pk})
        self.assertEqual(item(a, Fact.INVESTMENT).points, Decimal("0.00"))
        milestones_a = item(a, Fact.MILESTONES)  # one due, met on time: counted, not listed
        self.assertEqual((milestones_a.achieved, milestones_a.target, milestones_a.late),
                         (1, 1, 0))
        self.assertFalse(milestones_a.facts.exists())
        self.assertGreater(b.total, a.total)
        self.assertEqual((b.rank, a.rank), (1, 2))
        town = scores["丙街道"]  # nothing of the town was due: listed as 不参评, not ranked
        self.assertIsNone(town.rank)
        self.assertFalse(town.takes_part)

    def test_adjustments_are_capped(self):
        actions.do_adjust(self.evaluation, unit=self.cast.unit_a, points=4, reason="省级通报表扬",
                          evidence="示政〔2024〕1号", acting_user=self.office)
        actions.do_adjust(self.evaluation, unit=self.cast.unit_a, points=4, reason="市级表扬",
                          acting_user=self.office)
        actions.do_adjust(self.evaluation, unit=self.cast.unit_b, points=-30, reason="通报批评",
                          acting_user=self.office)
        scores = self.compute()
        self.assertEqual(scores["甲局"].adjustment, Decimal("5"))    # bonus cap
        self.assertEqual(scores["乙局"].adjustment, Decimal("-10"))  # deduction cap
        self.assertEqual(scores["甲局"].total, scores["甲局"].base + 5)

    def test_units_see_only_their_own_until_published(self):
        self.compute()
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.evaluation.get_absolute_url())
        names = [s.unit.name for g in page.context["groups"].values() for s in g]
        self.assertEqual(names, ["甲局"])
        other = UnitScore.objects.get(evaluation=self.evaluation, unit=self.cast.unit_b)
        self.assertEqual(self.client.get(other.get_absolute_url()).status_code, 404)
        with self.assertRaises(PermissionDenied):
            actions.do_publish(self.evaluation, acting_user=self.cast.reporter_a)
        actions.do_publish(self.evaluation, acting_user=self.office)
        page = self.client.get(self.evaluation.get_absolute_url())
        names = {s.unit.name for g in page.context["groups"].values() for s in g}
        self.assertIn("乙局", names)
        self.assertContains(self.client.get(other.get_absolute_url()), "投资完成率（对序时计划）")
        with self.assertRaises(ValidationError):  # frozen
            actions.do_compute(self.evaluation, acting_user=self.office)

    def test_frozen_scores_do_not_follow_new_data(self):
        self.compute()
        actions.do_publish(self.evaluation, acting_user=self.office)
        before = UnitScore.objects.get(evaluation=self.evaluation, unit=self.cast.unit_a).total
        do_complete_milestone(self.ledger.milestone_a2, timezone.localdate(),
                              acting_user=self.cast.reporter_a)
        self.assertEqual(UnitScore.objects.get(evaluation=self.evaluation,
                                               unit=self.cast.unit_a).total, before)

    def test_export(self):
        self.compute()
        self.client.force_login(self.office)
        response = self.client.get(f"/evaluation/{self.evaluation.pk}/export.xlsx")
        ws = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(ws["A3"].value, "分组")
        rows = {ws.cell(r, 3).value: ws.cell(r, 2).value for r in range(4, ws.max_row + 1)}
        self.assertEqual(rows, {"甲局": 2, "乙局": 1, "丙街道": "不参评"})

    def test_weights_add_up_to_100_in_both_presets(self):
        for preset in PRESETS.values():
            self.assertEqual(sum(points for _, points, _, _ in preset["items"]), 100)

    def test_rank_based_item(self):
        draft = actions.do_start_draft(self.scheme, acting_user=self.office)
        actions.do_save_draft(draft, total_points=10, bonus_cap=2, deduction_cap=2,
                              items=[ItemSpec(Fact.INVESTMENT, Formula.RANK, Decimal(10),
                                              {"step": Decimal(3)})], acting_user=self.office)
        actions.do_publish_version(draft, acting_user=self.office)
        scores = self.compute()
        self.assertEqual(scores["乙局"].total, Decimal("10"))  # best completion in the group
        self.assertEqual(scores["甲局"].total, Decimal("7"))   # second: −3
        self.assertEqual(item(scores["甲局"], Fact.INVESTMENT).place, 2)

    def test_a_unit_that_never_reported_scores_0_on_reporting(self):
        a = self.compute()["甲局"]
        # A filed no report for the weeks its project owed: those are 未报送, not "nothing
        # due" — investment 0/60, milestones 30/30, reports 0/10 → 30.
        reports = item(a, Fact.REPORTS)
        self.assertEqual((reports.points, reports.achieved), (Decimal("0.00"), 0))
        self.assertGreater(reports.target, 0)
        self.assertEqual(reports.late, reports.target)
        self.assertEqual(a.base, Decimal("30.00"))
        self.client.force_login(self.office)
        page = self.client.get(a.get_absolute_url()).content.decode()
        self.assertNotIn("本期无此项考评内容", page)
