"""An issued correction voids the bulletin it corrects (原通报同时废止): the original stays
frozen as it was, but its rectification requests are no longer owed, reminded, shown on
the 工作台 or counted for evaluation, and a unit named in both is counted as named once."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from notify.models import Notification
from supervision import actions, panels
from supervision.facts import rectifications_by_unit
from supervision.models import Bulletin, EscalationStep, Rectification
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class CorrectionVoidsTheOriginalTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # lines for 甲局 and 乙局
        today, bureau = timezone.localdate(), cls.cast.supervision
        cls.deadline = today + timedelta(days=2)
        cls.original = actions.do_issue_bulletin(
            actions.do_draft_bulletin(period_start=date(2026, 1, 1), period_end=today,
                                      acting_user=bureau),
            rectification_deadline=cls.deadline, acting_user=bureau)
        cls.correction = actions.do_issue_bulletin(
            actions.do_correct_bulletin(cls.original, acting_user=bureau),
            rectification_deadline=cls.deadline, acting_user=bureau)

    def test_only_the_correction_is_in_force(self):
        self.assertEqual(list(Bulletin.objects.in_force()), [self.correction])
        self.assertEqual(self.original.superseded_by, self.correction)
        self.assertIsNone(self.correction.superseded_by)
        self.assertEqual(set(Rectification.objects.in_force().values_list("bulletin", flat=True)),
                         {self.correction.pk})

    def test_a_draft_correction_voids_nothing(self):
        original = Bulletin.objects.get(pk=self.correction.pk)
        actions.do_correct_bulletin(original, acting_user=self.cast.supervision)
        self.assertIn(original, Bulletin.objects.in_force())
        self.assertIsNone(original.superseded_by)

    def test_the_originals_requests_are_not_owed_nor_reminded(self):
        owed = Rectification.objects.owed()
        self.assertEqual({r.bulletin_id for r in owed}, {self.correction.pk})
        self.assertEqual(owed.count(), 2)  # 甲局 and 乙局, once each
        told = actions.do_remind_rectifications()
        self.assertTrue(told)
        reminded = set(Notification.objects.filter(event="supervision.rectification_due")
                       .values_list("link", flat=True))
        self.assertEqual(reminded, {self.correction.get_absolute_url()})

    def test_the_panel_lists_only_the_corrections_requests(self):
        unit = panels.rectification(self.cast.reporter_a)
        self.assertEqual([r.bulletin_id for r in unit["owed"]], [self.correction.pk])
        bureau = panels.rectification(self.cast.supervision)
        self.assertEqual(bureau["owed_count"], 2)

    def test_evaluation_facts_count_the_correction_only(self):
        facts = rectifications_by_unit(self.deadline - timedelta(days=30), self.deadline)
        in_force = set(Rectification.objects.filter(bulletin=self.correction)
                       .values_list("pk", flat=True))
        counted = {pk for unit in facts.values() for pk in unit["on_time"] + unit["late"]}
        self.assertEqual(counted, in_force)

    def test_a_unit_named_in_both_is_named_once(self):
        actions.do_propose_escalations()
        self.assertFalse(EscalationStep.objects.filter(level="interview").exists())

    def test_the_original_says_it_is_superseded_and_takes_no_responses(self):
        rect = Rectification.objects.get(bulletin=self.original, unit=self.cast.unit_a)
        with self.assertRaises(ValidationError):
            actions.do_submit_rectification(rect, text="已整改", acting_user=self.cast.reporter_a)
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.original.get_absolute_url())
        self.assertContains(page, f'已被更正（见<a href="{self.correction.get_absolute_url()}">'
                                  f'{self.correction.number_label}</a>）')
        self.assertNotContains(page, "报送整改情况</button>")
        page = self.client.get(self.correction.get_absolute_url())
        self.assertNotContains(page, "已被更正（见")
        self.assertContains(page, "报送整改情况</button>")
