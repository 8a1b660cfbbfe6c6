"""领导批示 from a project page: a leader (or the office recording one) writes it, it becomes
an action item for the project's lead unit, marked with the leader's name, and the unit is
told; nobody else may write one, and other units do not see it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from notify.models import Notification
from org import actions as org
from org.choices import Role
from projects.models import Project
from supervision.actions.items import do_create_action_item, do_issue_instruction
from supervision.models import ActionItem
from tests.base import CastTestCase, on_mid_may_2026
from tests.cast import PASSWORD
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class InstructionTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.head_b = org.do_create_account(username="head_b", role=Role.UNIT_HEAD,
                                           password=PASSWORD, unit=cls.cast.unit_b)

    def post(self, user, project, **data):
        self.client.force_login(user)
        data.setdefault("text", "请责任单位本周内拿出赶工方案")
        data.setdefault("deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
        return self.client.post(reverse("supervision:issue_instruction", args=[project.pk]),
                                data)

    def test_leader_instruction_becomes_the_units_action_item(self):
        project = self.ledger.project_a
        response = self.post(self.cast.city_leader, project)
        self.assertRedirects(response, project.get_absolute_url(), fetch_redirect_response=False)
        item = ActionItem.objects.get(project=project)
        self.assertEqual(item.unit, self.cast.unit_a)
        self.assertEqual(item.instructed_by, self.cast.leader)
        self.assertEqual(item.issued_by, self.cast.city_leader)
        self.assertTrue(item.title.startswith("领导甲批示："))
        self.assertEqual(item.detail, "请责任单位本周内拿出赶工方案")
        told = set(Notification.objects.filter(link=item.get_absolute_url())
                   .values_list("user__username", flat=True))
        self.assertEqual(told, {"reporter_a", "head_a"})
        # The unit sees it in its items, on the item's page and on the project page.
        self.client.force_login(self.cast.reporter_a)
        self.assertContains(self.client.get(reverse("supervision:item_list")), "领导批示")
        page = self.client.get(item.get_absolute_url())
        self.assertContains(page, "请责任单位本周内拿出赶工方案")
        self.assertContains(page, "领导甲")
        self.assertContains(self.client.get(project.get_absolute_url()), item.title)
        # The leader follows it too.
        self.assertIn(item, ActionItem.objects.visible_to(self.cast.city_leader))

    def test_office_records_a_leaders_instruction(self):
        project = self.ledger.project_a
        self.post(self.cast.office_staff, project)  # the project's 分包领导 by default
        item = ActionItem.objects.get(project=project)
        self.assertEqual(item.instructed_by, self.cast.leader)
        self.post(self.cast.office_staff, self.ledger.project_b,
                  leader=self.cast.leader_other.pk)
        self.assertEqual(ActionItem.objects.get(project=self.ledger.project_b).instructed_by,
                         self.cast.leader_other)

    def test_office_must_name_the_leader_when_the_project_has_none(self):
        with self.assertRaises(ValidationError):
            do_issue_instruction(self.ledger.project_b, "加快进度",
                                 timezone.localdate() + timedelta(days=3), self.cast.office_staff)

    def test_only_leaders_and_the_office_may_instruct(self):
        project = self.ledger.project_a
        for user in (self.cast.reporter_a, self.cast.head_a, self.cast.supervision):
            with self.subTest(user=user.username):
                self.assertEqual(self.post(user, project).status_code, 403)
                with self.assertRaises(PermissionDenied):
                    do_issue_instruction(project, "越权批示", timezone.localdate(), user)
        self.assertFalse(ActionItem.objects.exists())

    def test_leader_cannot_instruct_outside_his_assignments(self):
        self.assertEqual(self.post(self.cast.city_leader, self.ledger.project_b).status_code,
                         404)
        with self.assertRaises(PermissionDenied):
            do_issue_instruction(self.ledger.project_b, "越权批示", timezone.localdate(),
                                 self.cast.city_leader)
        self.assertFalse(ActionItem.objects.exists())

    def test_another_units_head_cannot_see_the_item(self):
        self.post(self.cast.city_leader, self.ledger.project_a)
        item = ActionItem.objects.get()
        self.assertNotIn(item, ActionItem.objects.visible_to(self.head_b))
        self.client.force_login(self.head_b)
        self.assertEqual(self.client.get(item.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get(reverse("supervision:item_list")), item.title)

    def test_empty_text_or_past_deadline_is_refused(self):
        """A refusal is the project page again, answered 400, saying why in Chinese."""
        project = self.ledger.project_a
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        cases = [
            ({"text": "  "}, "批示内容"),
            ({"deadline": yesterday}, "办理期限不能早于今天"),
            ({"deadline": "2026-02-30"}, "办理期限"),
        ]
        for data, reason in cases:
            with self.subTest(data=data):
                response = self.post(self.cast.city_leader, project, **data)
                self.assertEqual(response.status_code, 400)
                self.assertTemplateUsed(response, "projects/project_detail.html")
                errors = [m for m in response.context["messages"] if m.level_tag == "error"]
                self.assertEqual(len(errors), 1)
                self.assertIn(reason, str(errors[0]))
                self.assertContains(response, reason, status_code=400)
        self.assertFalse(ActionItem.objects.exists())

    def test_office_records_only_in_the_name_of_a_leader_whose_scope_holds_the_project(self):
        """The project's own 分包领导, or a leader who 分包联系 its lead unit: anyone else is
        refused (400, in Chinese) and nobody's visibility grows."""
        project_a, project_shared = self.ledger.project_a, self.ledger.project_shared
        office, leader, other = self.cast.office_staff, self.cast.leader, self.cast.leader_other
        # 领导乙 neither leads project_a nor 分包 its lead unit (甲局).
        response = self.post(office, project_a, leader=other.pk)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "不能以其名义批示", status_code=400)
        with self.assertRaises(ValidationError) as caught:
            do_issue_instruction(project_a, "越权批示", timezone.localdate(), office,
                                 leader=other)
        self.assertIn("不是该项目的分包领导", caught.exception.messages[0])
        # 领导甲 works with 甲局, a cooperating unit of project_shared; its lead unit is 乙局.
        self.assertEqual(self.post(office, project_shared, leader=leader.pk).status_code, 400)
        # A leader id that is no leader: 404, as any object that does not exist.
        self.assertEqual(self.post(office, project_a, leader=10**30).status_code, 404)
        self.assertFalse(ActionItem.objects.exists())
        # The project's own 分包领导 is accepted even without 分包 of its lead unit.
        Project.objects.filter(pk=project_shared.pk).update(leader=leader)
        self.post(office, project_shared, leader=leader.pk)
        item = ActionItem.objects.get(project=project_shared)
        self.assertEqual((item.instructed_by, item.unit), (leader, self.cast.unit_b))
        self.assertIn(item, ActionItem.objects.visible_to(self.cast.city_leader))

    def test_a_leaders_name_on_an_item_does_not_open_a_project_outside_his_scope(self):
        """An item marked as 领导甲's 批示 on 乙局's project (recorded before the office was
        held to his scope, or his 分包 since changed) stays out of his lists, pages and
        meeting packs: his 批示 are followed within his scope."""
        from supervision.packs import part_for

        item = do_create_action_item(
            title="领导甲批示：加快进度", unit=self.cast.unit_b, project=self.ledger.project_b,
            deadline=timezone.localdate() + timedelta(days=7), instructed_by=self.cast.leader,
            acting_user=self.cast.office_staff)
        leader = self.cast.city_leader
        self.assertNotIn(item, ActionItem.objects.visible_to(leader))
        self.client.force_login(leader)
        self.assertEqual(self.client.get(item.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get(reverse("supervision:item_list")), item.title)
        content = {"items": [{"item_id": item.pk, "unit_id": self.cast.unit_b.pk,
                              "project_id": self.ledger.project_b.pk, "title": item.title}]}
        self.assertEqual(part_for(content, leader)["items"], [])
        # Once the project is his (分包领导), the 批示 is his to follow again.
        Project.objects.filter(pk=self.ledger.project_b.pk).update(leader=self.cast.leader)
        self.assertIn(item, ActionItem.objects.visible_to(leader))

    def test_an_item_from_a_problem_that_is_not_an_id_is_a_bad_request(self):
        self.client.force_login(self.cast.office_staff)
        for raw in ("²", "١", "abc", " 1"):
            with self.subTest(problem=raw):
                response = self.client.post(reverse("supervision:item_list"), {
                    "problem": raw, "title": "协调电力迁改", "unit": self.cast.unit_a.pk,
                    "deadline": (timezone.localdate() + timedelta(days=7)).isoformat()})
                self.assertEqual(response.status_code, 400)
                self.assertIn("来源问题编号无效", response.content.decode())
        self.assertFalse(ActionItem.objects.exists())

    def test_project_page_offers_the_form_to_leader_and_office_only(self):
        project = self.ledger.project_a
        for user, shown in ((self.cast.city_leader, True), (self.cast.office_staff, True),
                            (self.cast.reporter_a, False), (self.cast.supervision, False)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                html = self.client.get(project.get_absolute_url()).content.decode()
                self.assertEqual('data-testid="instruction-form"' in html, shown)
