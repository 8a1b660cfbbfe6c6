"""The review queue: the true count past 200, filters, each report beside the previous one
with its flags, batch accept that leaves flagged reports, scope and four eyes."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from projects import actions, engine
from projects.anomalies import Flag, flags_by_report
from projects.choices import RebaselineStatus, ReportStatus, Stage
from projects.models import ProgressReport, ProjectYearPlan, RebaselineRequest
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

THIS_PERIOD = date(2026, 5, 11)  # the Monday before the cast's mid-May Wednesday
WEEKS = 105


def week_of_year(day: date) -> int:
    return (day - date(day.year, 1, 1)).days // 7 + 1


@on_mid_may_2026
class ReviewQueueTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.ledger = build_ledger(cast)
        reporting = engine.reporting_for(cast.plan)
        rows = []
        # Two years of weekly reports of unit B's two projects, never reviewed: 210 waiting,
        # each a little further on than the one before (nothing to flag).
        for project in (cls.ledger.project_b, cls.ledger.project_shared):
            for i in range(WEEKS):
                start = THIS_PERIOD - timedelta(days=7 * i)
                rows.append(ProgressReport(
                    project=project, period_start=start, period_end=reporting.period_end(start),
                    deadline=reporting.deadline(start), status=ReportStatus.SUBMITTED,
                    submitted_at=reporting.deadline(start) - timedelta(hours=5),
                    submitted_by=cast.reporter_b, investment_period=Decimal("10"),
                    investment_year_cumulative=Decimal(10 * week_of_year(start)),
                    progress_percent=max(0, 90 - i), progress_text="管网施工"))
        ProgressReport.objects.bulk_create(rows)
        cls.unflagged = ProgressReport.objects.get(project=cls.ledger.project_b,
                                                   period_start=THIS_PERIOD)
        # Unit A: last week 50 %, this week 40 % — 形象进度下降.
        a = cls.ledger.project_a
        previous = actions.do_submit_report(a, acting_user=cast.reporter_a,
                                            period_start=THIS_PERIOD,
                                            investment_period=Decimal("100"),
                                            progress_percent=50, progress_text="桥墩浇筑")
        actions.do_accept_report(previous, acting_user=cast.office_admin)
        cls.flagged = actions.do_submit_report(a, acting_user=cast.reporter_a,
                                               investment_period=Decimal("50"),
                                               progress_percent=40, progress_text="桥面铺装")

    def queue(self, user=None, **params):
        self.client.force_login(user or self.cast.office_admin)
        return self.client.get(reverse("projects:review"), params)

    def test_the_true_count_and_paging(self):
        page = self.queue()
        self.assertEqual(page.context["report_total"], 2 * WEEKS + 1)
        self.assertContains(page, f"待审核{2 * WEEKS + 1}")
        self.assertContains(page, f"共 {2 * WEEKS + 1} 条")
        self.assertEqual(page.context["page_obj"].paginator.num_pages, 5)
        last = self.queue(page=5)
        self.assertEqual(len(last.context["rows"]), 2 * WEEKS + 1 - 200)

    def test_each_report_beside_the_previous_one_with_its_flags(self):
        page = self.queue(unit=self.cast.unit_a.pk)
        [row] = page.context["rows"]
        self.assertEqual(row["report"], self.flagged)
        self.assertEqual(row["previous"].percent, 50)
        self.assertEqual(row["previous_text"], "桥墩浇筑")
        self.assertEqual(len(row["flags"]), 1)
        self.assertIn("形象进度下降：上期50%，本期40%", row["flags"][0])
        self.assertContains(page, "桥墩浇筑")
        self.assertContains(page, 'title="有异常标记，须逐份审核"')

    def test_a_project_suspended_later_does_not_flag_its_earlier_work(self):
        actions.do_change_stage(self.ledger.project_b, Stage.SUSPENDED, on=date(2026, 5, 1),
                                reason="征迁未完成", acting_user=self.cast.office_admin)
        reports = ProgressReport.objects.filter(project=self.ledger.project_b)
        flags = flags_by_report(reports)
        flagged = {r.period_start for r in reports if flags[r.pk]}
        # The weeks ending on or after 1 May: 管网施工 reported while 停工.
        self.assertEqual(flagged, {date(2026, 4, 27), date(2026, 5, 4), THIS_PERIOD})
        self.assertEqual({f for r in reports for f in flags[r.pk]}, {Flag.SUSPENDED_WORK})

    def test_reports_filed_while_suspended_keep_their_flag_after_the_project_resumes(self):
        project = self.ledger.project_b
        actions.do_change_stage(project, Stage.SUSPENDED, on=date(2026, 5, 1),
                                reason="征迁未完成", acting_user=self.cast.office_admin)
        actions.do_change_stage(project, Stage.CONSTRUCTION, on=date(2026, 5, 12),
                                reason="征迁完成，复工", acting_user=self.cast.office_admin)
        reports = ProgressReport.objects.filter(project=project)
        flags = flags_by_report(reports)
        # Suspended from 1 May to 11 May: the weeks that ended in it, not the week after.
        self.assertEqual({r.period_start for r in reports if flags[r.pk]},
                         {date(2026, 4, 27), date(2026, 5, 4)})
        page = self.queue(unit=self.cast.unit_b.pk, anomaly=Flag.SUSPENDED_WORK)
        self.assertEqual(page.context["page_obj"].paginator.count, 2)

    @override_settings(REVIEW_JUMP_SHARE="nan")
    def test_a_share_that_is_not_a_number_does_not_take_the_queue_down(self):
        with self.assertLogs("projects.anomalies", "WARNING"):
            page = self.queue(unit=self.cast.unit_a.pk)
        self.assertContains(page, "本期投资超过年度计划的30%")
        self.assertContains(page, "未录入年度计划的项目无从比较，不作此项检查")
        with self.assertLogs("projects.anomalies", "WARNING"):
            detail = self.client.get(reverse("projects:report_detail", args=[self.flagged.pk]))
        self.assertEqual(detail.status_code, 200)
        self.assertNotContains(detail, "未检查“投资跳增”")  # it has a year plan

    def test_a_report_without_a_year_plan_says_the_jump_was_not_checked(self):
        ProjectYearPlan.objects.filter(project=self.ledger.project_b).update(
            archived_at=timezone.now())
        self.client.force_login(self.cast.office_admin)
        page = self.client.get(reverse("projects:report_detail", args=[self.unflagged.pk]))
        self.assertContains(page, "该项目未录入2026年度投资计划，未检查“投资跳增”")

    def test_batch_accept_refuses_ids_that_are_not_ids(self):
        self.client.force_login(self.cast.office_admin)
        for bad in ("²", "١", "+7", " 7", "1_000", "9" * 19):
            response = self.client.post(reverse("projects:review_batch_accept"),
                                        {"report": [self.unflagged.pk, bad]})
            self.assertEqual(response.status_code, 400, bad)
        self.unflagged.refresh_from_db()
        self.assertEqual(self.unflagged.status, ReportStatus.SUBMITTED)

    def test_batch_accept_judges_reports_as_they_are_now(self):
        # The page was drawn with both reports waiting; meanwhile one was returned, and the
        # other returned and filed again as 停工 work (flagged now).
        stale = list(ProgressReport.objects.filter(pk__in=[self.unflagged.pk])
                     .select_related("project"))
        refiled = ProgressReport.objects.get(project=self.ledger.project_shared,
                                             period_start=THIS_PERIOD)
        stale.append(ProgressReport.objects.select_related("project").get(pk=refiled.pk))
        staff = self.cast.office_staff
        actions.do_return_report(self.unflagged, reason="数据有误", acting_user=staff)
        ProgressReport.objects.filter(pk=refiled.pk).update(progress_percent=1)
        result = actions.do_accept_reports(stale, acting_user=self.cast.office_admin)
        self.assertEqual([r.pk for r in result.not_pending], [self.unflagged.pk])
        self.assertEqual([r.pk for r in result.flagged], [refiled.pk])
        self.assertEqual(result.accepted, [])
        statuses = dict(ProgressReport.objects.filter(pk__in=[self.unflagged.pk, refiled.pk])
                        .values_list("pk", "status"))
        self.assertEqual(statuses, {self.unflagged.pk: ReportStatus.RETURNED,
                                    refiled.pk: ReportStatus.SUBMITTED})

    def test_filters(self):
        def ids(**params):
            return {r["report"].pk for r in self.queue(**params).context["rows"]}

        self.assertEqual(self.queue(unit=self.cast.unit_b.pk).context["page_obj"]
                         .paginator.count, 2 * WEEKS)
        self.assertEqual(self.queue(plan=self.cast.plan.pk).context["page_obj"]
                         .paginator.count, 2 * WEEKS + 1)
        this_week = ids(period="2026-05-13")
        self.assertEqual(this_week, set(ProgressReport.objects.filter(
            period_start=THIS_PERIOD, status=ReportStatus.SUBMITTED).values_list("pk", flat=True)))
        self.assertEqual(len(this_week), 2)  # unit A's report of that week is accepted
        self.assertEqual(ids(period="2026-05-20"), {self.flagged.pk})
        self.assertEqual(ids(anomaly=Flag.PERCENT_DOWN), {self.flagged.pk})
        self.assertEqual(ids(anomaly="any"), {self.flagged.pk})
        self.assertEqual(ids(anomaly=Flag.OVER_TOTAL), set())
        self.assertEqual(self.queue(anomaly="none").context["page_obj"].paginator.count,
                         2 * WEEKS)
        self.assertEqual(self.queue(anomaly="nonsense").status_code, 200)  # refused, not a 500

    def test_batch_accept_leaves_flagged_and_own_reports(self):
        own = ProgressReport.objects.get(project=self.ledger.project_shared,
                                         period_start=THIS_PERIOD)
        own.submitted_by = self.cast.office_admin
        own.save()
        self.client.force_login(self.cast.office_admin)
        response = self.client.post(reverse("projects:review_batch_accept"), {
            "report": [self.unflagged.pk, self.flagged.pk, own.pk]}, follow=True)
        statuses = dict(ProgressReport.objects.filter(
            pk__in=[self.unflagged.pk, self.flagged.pk, own.pk]).values_list("pk", "status"))
        self.assertEqual(statuses, {self.unflagged.pk: ReportStatus.ACCEPTED,
                                    self.flagged.pk: ReportStatus.SUBMITTED,
                                    own.pk: ReportStatus.SUBMITTED})
        self.assertContains(response, "已审核通过1份填报")
        self.assertContains(response, "1份填报有异常标记，不能批量通过")
        self.assertContains(response, "1份填报为本人提交")
        # The flagged report is accepted on its own page, after a look.
        page = self.client.get(reverse("projects:report_detail", args=[self.flagged.pk]))
        self.assertContains(page, "形象进度下降")
        self.assertContains(page, "审核通过")
        self.client.post(reverse("projects:report_decision", args=[self.flagged.pk, "accept"]))
        self.flagged.refresh_from_db()
        self.assertEqual(self.flagged.status, ReportStatus.ACCEPTED)

    def test_return_on_the_reports_page_needs_a_reason(self):
        self.client.force_login(self.cast.office_staff)
        url = reverse("projects:report_decision", args=[self.unflagged.pk, "return"])
        self.client.post(url, {"reason": ""})
        self.unflagged.refresh_from_db()
        self.assertEqual(self.unflagged.status, ReportStatus.SUBMITTED)
        self.client.post(url, {"reason": "本期投资与监理月报不符"})
        self.unflagged.refresh_from_db()
        self.assertEqual(self.unflagged.status, ReportStatus.RETURNED)
        self.assertEqual(self.unflagged.reviewed_by, self.cast.office_staff)

    def test_reporters_cannot_see_or_work_the_queue(self):
        for user in (self.cast.reporter_a, self.cast.head_a, self.cast.city_leader):
            self.assertEqual(self.queue(user).status_code, 403)
            response = self.client.post(reverse("projects:review_batch_accept"),
                                        {"report": [self.unflagged.pk]})
            self.assertEqual(response.status_code, 403)
        self.unflagged.refresh_from_db()
        self.assertEqual(self.unflagged.status, ReportStatus.SUBMITTED)
        # The reporter's own report page shows the figures, not the review.
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(reverse("projects:report_detail", args=[self.flagged.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "审核通过")
        # Another unit's report is outside the reporter's scope.
        page = self.client.get(reverse("projects:report_detail", args=[self.unflagged.pk]))
        self.assertEqual(page.status_code, 404)

    def test_four_eyes_nobody_accepts_their_own_report(self):
        staff = self.cast.office_staff
        mine = actions.do_submit_report(self.ledger.project_a, acting_user=staff,
                                        period_start=THIS_PERIOD - timedelta(days=14),
                                        investment_period=Decimal("20"), progress_percent=45)
        self.client.force_login(staff)
        page = self.client.get(reverse("projects:report_detail", args=[mine.pk]))
        self.assertNotContains(page, "审核通过</button>")
        self.assertContains(page, "本填报由您提交，须由其他人员审核")
        queue = self.queue(staff, unit=self.cast.unit_a.pk)
        [row] = [r for r in queue.context["rows"] if r["report"] == mine]
        self.assertTrue(row["own"])
        self.assertContains(queue, 'title="本人提交，须由其他人员审核"')
        self.client.post(reverse("projects:report_decision", args=[mine.pk, "accept"]))
        mine.refresh_from_db()
        self.assertEqual(mine.status, ReportStatus.SUBMITTED)
        with self.assertRaises(PermissionDenied):
            actions.do_accept_report(mine, acting_user=staff)
        actions.do_accept_report(mine, acting_user=self.cast.office_admin)
        mine.refresh_from_db()
        self.assertEqual(mine.reviewed_by, self.cast.office_admin)

    def test_rebaselines_have_their_own_tab_and_four_eyes(self):
        admin = self.cast.office_admin
        request = actions.do_request_rebaseline(self.ledger.milestone_a2,
                                                self.ledger.milestone_a2.planned_date
                                                + timedelta(days=30),
                                                reason="征迁延后", acting_user=admin)
        tab = self.queue(admin, tab="rebaselines")
        self.assertContains(tab, "节点调整（待审批1）")
        self.assertContains(tab, "本人申请，须由其他人员审批")
        self.client.post(reverse("projects:rebaseline_decision", args=[request.pk, "approve"]))
        request.refresh_from_db()
        self.assertEqual(request.status, RebaselineStatus.PENDING)
        self.client.force_login(self.cast.office_staff)
        self.client.post(reverse("projects:rebaseline_decision", args=[request.pk, "approve"]))
        request = RebaselineRequest.objects.get(pk=request.pk)
        self.assertEqual((request.status, request.decided_by),
                         (RebaselineStatus.APPROVED, self.cast.office_staff))
