"""The shared review step (core.workflow): the state it starts from, a reason to send back,
and four eyes — on progress reports, re-baseline requests and action items alike."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import SimpleTestCase
from django.utils import timezone

from core.workflow import Review
from projects import actions as project_actions
from projects.choices import RebaselineStatus, ReportStatus
from supervision import actions as supervision_actions
from supervision.choices import ActionItemStatus
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


class Thing:
    status = "filed"


STEP = Review(what="材料", filed_word="已提交", reviewable=("filed",), accepted="ok",
              returned="back", reason_field="reason")


class ReviewRuleTests(SimpleTestCase):
    def test_a_return_needs_a_reason_and_a_decided_thing_cannot_be_decided_again(self):
        thing = Thing()
        with self.assertRaisesMessage(ValidationError, "请填写退回原因"):
            STEP.decide(thing, accept=False, reason="  ", acting_user=None)
        self.assertEqual(thing.status, "filed")
        self.assertEqual(STEP.decide(thing, accept=False, reason=" 缺照片 ", acting_user=None),
                         "缺照片")
        self.assertEqual(thing.status, "back")
        with self.assertRaisesMessage(ValidationError, "只有已提交的材料可以审核通过"):
            STEP.decide(thing, accept=True, acting_user=None)

    def test_four_eyes(self):
        class User:
            pk = 7

        thing = Thing()
        with self.assertRaisesMessage(PermissionDenied, "不能审核通过本人提交的材料"):
            STEP.decide(thing, accept=True, acting_user=User(), filed_by_id=7)
        self.assertEqual(thing.status, "filed")
        STEP.decide(thing, accept=True, acting_user=User(), filed_by_id=8)
        self.assertEqual(thing.status, "ok")


@on_mid_may_2026
class FourEyesTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_the_office_cannot_accept_or_return_a_report_it_filed(self):
        report = project_actions.do_submit_report(self.ledger.project_a,
                                                  acting_user=self.cast.office_staff,
                                                  investment_period=10, progress_percent=5)
        with self.assertRaises(PermissionDenied):
            project_actions.do_accept_report(report, acting_user=self.cast.office_staff)
        with self.assertRaises(PermissionDenied):
            project_actions.do_return_report(report, reason="x", acting_user=self.cast.office_staff)
        report.refresh_from_db()
        self.assertEqual(report.status, ReportStatus.SUBMITTED)
        project_actions.do_accept_report(report, acting_user=self.cast.office_admin)
        report.refresh_from_db()
        self.assertEqual((report.status, report.reviewed_by), (ReportStatus.ACCEPTED,
                                                               self.cast.office_admin))

    def test_nobody_approves_their_own_rebaseline_and_the_approver_is_recorded(self):
        milestone = self.ledger.milestone_a2
        request = project_actions.do_request_rebaseline(
            milestone, milestone.planned_date + timedelta(days=20), reason="设计变更",
            acting_user=self.cast.office_admin)
        with self.assertRaises(PermissionDenied):
            project_actions.do_decide_rebaseline(request, approve=True,
                                                 acting_user=self.cast.office_admin)
        request.refresh_from_db()
        self.assertEqual(request.status, RebaselineStatus.PENDING)
        project_actions.do_decide_rebaseline(request, approve=True, note="同意",
                                             acting_user=self.cast.office_staff)
        request.refresh_from_db()
        self.assertEqual((request.status, request.decided_by),
                         (RebaselineStatus.APPROVED, self.cast.office_staff))

    def test_an_item_is_closed_or_returned_only_after_a_response_and_with_a_reason(self):
        item = supervision_actions.do_create_action_item(
            title="报送征迁台账", unit=self.cast.unit_a, acting_user=self.cast.office_staff,
            deadline=timezone.localdate() + timedelta(days=5))
        with self.assertRaisesMessage(ValidationError, "只有已反馈的事项可以办结"):
            supervision_actions.do_close(item, acting_user=self.cast.office_staff)
        supervision_actions.do_respond(item, text="已报送", acting_user=self.cast.reporter_a)
        with self.assertRaisesMessage(ValidationError, "请填写退回原因"):
            supervision_actions.do_return(item, reason=" ", acting_user=self.cast.office_staff)
        supervision_actions.do_return(item, reason="缺征迁户数", acting_user=self.cast.office_staff)
        item.refresh_from_db()
        self.assertEqual(item.status, ActionItemStatus.RETURNED)
