"""Re-baseline requests and colour changes are read through visible_to(), on pages and API."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from projects import actions, engine
from projects.models import Project, RebaselineRequest, StatusTransition
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


class ChildScopeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        engine.recompute(Project.objects.all())
        cls.request = actions.do_request_rebaseline(
            cls.ledger.milestone_a2, timezone.localdate() + timedelta(days=90),
            reason="征迁延后", acting_user=cls.cast.reporter_a)

    def expected(self):
        ledger = self.ledger
        every = {ledger.project_a, ledger.project_b, ledger.project_shared}
        return {"office_admin": every, "supervision": every, "city_leader": {ledger.project_a},
                "reporter_a": {ledger.project_a, ledger.project_shared},
                "reporter_b": {ledger.project_b, ledger.project_shared}, "citizen": set()}

    def test_each_member_reads_the_rows_of_the_projects_they_see(self):
        for member, projects in self.expected().items():
            user = getattr(self.cast, member)
            with self.subTest(member=member):
                self.assertEqual({t.project for t in StatusTransition.objects.visible_to(user)},
                                 projects)
                wanted = {self.request} if self.ledger.project_a in projects else set()
                self.assertEqual(set(RebaselineRequest.objects.visible_to(user)), wanted)
                if member == "citizen":
                    continue
                client = APIClient()
                client.force_authenticate(user)
                rows = client.get("/api/projects/rebaselines/").json()["results"]
                self.assertEqual({r["id"] for r in rows}, {r.pk for r in wanted})
                answer = client.get(f"/api/projects/rebaselines/{self.request.pk}/")
                self.assertEqual(answer.status_code, 200 if wanted else 404)
                rows = client.get("/api/projects/transitions/", {"limit": 500}).json()["results"]
                self.assertEqual({r["project"] for r in rows}, {p.pk for p in projects})

    def test_the_review_queue_lists_the_request(self):
        self.client.force_login(self.cast.office_staff)
        self.assertEqual(list(self.client.get("/projects/review/").context["rebaselines"]),
                         [self.request])
