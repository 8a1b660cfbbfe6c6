"""A published evaluation keeps the scheme version it used: a new version changes neither
its scores nor its page nor its export; a new evaluation uses the new version. Scores are
numbers from the facts to the sheet."""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone
from openpyxl import load_workbook

from evaluation import actions
from evaluation import models as evaluation_models
from evaluation.choices import Fact, Formula
from evaluation.models import ItemScore, ScoreFact, UnitScore
from evaluation.presets import preset_scheme
from evaluation.validation import ItemSpec
from projects.actions import do_submit_report
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

D = Decimal
# Investment now weighs 30, milestones 60: a version that would move every total.
REWEIGHTED = [ItemSpec(Fact.INVESTMENT, Formula.RATIO, D(30), {"cap": D(1)}),
              ItemSpec(Fact.MILESTONES, Formula.RATIO, D(60), {"cap": D(1)}),
              ItemSpec(Fact.REPORTS, Formula.RATIO, D(10), {"cap": D(1)})]


def section(response, testid) -> str:
    """One data-testid section of a page, without the per-request parts around it."""
    html = response.content.decode()
    start = html.index(f'<section data-testid="{testid}">')
    return html[start:html.index("</section>", start)]


def sheet(response) -> list[tuple]:
    return [tuple(c.value for c in row)
            for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]


@on_mid_may_2026
class PublishedResultTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        do_submit_report(cls.ledger.project_b, acting_user=cls.cast.reporter_b,
                         investment_period=D("700"), progress_percent=40)
        cls.office = cls.cast.office_admin
        cls.scheme = preset_scheme("investment_led", acting_user=cls.office)
        cls.v1 = cls.scheme.current_version
        today = timezone.localdate()
        cls.period = {"period_start": today - timedelta(days=200), "period_end": today}
        cls.evaluation = actions.do_create_evaluation(scheme=cls.scheme, **cls.period,
                                                      acting_user=cls.office)
        actions.do_compute(cls.evaluation, acting_user=cls.office)

    def publish_new_version(self):
        draft = actions.do_start_draft(self.scheme, acting_user=self.office)
        actions.do_save_draft(draft, total_points=100, bonus_cap=2, deduction_cap=2,
                              items=REWEIGHTED, acting_user=self.office)
        return actions.do_publish_version(draft, acting_user=self.office)

    def snapshot(self):
        """The published result as every reader gets it: rows, pages and the sheet."""
        self.client.force_login(self.office)
        scores = UnitScore.objects.filter(evaluation=self.evaluation).order_by("unit")
        return {
            "rows": [(s.unit_id, s.base, s.adjustment, s.total, s.rank,
                      [(i.item_id, i.points, i.value) for i in s.item_scores.all()])
                     for s in scores],
            "page": section(self.client.get(self.evaluation.get_absolute_url()),
                            "evaluation-result"),
            "scores": [section(self.client.get(s.get_absolute_url()), "score-result")
                       for s in scores],
            "sheet": sheet(self.client.get(f"/evaluation/{self.evaluation.pk}/export.xlsx")),
        }

    def test_a_new_version_never_changes_a_published_result(self):
        actions.do_publish(self.evaluation, acting_user=self.office)
        before = self.snapshot()
        v2 = self.publish_new_version()
        self.evaluation.refresh_from_db()
        self.assertEqual(self.evaluation.version, self.v1)
        self.assertEqual(self.snapshot(), before)
        self.assertIn("投资导向考评（投资60、形象进度30、报送10） 第1版", before["page"])
        # A new evaluation of the same period uses the new version, and it shows.
        newer = actions.do_create_evaluation(scheme=self.scheme, **self.period,
                                             acting_user=self.office)
        actions.do_compute(newer, acting_user=self.office)
        self.assertEqual(newer.version, v2)
        self.assertEqual(set(ItemScore.objects.filter(score__evaluation=newer)
                             .values_list("item__version", flat=True)), {v2.pk})
        old_b = UnitScore.objects.get(evaluation=self.evaluation, unit=self.cast.unit_b)
        new_b = UnitScore.objects.get(evaluation=newer, unit=self.cast.unit_b)
        self.assertNotEqual(old_b.total, new_b.total)

    def test_an_unpublished_evaluation_follows_the_current_version(self):
        v2 = self.publish_new_version()
        self.client.force_login(self.office)
        self.assertContains(self.client.get(self.evaluation.get_absolute_url()),
                            f"方案已发布{v2}，重新计算将按新版本计分。")
        actions.do_compute(self.evaluation, acting_user=self.office)
        self.evaluation.refresh_from_db()
        self.assertEqual(self.evaluation.version, v2)

    def test_the_export_writes_points_as_numbers(self):
        self.client.force_login(self.office)
        response = self.client.get(f"/evaluation/{self.evaluation.pk}/export.xlsx")
        ws = load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in ws[3]]
        self.assertEqual(header[:3], ["分组", "名次", "单位"])
        self.assertEqual(header[-3:], ["基本分", "加减分", "总分"])
        stored = {s.unit.name: s for s in UnitScore.objects.filter(evaluation=self.evaluation)}
        for row in ws.iter_rows(min_row=4):
            score = stored[row[2].value]
            if row[1].value == "不参评":  # nothing due on any item: no points to write
                self.assertIsNone(score.rank)
                self.assertEqual([c.value for c in row[3:]], [None] * len(row[3:]))
                continue
            points = {i.item.pk: i.points for i in score.item_scores.select_related("item")}
            expected = [*(points[i.pk] for i in self.v1.items.all()), score.base,
                        score.adjustment, score.total]
            for cell, value in zip(row[3:], expected, strict=True):
                if value is None:  # nothing of the item due: a blank cell, not "—"
                    self.assertIsNone(cell.value)
                    continue
                self.assertEqual(cell.data_type, "n", cell.coordinate)
                self.assertEqual(D(str(cell.value)), value, cell.coordinate)
            self.assertEqual(row[1].data_type, "n")

    def test_scores_are_stored_as_numbers_not_text(self):
        score = UnitScore.objects.filter(evaluation=self.evaluation).first()
        for value in (score.base, score.total, *[i.points for i in score.item_scores.all()
                                                 if i.points is not None]):
            self.assertIsInstance(value, Decimal)
        # No score, weight or parameter is kept in a JSON blob (text parsed back later).
        for model in (evaluation_models.SchemeItem, evaluation_models.ItemParameter,
                      UnitScore, ItemScore, ScoreFact):
            self.assertFalse([f.name for f in model._meta.fields
                              if isinstance(f, models.JSONField)], model)


class ListQueryTests(CastTestCase):
    """The lists read a fixed number of queries, however many evaluations and schemes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.office = cls.cast.office_admin

    def queries(self, url) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.office)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def add(self, key, n):
        scheme = preset_scheme(key, acting_user=self.office)
        for i in range(n):
            actions.do_create_evaluation(scheme=scheme, period_start=date(2026, 1, 1),
                                         period_end=date(2026, 6, 30), name=f"考评{key}{i}",
                                         acting_user=self.office)

    def test_lists_do_not_grow_queries_with_rows(self):
        self.add("investment_led", 1)
        few = (self.queries("/evaluation/"), self.queries("/evaluation/schemes/"))
        self.add("comprehensive", 3)
        self.assertEqual((self.queries("/evaluation/"), self.queries("/evaluation/schemes/")),
                         few)
