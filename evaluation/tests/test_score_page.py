"""What a unit checks on its score page: the rules in words, figures as money and
percentages, and 不参评 for a unit with nothing due."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from evaluation import actions
from evaluation.choices import Fact, Formula
from evaluation.formulas import formula_sentence
from evaluation.models import UnitScore
from evaluation.presets import preset_scheme
from projects.actions import do_submit_report
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


class SentenceTests(CastTestCase):
    def test_each_formula_reads_with_its_parameters(self):
        self.assertEqual(formula_sentence(Fact.REPORTS, Formula.RATIO, Decimal(10),
                                          {"cap": Decimal(1)}),
                         "按时报送率×满分（10分），超过100%不加分")
        self.assertEqual(formula_sentence(Fact.REPORTS, Formula.PER_OCCURRENCE, Decimal(10),
                                          {"per_item": Decimal("0.5"), "cap": Decimal(10)}),
                         "满分（10分）起扣：迟报或漏报一期扣0.5分，最多扣完")
        self.assertIn("最多扣4分", formula_sentence(
            Fact.MILESTONES, Formula.PER_OCCURRENCE, Decimal(10),
            {"per_item": Decimal(1), "cap": Decimal(4)}))
        self.assertEqual(formula_sentence(Fact.INVESTMENT, Formula.PER_POINT, Decimal(30), {
            "baseline": Decimal(90), "per_point": Decimal("0.5"), "floor": Decimal(0)}),
            "投资完成率以90%为基准得满分（30分），每低1个百分点扣0.5分，高于基准不加分，最低0分")
        self.assertIn("第一名得满分（10分），每低一名减2分", formula_sentence(
            Fact.ACTION_ITEMS, Formula.RANK, Decimal(10), {"step": Decimal(2)}))


@on_mid_may_2026
class ScorePageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        do_submit_report(cls.ledger.project_b, acting_user=cls.cast.reporter_b,
                         investment_period=Decimal("1150"), progress_percent=40)
        cls.office = cls.cast.office_admin
        today = timezone.localdate()
        cls.evaluation = actions.do_create_evaluation(
            scheme=preset_scheme("investment_led", acting_user=cls.office),
            period_start=today - timedelta(days=200), period_end=today, acting_user=cls.office)
        actions.do_compute(cls.evaluation, acting_user=cls.office)
        cls.scores = {s.unit.name: s for s in UnitScore.objects.filter(evaluation=cls.evaluation)}

    def page(self, url):
        self.client.force_login(self.office)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_score_page_states_each_formula_in_words(self):
        score = self.scores["乙局"]
        page = self.page(score.get_absolute_url())
        for item in self.evaluation.version.items.all():
            self.assertIn(item.sentence, page)
        self.assertIn("按时报送率×满分", page)

    def test_money_and_percentages_are_formatted(self):
        page = self.page(self.scores["乙局"].get_absolute_url())
        self.assertIn("1,150.00万元", page)  # money: 2 places, thousands separated
        self.assertIn("919.36万元", page)
        self.assertRegex(page, r">\d{1,3}\.\d%<")  # a rate: 1 place
        self.assertIsNone(re.search(r"\d\.\d{3,}", page), "a long decimal on the page")

    def test_a_unit_with_nothing_due_is_not_ranked(self):
        town = self.scores["丙街道"]
        self.assertIsNone(town.rank)
        ranking = self.page(self.evaluation.get_absolute_url())
        row = re.search(r'<tr data-testid="not-taking-part">(.*?)</tr>', ranking).group(1)
        self.assertIn("不参评", row)
        self.assertIn("丙街道", row)
        page = self.page(town.get_absolute_url())
        self.assertIn("丙街道：不参评", page)
        self.assertNotIn("第None名", page)
