"""我的分包: a city leader's red and yellow projects with reasons, measures, people,
deadlines and follow-ups; the unit's measures form; a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from org import actions as org
from org.choices import Role
from projects import actions, engine
from projects.models import Project
from supervision import actions as bulletins
from supervision.actions.items import do_create_action_item, do_issue_instruction
from tests.base import CastTestCase, on_mid_may_2026
from tests.cast import PASSWORD
from tests.ledger_cast import build_ledger

URL = reverse("projects:my_assignments")


@on_mid_may_2026
class MyAssignmentsTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        engine.record_missing_reports()
        engine.recompute(list(Project.objects.all()))
        # Last week's bulletin names project_a among unit A's red projects: unit A owes a
        # rectification, which the card lists.
        today = timezone.localdate()
        bulletin = bulletins.do_draft_bulletin(period_start=today - timedelta(days=7),
                                               period_end=today, acting_user=cls.cast.supervision)
        cls.bulletin = bulletins.do_issue_bulletin(
            bulletin, rectification_deadline=today + timedelta(days=10),
            acting_user=cls.cast.supervision)

    def page(self, user):
        self.client.force_login(user)
        return self.client.get(URL)

    def cards(self, user):
        response = self.page(user)
        self.assertEqual(response.status_code, 200)
        return response, {c.project for c in response.context["cards"]}

    def test_leader_sees_only_his_red_and_yellow_projects(self):
        response, shown = self.cards(self.cast.city_leader)
        self.assertEqual(shown, {self.ledger.project_a})
        self.assertEqual(self.ledger.project_a.status.overall, "red")
        html = response.content.decode()
        for reason in self.ledger.project_a.status.all_reasons():
            self.assertIn(reason, html)
        self.assertNotIn(self.ledger.project_b.name, html)
        self.assertNotIn(self.ledger.project_shared.name, html)
        self.assertIn(self.cast.person_a.name, html)  # the responsible person
        self.assertIn("责任单位尚未填写措施", html)

    def test_a_leader_without_assignments_sees_none(self):
        person = org.do_create_person(name="领导丙", title="副市长", phone="13600005555")
        org.do_create_leader(person=person, position="副市长", sort_order=2)
        lonely = org.do_create_account(username="leader_c", role=Role.CITY_LEADER,
                                       password=PASSWORD, person=person)
        response, shown = self.cards(lonely)
        self.assertEqual(shown, set())
        self.assertContains(response, "没有亮红灯或黄灯的项目")

    def test_other_roles_are_refused(self):
        for user in (self.cast.reporter_a, self.cast.head_a, self.cast.office_staff,
                     self.cast.supervision, self.cast.citizen):
            with self.subTest(user=user.username):
                self.assertEqual(self.page(user).status_code, 403)

    def test_menu_and_home_panel_link_to_the_page(self):
        self.client.force_login(self.cast.city_leader)
        html = self.client.get(reverse("home")).content.decode()
        self.assertIn(URL, html)
        self.assertIn("我的分包", html)
        self.client.force_login(self.cast.reporter_a)
        self.assertNotIn(URL, self.client.get(reverse("home")).content.decode())

    def test_the_unit_states_its_measures_and_the_leader_reads_them(self):
        project = self.ledger.project_a
        url = reverse("projects:measures", args=[project.pk])
        self.client.force_login(self.cast.reporter_a)
        self.client.post(url, {"measures": "增加施工班组，周末加班追赶序时进度"})
        project.refresh_from_db()
        self.assertEqual(project.measures_by, self.cast.reporter_a)
        self.assertIsNotNone(project.measures_at)
        response, _ = self.cards(self.cast.city_leader)
        self.assertContains(response, "增加施工班组，周末加班追赶序时进度")

    def test_only_the_lead_unit_may_state_measures(self):
        shared = self.ledger.project_shared  # unit A cooperates: sees it, may not edit it
        for user, pk, status in ((self.cast.reporter_a, shared.pk, 403),
                                 (self.cast.reporter_b, self.ledger.project_a.pk, 404),
                                 (self.cast.city_leader, self.ledger.project_a.pk, 403)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.post(reverse("projects:measures", args=[pk]),
                                            {"measures": "越权"})
                self.assertEqual(response.status_code, status)
        self.assertFalse(Project.objects.filter(measures="越权").exists())

    def test_card_lists_open_items_and_the_earliest_deadline(self):
        today = timezone.localdate()
        project = self.ledger.project_a
        do_issue_instruction(project, "月底前完成管线迁改", today + timedelta(days=5),
                             self.cast.city_leader)
        do_create_action_item(title="协调用地", unit=self.cast.unit_a,
                              deadline=today + timedelta(days=20), project=project,
                              acting_user=self.cast.office_staff)
        response, _ = self.cards(self.cast.city_leader)
        card = response.context["cards"][0]
        self.assertEqual([f.kind for f in card.followups], ["领导批示", "整改要求", "交办事项"])
        self.assertEqual(card.deadline.day, today + timedelta(days=5))
        self.assertContains(response, "月底前完成管线迁改")
        self.assertContains(response, f"《{self.bulletin.title}》整改反馈")

    def test_a_rectification_is_listed_only_on_the_projects_its_bulletin_names(self):
        from supervision.models import Rectification

        self.assertTrue(Rectification.objects.filter(unit=self.cast.unit_a).exists())
        today = timezone.localdate()
        other = actions.do_create_project(
            name="甲区未被通报的项目", plan=self.cast.plan, category=self.ledger.category,
            lead_unit=self.cast.unit_a, total_investment=Decimal("5000"), stage="construction",
            start_date=today - timedelta(days=200), finish_date=today + timedelta(days=300))
        actions.do_set_year_plan(other, today.year, Decimal("1200"))
        engine.recompute([other])
        response, shown = self.cards(self.cast.city_leader)
        self.assertIn(other, shown)
        kinds = {c.project: [f.kind for f in c.followups] for c in response.context["cards"]}
        self.assertEqual(kinds[self.ledger.project_a], ["整改要求"])
        self.assertEqual(kinds[other], [])

    def test_query_count_does_not_grow_with_projects(self):
        self.client.force_login(self.cast.city_leader)
        self.client.get(URL)  # the session's once-a-minute save is not the page's cost
        before = self._count()
        today = timezone.localdate()
        common = dict(plan=self.cast.plan, category=self.ledger.category,
                      start_date=today - timedelta(days=200),
                      finish_date=today + timedelta(days=300), stage="construction",
                      leader=self.cast.leader, responsible_person=self.cast.person_a)
        for i in range(6):
            project = actions.do_create_project(name=f"甲区项目{i}", lead_unit=self.cast.unit_a,
                                                total_investment=Decimal("5000"), **common)
            actions.do_set_year_plan(project, today.year, Decimal("1200"))
            actions.do_add_milestone(project, name="开工", planned_date=today - timedelta(days=30))
            actions.do_set_measures(project, f"措施{i}", acting_user=self.cast.reporter_a)
            do_issue_instruction(project, f"批示{i}", today + timedelta(days=3),
                                 self.cast.city_leader)
        engine.recompute(list(Project.objects.all()))
        response = self.client.get(URL)
        self.assertGreaterEqual(len(response.context["cards"]), 7)
        self.assertEqual(self._count(), before)

    def _count(self):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(URL).status_code, 200)
        return len(ctx)
