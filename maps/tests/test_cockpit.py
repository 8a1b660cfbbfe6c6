"""The cockpit's figures come from the ledger and respect the user's scope."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from maps.cockpit import cockpit_data
from projects import actions, engine
from projects.models import Project
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class CockpitTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        actions.do_submit_report(cls.ledger.project_b, acting_user=cls.cast.reporter_b,
                                 investment_period=Decimal("1150"), progress_percent=40)

    def test_figures(self):
        data = cockpit_data(self.cast.office_admin)
        self.assertEqual(data["total"], 3)
        self.assertEqual((data["colours"]["red"], data["colours"]["yellow"]), (2, 1))
        self.assertEqual(data["investment"]["planned"], 3600.0)
        self.assertEqual(data["investment"]["actual"], 1150.0)
        self.assertEqual(data["by_category"], [{"name": "重大基础设施", "red": 2, "yellow": 1,
                                                "green": 0, "grey": 0, "blue": 0}])
        self.assertEqual({u["unit"]: (u["red"], u["yellow"]) for u in data["units"]},
                         {"甲局": (1, 0), "乙局": (1, 1)})
        self.assertEqual(data["trend"]["red"][-1] + data["trend"]["yellow"][-1], 3)
        self.assertTrue(all("落后序时进度" in " ".join(p["reasons"]) for p in data["lagging"]))

    def test_trend_is_replayed_from_transitions(self):
        today = timezone.localdate()
        projects = Project.objects.all()
        engine.recompute(projects, today=today - timedelta(days=14))
        data = cockpit_data(self.cast.office_admin, today=today)
        self.assertEqual(len(data["trend"]["weeks"]), 12)
        self.assertEqual(data["trend"]["red"][:9], [0] * 9)  # nothing before the first check

    def test_a_city_leader_sees_only_their_assignments(self):
        data = cockpit_data(self.cast.city_leader)
        self.assertEqual(data["total"], 1)
        self.assertEqual(data["units"], [{"unit": "甲局", "red": 1, "yellow": 0, "total": 1}])

    def test_pages(self):
        for user, status in ((self.cast.office_admin, 200), (self.cast.city_leader, 200),
                             (self.cast.citizen, 403), (self.cast.audit_admin, 403)):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/maps/cockpit/").status_code, status)
            self.assertEqual(self.client.get("/maps/screen/").status_code, status)
