"""Units clear their own colour's causes (issue 16, item 3): a procedure claimed done and
confirmed by someone else in the office, 沿用上周, the units a problem names getting it as
an action item, and the result page after filing."""

import re
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.choices import ChangeSource
from core.history import change_context
from notify.models import Notification
from org import actions as org
from org.choices import UnitKind
from projects import actions, engine
from projects.choices import (
    Colour,
    ProcedureClaimStatus,
    ProcedureKind,
    ProcedureStatus,
    ReportStatus,
)
from projects.models import ProcedureClaim, ProgressReport, ProjectStatus
from projects.notices import PROCEDURE_CLAIMED, PROCEDURE_DECIDED
from projects.selectors import carried_over, last_filed_report
from projects.tests.test_report_photos import photo
from supervision.actions import do_close, do_create_action_item, do_respond
from supervision.models import ActionItem
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


def procedure_reasons(project) -> list[str]:
    return ProjectStatus.objects.get(project=project).reasons.get("procedures", [])


@on_mid_may_2026
class ProcedureClaimTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        today = timezone.localdate()
        # 立项 was due 40 days ago: past the 30-day rule, so 手续 is red.
        cls.procedure = actions.do_set_procedure(
            cls.ledger.project_a, ProcedureKind.APPROVAL, status=ProcedureStatus.IN_PROGRESS,
            required_by=today - timedelta(days=40))
        cls.shared_procedure = actions.do_set_procedure(
            cls.ledger.project_shared, ProcedureKind.EIA, required_by=today - timedelta(days=40))

    def claim(self, user=None, procedure=None, document_no="许昌发改〔2026〕18号", **kw):
        kw.setdefault("document", photo(1))
        return actions.do_claim_procedure_done(
            procedure or self.procedure, timezone.localdate() - timedelta(days=2), document_no,
            user or self.cast.reporter_a, **kw)

    def test_the_project_is_red_for_the_procedure_before_anything_is_claimed(self):
        status = ProjectStatus.objects.get(project=self.ledger.project_a)
        self.assertEqual(status.procedures, Colour.RED)
        self.assertIn("手续「立项」", "".join(procedure_reasons(self.ledger.project_a)))

    def test_a_claim_alone_does_not_count_as_done(self):
        claim = self.claim()
        self.assertEqual(claim.status, ProcedureClaimStatus.PENDING)
        self.assertEqual(claim.document.procedure, self.procedure)  # the 批复文件, stored
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.status, ProcedureStatus.IN_PROGRESS)
        self.assertEqual(ProjectStatus.objects.get(project=self.ledger.project_a).procedures,
                         Colour.RED)
        with self.assertRaisesMessage(ValidationError, "已有待办公室确认"):
            self.claim()  # one pending claim per procedure
        # The office is told; the claimer is not told of their own claim.
        told = Notification.objects.filter(event=PROCEDURE_CLAIMED)
        self.assertTrue(told.filter(user=self.cast.office_staff).exists())
        self.assertFalse(told.filter(user=self.cast.reporter_a).exists())

    def test_office_confirmation_turns_the_procedure_reason_off(self):
        self.claim()
        claim = actions.do_confirm_procedure(self.procedure, self.cast.office_staff, True, "")
        self.assertEqual(claim.status, ProcedureClaimStatus.CONFIRMED)
        self.assertEqual(claim.decided_by, self.cast.office_staff)
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.status, ProcedureStatus.DONE)
        self.assertEqual(self.procedure.document_no, "许昌发改〔2026〕18号")
        self.assertEqual(self.procedure.done_on, timezone.localdate() - timedelta(days=2))
        status = ProjectStatus.objects.get(project=self.ledger.project_a)
        self.assertEqual(status.procedures, Colour.GREEN)
        self.assertEqual(procedure_reasons(self.ledger.project_a), [])
        self.assertNotIn("立项", "".join(status.all_reasons()))
        self.assertTrue(Notification.objects.filter(event=PROCEDURE_DECIDED,
                                                    user=self.cast.reporter_a).exists())
        with self.assertRaisesMessage(ValidationError, "已办结"):
            self.claim()

    def test_four_eyes_the_claimer_cannot_confirm(self):
        # The office may file for a unit too; then another office member confirms.
        self.claim(user=self.cast.office_admin)
        with self.assertRaisesMessage(PermissionDenied, "不能确认本人提交的办结申报"):
            actions.do_confirm_procedure(self.procedure, self.cast.office_admin, True, "")
        self.assertEqual(ProcedureClaim.objects.get().status, ProcedureClaimStatus.PENDING)
        actions.do_confirm_procedure(self.procedure, self.cast.office_staff, True, "")
        self.procedure.refresh_from_db()
        self.assertTrue(self.procedure.is_done)

    def test_a_unit_cannot_confirm_its_own_claim(self):
        self.claim()
        for user in (self.cast.reporter_a, self.cast.head_a):
            with self.assertRaises(PermissionDenied):
                actions.do_confirm_procedure(self.procedure, user, True, "")

    def test_a_return_needs_a_reason_and_leaves_the_procedure_open(self):
        self.claim()
        with self.assertRaisesMessage(ValidationError, "请填写退回原因"):
            actions.do_confirm_procedure(self.procedure, self.cast.office_staff, False, " ")
        claim = actions.do_confirm_procedure(self.procedure, self.cast.office_staff, False,
                                             "批复文件不清晰")
        self.assertEqual(claim.status, ProcedureClaimStatus.RETURNED)
        self.procedure.refresh_from_db()
        self.assertFalse(self.procedure.is_done)
        self.assertEqual(ProjectStatus.objects.get(project=self.ledger.project_a).procedures,
                         Colour.RED)
        # Claimed again: the returned claim's file is never taken silently; it needs a new
        # upload or an explicit choice of a file uploaded earlier.
        with self.assertRaisesMessage(ValidationError, "请上传批复文件"):
            self.claim(document=None)
        self.assertFalse(ProcedureClaim.objects.filter(status=ProcedureClaimStatus.PENDING)
                         .exists())
        again = self.claim(document=None, earlier_document=claim.document)
        self.assertEqual(again.document, claim.document)  # chosen by the unit, knowingly

    def test_a_new_upload_after_a_return_is_the_claims_file(self):
        first = self.claim()
        actions.do_confirm_procedure(self.procedure, self.cast.office_staff, False, "文件不清晰")
        again = self.claim(document=photo(7), earlier_document=first.document)  # upload wins
        self.assertNotEqual(again.document, first.document)
        self.assertEqual(again.document.procedure, self.procedure)

    def test_an_earlier_file_must_be_this_procedures(self):
        other = self.claim(procedure=self.shared_procedure, user=self.cast.reporter_b)
        with self.assertRaisesMessage(ValidationError, "不属于该手续"):
            self.claim(document=None, earlier_document=other.document)

    def test_after_a_return_the_page_preselects_no_file(self):
        url = self.ledger.project_a.get_absolute_url()
        actions.do_add_procedure_document(self.procedure, photo(8), acting_user=self.cast.reporter_a)
        self.login(self.cast.reporter_a)
        document = self.procedure.documents.get()

        def offered():  # the claim form's choice of files uploaded earlier
            page = self.client.get(url).content.decode()
            return page, re.search(r'<select name="earlier_document">.*?</select>', page,
                                   re.S).group(0)

        page, select = offered()
        # Before any claim the file uploaded is offered, chosen where the unit can see it.
        self.assertIn(f'<option value="{document.pk}" selected>', select)
        self.claim(document=None, earlier_document=document)
        actions.do_confirm_procedure(self.procedure, self.cast.office_staff, False, "文件不清晰")
        page, select = offered()
        self.assertIn(f'<option value="{document.pk}">', select)
        self.assertNotIn("selected", select)
        self.assertIn("上次申报已退回，请重新上传或明确选用批复文件", page)
        # Sent without a file, the claim is refused with the reason; nothing is filed.
        response = self.client.post(f"/projects/procedures/{self.procedure.pk}/claim/", {
            "done_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "doc_number": "许发改〔2026〕9号", "earlier_document": ""}, follow=True)
        self.assertContains(response, "请上传批复文件，或选用一份已上传的批复文件")
        self.assertFalse(ProcedureClaim.objects.filter(status=ProcedureClaimStatus.PENDING)
                         .exists())
        response = self.client.post(f"/projects/procedures/{self.procedure.pk}/claim/", {
            "done_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "doc_number": "许发改〔2026〕9号",
            "earlier_document": self.procedure.documents.get().pk}, follow=True)
        self.assertContains(response, "已申报办结")
        self.assertEqual(ProcedureClaim.objects.get(status=ProcedureClaimStatus.PENDING).document,
                         self.procedure.documents.get())

    def test_a_decision_on_a_claim_no_longer_pending_changes_nothing(self):
        first = self.claim()
        actions.do_confirm_procedure(self.procedure, self.cast.office_staff, False, "文号有误",
                                     claim_id=first.pk)
        second = self.claim(document=photo(9))
        # A colleague's page still shows the first claim: confirming it now is refused,
        # and the second claim is not confirmed in its place.
        for approve in (True, False):
            with self.assertRaisesMessage(ValidationError, "已不是待确认状态"):
                actions.do_confirm_procedure(self.procedure, self.cast.office_admin, approve,
                                             "重复", claim_id=first.pk)
        second.refresh_from_db()
        self.assertEqual(second.status, ProcedureClaimStatus.PENDING)
        self.procedure.refresh_from_db()
        self.assertFalse(self.procedure.is_done)
        # Through the page: the stale id, and no id at all, are refused with a message.
        self.login(self.cast.office_admin)
        url = f"/projects/procedures/{self.procedure.pk}/confirm/"
        for data, message in (({"claim": first.pk}, "已不是待确认状态"),
                              ({}, "未指明要处理的办结申报"), ({"claim": "²"}, "未指明")):
            response = self.client.post(url, data, follow=True)
            self.assertContains(response, message)
        response = self.client.post(f"/projects/procedures/{self.procedure.pk}/return/",
                                    {"claim": first.pk, "note": "重复"}, follow=True)
        self.assertContains(response, "已不是待确认状态")
        second.refresh_from_db()
        self.assertEqual((second.status, second.decided_by), (ProcedureClaimStatus.PENDING, None))
        self.procedure.refresh_from_db()
        self.assertFalse(self.procedure.is_done)
        # The claim shown now is the one decided.
        response = self.client.post(url, {"claim": second.pk}, follow=True)
        self.assertContains(response, "已确认")
        self.procedure.refresh_from_db()
        self.assertTrue(self.procedure.is_done)

    def test_a_claim_needs_a_number_a_file_and_a_past_date(self):
        with self.assertRaisesMessage(ValidationError, "批复文号"):
            self.claim(document_no=" ")
        with self.assertRaisesMessage(ValidationError, "请上传批复文件"):
            self.claim(document=None)
        with self.assertRaisesMessage(ValidationError, "不能晚于今天"):
            actions.do_claim_procedure_done(self.procedure, timezone.localdate() + timedelta(days=1),
                                            "文号", self.cast.reporter_a, document=photo(2))

    def test_another_units_reporter_cannot_claim(self):
        with self.assertRaises(PermissionDenied):
            self.claim(user=self.cast.reporter_b)

    def test_pages_scope_the_claim_404_outside_and_403_for_a_cooperating_unit(self):
        url = "/projects/procedures/{}/claim/"
        data = {"done_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
                "doc_number": "文号1", "document": photo(3)}
        self.login(self.cast.reporter_b)
        self.assertEqual(self.client.post(url.format(self.procedure.pk), data).status_code, 404)
        self.login(self.cast.reporter_a)  # sees the shared project, does not lead it
        data["document"] = photo(4)
        self.assertEqual(self.client.post(url.format(self.shared_procedure.pk), data).status_code,
                         403)
        self.assertFalse(ProcedureClaim.objects.exists())

    def test_claim_and_confirm_through_the_pages(self):
        self.login(self.cast.reporter_a)
        response = self.client.post(f"/projects/procedures/{self.procedure.pk}/claim/", {
            "done_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "doc_number": "许发改〔2026〕9号", "document": photo(5)})
        self.assertRedirects(response, self.ledger.project_a.get_absolute_url())
        page = self.client.get(self.ledger.project_a.get_absolute_url())
        self.assertContains(page, "办结待确认")
        self.assertNotContains(page, "确认办结")  # the unit has no confirm button
        # The claimer's own account cannot confirm through the page either.
        claim = ProcedureClaim.objects.get()
        response = self.client.post(f"/projects/procedures/{self.procedure.pk}/confirm/",
                                    {"claim": claim.pk})
        self.assertEqual(response.status_code, 403)
        self.login(self.cast.office_staff)
        page = self.client.get(self.ledger.project_a.get_absolute_url())
        self.assertContains(page, "待确认的办结申报")
        self.assertContains(page, "许发改〔2026〕9号")
        self.assertContains(page, f'name="claim" value="{claim.pk}"', count=2)  # both buttons
        response = self.client.post(f"/projects/procedures/{self.procedure.pk}/confirm/",
                                    {"claim": claim.pk})
        self.assertRedirects(response, self.ledger.project_a.get_absolute_url())
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.status, ProcedureStatus.DONE)
        self.assertEqual(procedure_reasons(self.ledger.project_a), [])


@on_mid_may_2026
class CarryOverTests(CastTestCase):
    """沿用上周: the picture and open problems are carried; money is not copied."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        reporting = engine.reporting_for(cls.cast.plan)
        cls.this_week = reporting.period_start(timezone.localdate())
        cls.last = actions.do_submit_report(
            cls.ledger.project_a, acting_user=cls.cast.reporter_a,
            period_start=cls.this_week - timedelta(days=7), investment_period=Decimal("300"),
            investment_year_cumulative=Decimal("900"), progress_text="主体结构施工至第三层",
            progress_percent=40, problems=[("电力管线迁改进度慢", "", [cls.cast.unit_b])])

    def test_carried_over_values(self):
        values = carried_over(last_filed_report(self.ledger.project_a))
        self.assertEqual(values["progress_percent"], 40)
        self.assertEqual(values["progress_text"], "主体结构施工至第三层")
        self.assertEqual(values["problem"], "电力管线迁改进度慢")
        self.assertEqual(values["coordinate_units"], [self.cast.unit_b.pk])
        self.assertEqual(values["investment_period"], Decimal("0"))  # never last week's 300
        self.assertIsNone(values["investment_year_cumulative"])  # computed: 900 + this week

    def test_a_resolved_problem_is_not_carried(self):
        self.last.problem_items.update(resolved=True)
        values = carried_over(last_filed_report(self.ledger.project_a))
        self.assertEqual(values["problem"], "")
        self.assertEqual(values["coordinate_units"], [])

    def test_the_form_is_prefilled_only_when_asked(self):
        self.login(self.cast.reporter_a)
        url = f"/projects/{self.ledger.project_a.pk}/report/"
        plain = self.client.get(url)
        self.assertContains(plain, "沿用上周")
        self.assertNotContains(plain, "主体结构施工至第三层</textarea>")
        page = self.client.get(url + "?carry=last")
        form = page.context["form"]
        self.assertEqual(form["progress_percent"].value(), 40)
        self.assertEqual(form["progress_text"].value(), "主体结构施工至第三层")
        self.assertEqual(form["investment_period"].value(), Decimal("0"))
        self.assertIn(form["investment_year_cumulative"].value(), (None, ""))
        self.assertEqual(list(form["coordinate_units"].value()), [self.cast.unit_b.pk])
        self.assertContains(page, "主体结构施工至第三层</textarea>")
        self.assertContains(page, 'id="carry-data"')  # the values the button's script fills in

    def test_filing_what_was_carried_does_not_double_count(self):
        self.login(self.cast.reporter_a)
        initial = carried_over(last_filed_report(self.ledger.project_a))
        data = {k: v for k, v in initial.items() if v is not None}
        response = self.client.post(f"/projects/{self.ledger.project_a.pk}/report/", data)
        report = ProgressReport.objects.get(project=self.ledger.project_a,
                                            period_start=self.this_week)
        self.assertRedirects(response, f"/projects/reports/{report.pk}/filed/")
        self.assertEqual(report.investment_period, Decimal("0"))
        self.assertEqual(report.investment_year_cumulative, Decimal("900"))
        self.assertEqual(report.progress_percent, 40)
        # The problem still open is not given to the same unit a second time.
        self.assertEqual(ActionItem.objects.filter(unit=self.cast.unit_b).count(), 1)


@on_mid_may_2026
class CoordinateUnitsTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_each_chosen_unit_gets_the_problem_as_an_action_item(self):
        c = self.cast
        report = actions.do_submit_report(
            self.ledger.project_a, acting_user=c.reporter_a, investment_period=Decimal("10"),
            progress_text="路基施工", progress_percent=30,
            problems=[("征地拆迁滞后，需协调交地", "", [c.unit_b, c.town, c.unit_a])])
        problem = report.problem_items.get()
        # The filer's own unit is not asked to coordinate with itself.
        self.assertEqual(set(problem.coordinate_units.all()), {c.unit_b, c.town})
        # The text column, read by meeting packs and the API, names them too.
        self.assertEqual(set(problem.coordinate_with.split("、")), {"乙局", "丙街道"})
        items = ActionItem.objects.filter(problem=problem).order_by("unit__name")
        self.assertEqual({i.unit for i in items}, {c.unit_b, c.town})
        reporting = engine.reporting_for(c.plan)
        next_deadline = timezone.localdate(reporting.deadline(
            reporting.period_start(timezone.localdate()) + timedelta(days=7)))
        for item in items:
            self.assertEqual(item.title, "征地拆迁滞后，需协调交地")
            self.assertEqual(item.project, self.ledger.project_a)
            self.assertEqual(item.deadline, next_deadline)
            self.assertIn("甲局", item.detail)
        # Told through the action: unit B's reporter has the message, unit A's has none.
        told = Notification.objects.filter(event="supervision.item_assigned")
        self.assertTrue(told.filter(user=c.reporter_b).exists())
        self.assertFalse(told.filter(user=c.reporter_a).exists())

    def test_old_callers_with_text_only_still_work(self):
        report = actions.do_submit_report(
            self.ledger.project_a, acting_user=self.cast.reporter_a, progress_text="路基施工",
            progress_percent=30, problems=[("电力迁改慢", "供电公司")])
        self.assertEqual(report.problem_items.get().coordinate_with, "供电公司")
        self.assertFalse(ActionItem.objects.exists())

    def test_the_form_offers_units_and_needs_the_problem_text(self):
        self.login(self.cast.reporter_a)
        url = f"/projects/{self.ledger.project_a.pk}/report/"
        page = self.client.get(url)
        self.assertContains(page, 'name="coordinate_units"')
        self.assertNotContains(page, f'name="coordinate_units" value="{self.cast.unit_a.pk}"')
        base = {"investment_period": "10", "progress_percent": 30, "progress_text": "路基施工",
                "coordinate_units": [self.cast.unit_b.pk]}
        response = self.client.post(url, base)
        self.assertContains(response, "请填写需协调解决的问题", status_code=400)
        response = self.client.post(url, {**base, "problem": "电力迁改慢"})
        self.assertEqual(response.status_code, 302)
        item = ActionItem.objects.get()
        self.assertEqual((item.unit, item.title), (self.cast.unit_b, "电力迁改慢"))


    def more_units(self, count):
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            return [org.do_create_unit(name=f"协调{n}局", kind=UnitKind.CITY_DEPT)
                    for n in range(count)]

    def test_at_most_five_units_are_asked(self):
        c = self.cast
        six = [c.unit_b, c.town, c.community, *self.more_units(3)]
        with self.assertRaisesMessage(ValidationError, "需协调单位最多选择5个（本次选了6个）"):
            actions.do_submit_report(
                self.ledger.project_a, acting_user=c.reporter_a, progress_text="路基施工",
                progress_percent=30, problems=[("各方都需配合", "", six)])
        self.assertFalse(ActionItem.objects.exists())
        self.assertFalse(ProgressReport.objects.exists())  # nothing half-filed
        self.login(c.reporter_a)
        url = f"/projects/{self.ledger.project_a.pk}/report/"
        self.assertContains(self.client.get(url), "最多选5个")
        base = {"investment_period": "10", "progress_percent": 30, "progress_text": "路基施工",
                "problem": "各方都需配合"}
        response = self.client.post(url, {**base, "coordinate_units": [u.pk for u in six]})
        self.assertContains(response, "需协调单位最多选择5个", status_code=400)
        self.assertFalse(ActionItem.objects.exists())
        # Five are fine (the filer's own unit is not offered, and never counted).
        response = self.client.post(url, {**base, "coordinate_units": [u.pk for u in six[:5]]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ActionItem.objects.count(), 5)

    def test_a_retried_post_opens_no_second_item(self):
        self.login(self.cast.reporter_a)
        url = f"/projects/{self.ledger.project_a.pk}/report/"
        data = {"investment_period": "10", "progress_percent": 30, "progress_text": "路基施工",
                "problem": "电力迁改慢", "coordinate_units": [self.cast.unit_b.pk]}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        retried = self.client.post(url, data)  # the answer to the first was lost
        self.assertContains(retried, "已提交", status_code=400)
        self.assertEqual(ActionItem.objects.filter(unit=self.cast.unit_b).count(), 1)

    def test_one_open_item_per_project_and_unit_whatever_the_wording(self):
        c = self.cast
        project = self.ledger.project_a

        def file(text, units, period_start=None):
            return actions.do_submit_report(
                project, acting_user=c.reporter_a, period_start=period_start,
                progress_text="路基施工", progress_percent=30, problems=[(text, "", units)])

        report = file("电力迁改慢", [c.unit_b])
        actions.do_return_report(report, reason="投资数据有误", acting_user=c.office_staff)
        # Refiled in other words, naming unit B again and the town: only the town is new.
        file("供电线路迁改仍未完成，需加快", [c.unit_b, c.town])
        self.assertEqual(ActionItem.objects.filter(unit=c.unit_b).count(), 1)
        self.assertEqual(ActionItem.objects.filter(unit=c.town).count(), 1)
        # The office's own 交办 from a problem is not a coordination request: it does not
        # stand in for one.
        other = self.ledger.project_b
        office_item = do_create_action_item(
            title="协调用地", unit=c.unit_a, deadline=timezone.localdate() + timedelta(days=5),
            acting_user=c.office_staff, problem=report.problem_items.first(), project=other)
        self.assertNotIn(c.unit_a.pk, actions.open_coordination_units(other))
        self.assertIsNotNone(office_item.issued_by)
        # Once unit B's item is closed, a new request opens a new one.
        item = ActionItem.objects.get(unit=c.unit_b)
        do_respond(item, text="已协调供电公司", acting_user=c.reporter_b)
        do_close(item, acting_user=c.office_staff, text="同意办结")
        reporting = engine.reporting_for(c.plan)
        last_week = reporting.period_start(timezone.localdate()) - timedelta(days=7)
        file("电力迁改慢", [c.unit_b], period_start=last_week)
        self.assertEqual(ActionItem.objects.filter(unit=c.unit_b).count(), 2)
        self.assertEqual(ActionItem.objects.filter(unit=c.unit_b).exclude(status="closed")
                         .count(), 1)


@on_mid_may_2026
class FiledPageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def file(self, project):
        self.login(self.cast.reporter_b)
        response = self.client.post(f"/projects/{project.pk}/report/", {
            "investment_period": "10", "progress_percent": 30, "progress_text": "路基施工",
            "photos": [photo(1), photo(2)]})
        self.assertEqual(response.status_code, 302)
        return self.client.get(response["Location"])

    def test_the_result_shows_the_colour_and_leads_to_the_next_due_project(self):
        # Unit B owes two reports: 乙区污水处理厂 and 丙街道老旧小区改造 (by code).
        page = self.file(self.ledger.project_b)
        status = ProjectStatus.objects.get(project=self.ledger.project_b)
        self.assertContains(page, "提交后亮灯")
        self.assertContains(page, Colour(status.overall).label)
        for reason in status.all_reasons():
            self.assertContains(page, reason)
        self.assertContains(page, "附照片2张")
        self.assertContains(page, f"填报下一个项目：{self.ledger.project_shared.name}")
        self.assertContains(page, f"/projects/{self.ledger.project_shared.pk}/report/")
        self.assertContains(self.client.get("/projects/due/"), "还有1个待填报")
        page = self.file(self.ledger.project_shared)
        self.assertContains(page, "本周已全部填报")
        self.assertNotContains(page, "填报下一个项目")
        self.assertContains(self.client.get("/projects/due/"), "本周已全部填报")

    def test_a_returned_report_is_due_again(self):
        self.file(self.ledger.project_b)
        report = ProgressReport.objects.get(project=self.ledger.project_b)
        actions.do_return_report(report, reason="投资数据有误", acting_user=self.cast.office_staff)
        page = self.file(self.ledger.project_shared)
        self.assertEqual(report.__class__.objects.get(pk=report.pk).status, ReportStatus.RETURNED)
        self.assertContains(page, f"填报下一个项目：{self.ledger.project_b.name}")
        # The returned report's own result page no longer says 已提交.
        self.assertRedirects(self.client.get(f"/projects/reports/{report.pk}/filed/"),
                             report.get_absolute_url(), fetch_redirect_response=False)

    def test_another_units_report_is_not_shown(self):
        page = self.file(self.ledger.project_b)
        self.assertEqual(page.status_code, 200)
        report = ProgressReport.objects.get(project=self.ledger.project_b)
        self.login(self.cast.reporter_a)
        self.assertEqual(self.client.get(f"/projects/reports/{report.pk}/filed/").status_code, 404)
