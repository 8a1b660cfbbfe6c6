"""工作台: each role's panel lists what it has to do now, within its scope."""

from django.urls import reverse
from django.utils import timezone

from projects import actions, engine
from projects.choices import ReportStatus
from projects.models import ProgressReport, Project
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class HomePanelTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cast, ledger = cls.cast, cls.ledger
        # Every project missed the last closed periods; unit A then files this period's
        # report for its project, which the office returns.
        engine.record_missing_reports()
        report = actions.do_submit_report(ledger.project_a, acting_user=cast.reporter_a,
                                          investment_period=100, progress_percent=10)
        actions.do_return_report(report, reason="形象进度照片缺失", acting_user=cast.office_staff)
        actions.do_submit_report(ledger.project_b, acting_user=cast.reporter_b,
                                 investment_period=50, progress_percent=5)

    def home(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        return {p["panel"].key: p for p in response.context["panels"]}, response.content.decode()

    def test_reporter_sees_what_is_owed_and_what_came_back(self):
        panels, html = self.home(self.cast.reporter_a)
        mine = panels["my_reports"]
        self.assertEqual([r.project for r in mine["returned"]], [self.ledger.project_a])
        self.assertIn("形象进度照片缺失", html)
        owed = {r["project"] for r in mine["owed"]}
        self.assertNotIn(self.ledger.project_b, owed)  # another unit's project
        self.assertNotIn("review", panels)
        self.assertNotIn("red", panels)

    def test_office_sees_true_counts_and_the_units_missing(self):
        panels, html = self.home(self.cast.office_staff)
        review = panels["review"]
        waiting = ProgressReport.objects.filter(status=ReportStatus.SUBMITTED).count()
        self.assertEqual(review["waiting"], waiting)
        self.assertEqual(waiting, 1)
        latest = (ProgressReport.objects.filter(status=ReportStatus.MISSING,
                                                deadline__lt=timezone.now())
                  .order_by("-period_start").first())
        self.assertEqual(review["missing_period"], latest.period_start)
        names = {u["project__lead_unit__name"] for u in review["missing_units"]}
        self.assertEqual(names, {self.cast.unit_a.name, self.cast.unit_b.name})
        self.assertIn(self.cast.unit_b.name, html)
        self.assertNotIn("my_reports", panels)

    def test_leader_sees_red_projects_of_his_assignments_only(self):
        engine.recompute(list(Project.objects.all()))
        panels, html = self.home(self.cast.city_leader)
        red = panels["red"]
        self.assertTrue(red["red"])
        visible = set(Project.objects.visible_to(self.cast.city_leader))
        for project in red["red"]:
            self.assertIn(project, visible)
            self.assertIn(project.name, html)
        self.assertNotIn(self.ledger.project_b, red["red"])

    def test_roles_without_the_right_see_no_ledger_panels(self):
        panels, _ = self.home(self.cast.sys_admin)
        self.assertFalse({"my_reports", "review", "red"} & set(panels))
