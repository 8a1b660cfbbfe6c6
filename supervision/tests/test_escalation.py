"""The escalation ladder: rules propose, the bureau decides with a reason, interviews are recorded."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from org import actions as org
from org.choices import Role
from projects import engine
from projects.models import Project, StatusTransition
from supervision import actions
from supervision.models import EscalationStep
from tests.base import CastTestCase, on_mid_may_2026
from tests.cast import PASSWORD
from tests.ledger_cast import build_ledger


def second_bureau_account():
    """A second person of the bureau: a step proposed by hand is decided by another."""
    return org.do_create_account(username="supervision_2", role=Role.SUPERVISION,
                                 password=PASSWORD)


@on_mid_may_2026
class EscalationTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.bureau_2 = second_bureau_account()

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

    def test_a_step_proposed_by_hand_is_decided_by_another_person(self):
        step = actions.do_propose_step(unit=self.cast.unit_a, level="accountability",
                                       reason="多次整改不到位", acting_user=self.cast.supervision)
        for confirm in (True, False):
            with self.assertRaisesMessage(PermissionDenied, "请由其他人员处理"):
                actions.do_decide_step(step, confirm=confirm, note="同意",
                                       acting_user=self.cast.supervision)
        self.client.force_login(self.cast.supervision)
        page = self.client.get("/supervision/escalations/")
        self.assertContains(page, "本人提出，待其他人员决定")
        self.assertNotContains(page, f"/supervision/escalations/{step.pk}/confirm/")
        answer = self.client.post(f"/supervision/escalations/{step.pk}/confirm/", {"note": "同意"},
                                  follow=True)
        self.assertContains(answer, "不能采纳本人提交的措施建议")
        step.refresh_from_db()
        self.assertEqual(step.status, "proposed")
        actions.do_decide_step(step, confirm=True, note="同意问责", acting_user=self.bureau_2)
        step.refresh_from_db()
        self.assertEqual((step.status, step.decided_by), ("confirmed", self.bureau_2))

    def test_units_see_only_decisions_about_themselves(self):
        a = actions.do_propose_step(unit=self.cast.unit_a, level="reminder", reason="进度滞后",
                                    acting_user=self.cast.supervision)
        b = actions.do_propose_step(unit=self.cast.unit_b, level="letter", reason="逾期",
                                    acting_user=self.cast.supervision)
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(list(self.client.get("/supervision/escalations/")
                              .context["object_list"]), [])  # proposals stay with the bureau
        actions.do_decide_step(a, confirm=True, note="发提醒", acting_user=self.bureau_2)
        actions.do_decide_step(b, confirm=True, note="发督办函", acting_user=self.bureau_2)
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


@on_mid_may_2026
class LadderTests(CastTestCase):
    """The `red_periods` threshold, hand proposals from the ladder page, and a confirmed 通报
    step carried into the next bulletin draft (issue 9 item 6)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.bureau_2 = second_bureau_account()

    def red_since(self, days):
        StatusTransition.objects.filter(to_colour="red").update(
            as_of=timezone.localdate() - timedelta(days=days))

    def test_red_periods_counts_whole_dispatch_periods_up_to_its_threshold(self):
        from supervision.escalation import ensure_rules, red_for_periods

        rule = ensure_rules()["red_periods"]
        today = timezone.localdate()
        units = {self.cast.unit_a, self.cast.unit_b}  # the ledger's red projects
        cases = [(2, 13, set()), (2, 14, units), (3, 20, set()), (3, 21, units), (1, 7, units),
                 (1, 6, set())]
        for threshold, days, want in cases:
            with self.subTest(threshold=threshold, red_for_days=days):
                rule.threshold = threshold
                rule.save()
                self.red_since(days)
                found = red_for_periods(rule, today)
                self.assertEqual({unit for unit, _, _ in found}, want)
                for _, reason, facts in found:
                    self.assertIn(f"连续{threshold}个以上调度周期", reason)
                    self.assertTrue(facts["red_since"])
        # The proposal the command makes follows the same threshold.
        rule.threshold = 4
        rule.save()
        self.red_since(27)
        self.assertEqual(actions.do_propose_escalations(), 0)
        self.red_since(28)
        self.assertEqual(actions.do_propose_escalations(), 2)

    def test_a_plan_with_a_longer_cycle_counts_longer_periods(self):
        from projects.engine import reporting_for
        from supervision.escalation import ensure_rules, red_for_periods

        reporting = reporting_for(self.cast.plan)
        reporting.cycle_days = 14
        reporting.save()
        rule = ensure_rules()["red_periods"]
        self.red_since(20)  # two weeks, but only one fortnight
        self.assertEqual(red_for_periods(rule, timezone.localdate()), [])
        self.red_since(28)
        self.assertEqual(len(red_for_periods(rule, timezone.localdate())), 2)

    def test_the_bureau_proposes_a_reminder_and_accountability_from_the_ladder_page(self):
        c = self.cast
        self.client.force_login(c.supervision)
        page = self.client.get("/supervision/escalations/")
        self.assertContains(page, "提出措施建议")
        self.assertContains(page, "阈值为连续亮红灯的调度周期数")
        for level, reason in (("reminder", "连续两周未报送进度"),
                              ("accountability", "约谈后仍未整改，建议追究责任")):
            answer = self.client.post("/supervision/escalations/propose/",
                                      {"unit": c.unit_b.pk, "level": level, "reason": reason})
            self.assertEqual(answer.status_code, 302)
            step = EscalationStep.objects.get(unit=c.unit_b, level=level)
            self.assertEqual((step.status, step.reason, step.rule), ("proposed", reason, None))
        # Refusals: the reason is said, nothing is added, never a 500.
        before = EscalationStep.objects.count()
        for data, said in (({"unit": c.unit_b.pk, "level": "reminder", "reason": " "},
                            "该字段是必填项"),
                           ({"unit": c.unit_b.pk, "level": "reminder", "reason": "再提醒"},
                            "已有一项待决定的“提醒”建议"),
                           ({"unit": c.unit_b.pk, "level": "fine", "reason": "罚款"},
                            "选择一个有效的选项"),
                           ({"unit": "99999999999999999999", "level": "reminder",
                             "reason": "x"}, "选择一个有效的选项")):
            with self.subTest(data=data):
                answer = self.client.post("/supervision/escalations/propose/", data)
                self.assertEqual(answer.status_code, 400)
                self.assertContains(answer, said, status_code=400)
        self.assertEqual(EscalationStep.objects.count(), before)
        for member in ("office_admin", "reporter_b", "city_leader"):
            self.client.force_login(getattr(c, member))
            answer = self.client.post("/supervision/escalations/propose/",
                                      {"unit": c.unit_b.pk, "level": "reminder", "reason": "x"})
            self.assertEqual(answer.status_code, 403)
        self.assertEqual(EscalationStep.objects.count(), before)

    def test_a_confirmed_bulletin_step_puts_the_unit_into_the_next_draft(self):
        c, today = self.cast, timezone.localdate()
        # The town has no project, so nothing else would name it.
        step = actions.do_propose_step(unit=c.town, level="bulletin", reason="迟报整改材料",
                                       acting_user=c.supervision)
        dismissed = actions.do_propose_step(unit=c.community, level="bulletin", reason="x",
                                            acting_user=c.supervision)
        actions.do_decide_step(dismissed, confirm=False, note="情况已说明",
                               acting_user=self.bureau_2)

        def criticised(bulletin):
            return list(bulletin.lines.filter(section="criticised").values_list("unit", "facts"))

        draft = actions.do_draft_bulletin(period_start=today - timedelta(days=7),
                                          period_end=today, acting_user=c.supervision)
        self.assertEqual(criticised(draft), [])  # proposed, not yet decided
        actions.do_decide_step(step, confirm=True, note="列入下期通报",
                               acting_user=self.bureau_2)
        draft = actions.do_draft_bulletin(period_start=today - timedelta(days=7),
                                          period_end=today, acting_user=c.supervision)
        self.assertEqual(criticised(draft), [(c.town.pk, {"escalation_steps": [step.pk]})])
        line = draft.lines.get(section="criticised")
        self.assertIn("丙街道：迟报整改材料。经督查局决定，予以通报批评。", line.text)
        actions.do_issue_bulletin(draft, acting_user=c.supervision,
                                  rectification_deadline=today + timedelta(days=9))
        later = actions.do_draft_bulletin(period_start=today - timedelta(days=7),
                                          period_end=today, acting_user=c.supervision)
        self.assertEqual(criticised(later), [])  # carried once, by the issued bulletin
