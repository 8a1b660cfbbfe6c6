"""The escalation ladder: rules propose, the bureau decides with a reason, interviews are recorded."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from projects import engine
from projects.models import Project, StatusTransition
from supervision import actions
from supervision.models import EscalationStep
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class EscalationTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_red_for_two_periods_is_proposed_for_the_next_bulletin(self):
        self.assertEqual(actions.do_propose_escalations(), 0)  # red only since today
        StatusTransition.objects.filter(to_colour="red").update(
            as_of=timezone.localdate() - timedelta(days=20))
        self.assertEqual(actions.do_propose_escalations(), 2)  # units A and B
        self.assertEqual(actions.do_propose_escalations(), 0)  # not twice while open
        step = EscalationStep.objects.get(unit=self.cast.unit_b)
        self.assertEqual(step.level, "bulletin")
        self.assertIn("2个项目连续", step.reason)

    def test_named_twice_proposes_an_interview_decided_and_recorded(self):
        for _ in range(2):
            bulletin = actions.do_draft_bulletin(period_start=date(2026, 1, 1),
                                                 period_end=timezone.localdate(),
                                                 acting_user=self.cast.supervision)
            actions.do_issue_bulletin(bulletin, acting_user=self.cast.supervision,
                                      rectification_deadline=timezone.localdate() + timedelta(9))
        actions.do_propose_escalations()
        step = EscalationStep.objects.get(unit=self.cast.unit_a, level="interview")
        self.assertIn("半年内被通报2次", step.reason)
        with self.assertRaises(PermissionDenied):
            actions.do_decide_step(step, confirm=True, note="x", acting_user=self.cast.office_admin)
        with self.assertRaises(ValidationError):
            actions.do_decide_step(step, confirm=True, note=" ", acting_user=self.cast.supervision)
        actions.do_decide_step(step, confirm=True, note="连续被通报，约谈主要负责人",
                               acting_user=self.cast.supervision)
        record = actions.do_record_interview(
            step, held_on=timezone.localdate(), attendees="甲局局长、督查局副局长",
            content="分析滞后原因", commitments="月底前追回投资进度", acting_user=self.cast.supervision)
        self.assertEqual(step.interview, record)
        step.refresh_from_db()
        self.assertEqual((step.status, step.decided_by), ("confirmed", self.cast.supervision))

    def test_units_see_only_decisions_about_themselves(self):
        a = actions.do_propose_step(unit=self.cast.unit_a, level="reminder", reason="进度滞后",
                                    acting_user=self.cast.supervision)
        b = actions.do_propose_step(unit=self.cast.unit_b, level="letter", reason="逾期",
                                    acting_user=self.cast.supervision)
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(list(self.client.get("/supervision/escalations/")
                              .context["object_list"]), [])  # proposals stay with the bureau
        actions.do_decide_step(a, confirm=True, note="发提醒", acting_user=self.cast.supervision)
        actions.do_decide_step(b, confirm=True, note="发督办函", acting_user=self.cast.supervision)
        self.assertEqual(list(self.client.get("/supervision/escalations/")
                              .context["object_list"]), [a])
        self.assertEqual(self.client.post("/supervision/escalations/").status_code, 403)
        self.assertEqual(self.client.post(f"/supervision/escalations/{b.pk}/confirm/",
                                          {"note": "x"}).status_code, 404)

    def test_command(self):
        import io

        from django.core.management import call_command

        out = io.StringIO()
        engine.recompute(Project.objects.all())
        call_command("propose_escalations", stdout=out)
        self.assertIn("新增措施建议", out.getvalue())
