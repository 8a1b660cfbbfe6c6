"""Publishing refuses a result the page no longer matches: recompute first.

An adjustment recorded after computing is listed on the page at once; published as it
was, the frozen ranking would leave it out for good.
"""

from datetime import date

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from evaluation import actions
from evaluation.choices import EvaluationStatus
from evaluation.models import UnitScore
from evaluation.presets import preset_scheme
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class StalePublishTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_ledger(cls.cast)  # units with nothing to score are not ranked
        cls.office = cls.cast.office_admin
        cls.evaluation = actions.do_create_evaluation(
            scheme=preset_scheme("investment_led", acting_user=cls.office),
            period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), acting_user=cls.office)
        actions.do_compute(cls.evaluation, acting_user=cls.office)

    def adjust(self):
        actions.do_adjust(self.evaluation, unit=self.cast.unit_a, points="2",
                          reason="省级通报表扬", acting_user=self.office)

    def test_an_adjustment_after_computing_blocks_publishing(self):
        self.adjust()
        with self.assertRaisesMessage(ValidationError, "计算后加减分有变动，请先重新计算再公布。"):
            actions.do_publish(self.evaluation, acting_user=self.office)
        self.evaluation.refresh_from_db()
        self.assertEqual(self.evaluation.status, EvaluationStatus.COMPUTED)

    def test_recomputing_includes_it_and_then_publishes(self):
        self.adjust()
        actions.do_compute(self.evaluation, acting_user=self.office)
        actions.do_publish(self.evaluation, acting_user=self.office)
        score = UnitScore.objects.get(evaluation=self.evaluation, unit=self.cast.unit_a)
        self.assertEqual(score.adjustment, 2)

    def test_an_adjustment_withdrawn_after_computing_blocks_it_too(self):
        self.adjust()
        actions.do_compute(self.evaluation, acting_user=self.office)
        self.evaluation.adjustments.get().archive()
        with self.assertRaisesMessage(ValidationError, "计算后加减分有变动"):
            actions.do_publish(self.evaluation, acting_user=self.office)

    def test_the_page_says_so_and_the_publish_button_answers_with_a_message(self):
        self.adjust()
        client = self.login(self.office)
        url = self.evaluation.get_absolute_url()
        self.assertContains(client.get(url),
                            "计算后加减分有变动，请重新计算后再公布。")
        response = client.post(url, {"step": "publish"})
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.assertEqual([str(m) for m in get_messages(response.wsgi_request)],
                         ["计算后加减分有变动，请先重新计算再公布。"])
        self.evaluation.refresh_from_db()
        self.assertFalse(self.evaluation.is_published)

    def test_a_running_period_computed_on_an_earlier_day_must_be_recomputed(self):
        running = actions.do_create_evaluation(
            scheme=self.evaluation.scheme, period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30), acting_user=self.office)
        actions.do_compute(running, acting_user=self.office)
        running.refresh_from_db()
        running.facts_as_of = date(2026, 5, 19)  # computed yesterday
        running.save()
        with self.assertRaisesMessage(ValidationError, "结果按2026-05-19的数据计算"):
            actions.do_publish(running, acting_user=self.office)

    def test_an_up_to_date_result_publishes(self):
        actions.do_publish(self.evaluation, acting_user=self.office)
        self.evaluation.refresh_from_db()
        self.assertTrue(self.evaluation.is_published)
