"""加减分 on the evaluation page: through a form whose unit is one the office may see and rank."""

from datetime import date

from django.contrib.messages import get_messages

from evaluation import actions
from evaluation.models import Adjustment
from evaluation.presets import preset_scheme
from tests.base import CastTestCase


class AdjustPageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.evaluation = actions.do_create_evaluation(
            scheme=preset_scheme("investment_led", acting_user=cls.cast.office_admin),
            period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
            acting_user=cls.cast.office_admin)

    def post(self, **data):
        self.client.force_login(self.cast.office_admin)
        response = self.client.post(self.evaluation.get_absolute_url(),
                                    {"step": "adjust", "points": "2", "reason": "省级通报表扬",
                                     **data})
        self.assertRedirects(response, self.evaluation.get_absolute_url(),
                             fetch_redirect_response=False)
        return [str(m) for m in get_messages(response.wsgi_request)]

    def test_the_office_adjusts_a_ranked_unit(self):
        self.assertEqual(self.post(unit=self.cast.unit_a.pk, evidence="示政〔2026〕1号"),
                         ["已记录加减分，请重新计算。"])
        adjustment = Adjustment.objects.get()
        self.assertEqual((adjustment.unit, adjustment.points, adjustment.evidence),
                         (self.cast.unit_a, 2, "示政〔2026〕1号"))

    def test_units_outside_the_ranking_or_archived_and_bad_numbers_are_refused(self):
        gone = self.cast.unit_b
        gone.archive()
        for data in ({"unit": self.cast.community.pk}, {"unit": gone.pk}, {"unit": "x"},
                     {"unit": str(2**70)}, {"unit": self.cast.unit_a.pk, "points": "abc"}):
            with self.subTest(data=data):
                message = self.post(**data)[-1]  # earlier ones stay queued (no redirect followed)
                self.assertTrue(message.startswith(("单位：", "分数（正加负减）：")), message)
        self.assertFalse(Adjustment.objects.exists())

    def test_the_page_offers_the_ranked_units(self):
        self.client.force_login(self.cast.office_admin)
        units = self.client.get(self.evaluation.get_absolute_url()).context["units"]
        self.assertEqual(set(units), {self.cast.unit_a, self.cast.unit_b, self.cast.town})
