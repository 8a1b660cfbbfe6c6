"""工作台 panels of supervision: overdue and owed action items, this week's meetings, and
rectification due — each person sees only their own scope."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from supervision import actions
from supervision.models import Meeting
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class SupervisionPanelTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cast = cls.cast
        today = timezone.localdate()
        with time_machine.travel(timezone.now() - timedelta(days=10)):
            cls.late = actions.do_create_action_item(
                title="清理甲路围挡外堆土", unit=cast.unit_a, acting_user=cast.office_staff,
                deadline=timezone.localdate() + timedelta(days=3))
        cls.open_a = actions.do_create_action_item(
            title="补报甲路征迁进度", unit=cast.unit_a, acting_user=cast.office_staff,
            deadline=today + timedelta(days=5))
        cls.open_b = actions.do_create_action_item(
            title="乙厂进水管接驳方案", unit=cast.unit_b, acting_user=cast.office_staff,
            deadline=today + timedelta(days=5))
        actions.do_generate_rhythm(cast.plan)
        bulletin = actions.do_draft_bulletin(period_start=today - timedelta(days=7),
                                             period_end=today, acting_user=cast.supervision)
        cls.bulletin = actions.do_issue_bulletin(
            bulletin, rectification_deadline=today + timedelta(days=2),
            acting_user=cast.supervision)

    def panels(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        return {p["panel"].key: p for p in response.context["panels"]}, response.content.decode()

    def test_a_unit_sees_its_overdue_and_owed_items_only(self):
        panels, html = self.panels(self.cast.reporter_a)
        self.assertEqual(panels["items"]["overdue"], [self.late])
        self.assertEqual(panels["items"]["to_answer"], [self.open_a])
        self.assertIn("清理甲路围挡外堆土", html)
        self.assertNotIn("乙厂进水管接驳方案", html)

    def test_the_issuer_sees_everything_overdue(self):
        panels, _ = self.panels(self.cast.office_staff)
        self.assertEqual(panels["items"]["overdue"], [self.late])
        self.assertEqual(panels["items"]["to_answer"], [])  # nothing to answer himself

    def test_this_weeks_meetings_are_the_ones_attended(self):
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        for user in (self.cast.office_staff, self.cast.reporter_a, self.cast.city_leader):
            panels, _ = self.panels(user)
            expected = list(Meeting.objects.attended_by(user)
                            .filter(date__range=(monday, monday + timedelta(days=6)))
                            .order_by("date", "start_time"))
            self.assertEqual(panels["meetings"]["meetings"], expected, user)
        office, _ = self.panels(self.cast.office_staff)
        self.assertTrue(office["meetings"]["meetings"])  # the weekly dispatch at least

    def test_rectification_due_for_the_unit_and_the_bureau(self):
        panels, html = self.panels(self.cast.reporter_b)
        owed = panels["rectification"]["owed"]
        self.assertTrue(owed)
        self.assertEqual({r.unit for r in owed}, {self.cast.unit_b})
        bureau, _ = self.panels(self.cast.supervision)
        self.assertFalse(bureau["rectification"]["owed_count"] < len(owed))
        self.assertEqual(bureau["rectification"]["to_review"], 0)
        self.assertIn("proposals", bureau["rectification"])
