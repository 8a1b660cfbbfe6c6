"""The office maintains projects in the admin; saves go through the actions."""

import json
from datetime import timedelta

from django.utils import timezone

from projects.models import Milestone, Project
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


def inline_management(prefix, total=0, initial=0):
    return {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial,
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}


class ProjectAdminTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_office_creates_a_project_with_plan_and_milestones(self):
        today = timezone.localdate()
        self.client.force_login(self.cast.office_admin)
        data = {
            "name": "新建学校项目", "plan": self.cast.plan.pk, "category": self.ledger.category.pk,
            "task": "", "programme": "", "core_district": "", "content": "24班小学",
            "total_investment": "5000", "start_date": today.isoformat(),
            "finish_date": (today + timedelta(days=400)).isoformat(), "stage": "construction",
            "stage_changed_on": "", "stage_reason": "", "lead_unit": self.cast.unit_a.pk,
            "responsible_person": "", "leader": "", "special_team": "on",
            **inline_management("year_plans", 1), "year_plans-0-year": today.year,
            "year_plans-0-planned_investment": "1200",
            **inline_management("milestones", 1), "milestones-0-name": "开工",
            "milestones-0-planned_date": (today + timedelta(days=10)).isoformat(),
            "milestones-0-weight": "1",
            **inline_management("procedures", 0),
        }
        response = self.client.post("/admin/projects/project/add/", data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        project = Project.objects.get(name="新建学校项目")
        self.assertRegex(project.code, r"^2024-JC-\d{3}$")
        self.assertEqual(project.year_plans.get().monthly_cumulative[-1], "1200")
        milestone = project.milestones.get()
        self.assertEqual(milestone.baseline_date, milestone.planned_date)
        self.assertIsNotNone(project.status)

    def change_data(self, project, *, planned="1200", move=None):
        """The admin's change form for `project` as a browser would post it back."""
        self.client.force_login(self.cast.office_admin)
        page = self.client.get(f"/admin/projects/project/{project.pk}/change/")
        self.assertEqual(page.status_code, 200)
        form = page.context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update({"plan": project.plan_id, "category": project.category_id,
                     "task": project.task_id, "lead_unit": project.lead_unit_id,
                     "leader": project.leader_id, "responsible_person": project.responsible_person_id,
                     "total_investment": "12000", "start_date": project.start_date.isoformat(),
                     "finish_date": project.finish_date.isoformat(), "stage_changed_on": "",
                     "core_district": "", "programme": "", "cooperating_units": []})
        data = {k: v for k, v in data.items() if v is not None and k != "special_team"}
        data["geometry"] = json.dumps(project.geometry)  # a browser posts the field's text
        milestones = list(project.milestones.order_by("seq"))
        data.update(inline_management("year_plans", 1, 1))
        yp = project.year_plans.get()
        data.update({"year_plans-0-id": yp.pk, "year_plans-0-project": project.pk,
                     "year_plans-0-year": yp.year, "year_plans-0-planned_investment": planned})
        data.update(inline_management("milestones", len(milestones), len(milestones)))
        for i, ms in enumerate(milestones):
            moved = ms.planned_date + timedelta(days=30) if ms.pk == move else ms.planned_date
            data.update({f"milestones-{i}-id": ms.pk, f"milestones-{i}-project": project.pk,
                         f"milestones-{i}-name": ms.name, f"milestones-{i}-weight": "1",
                         f"milestones-{i}-planned_date": moved.isoformat()})
        data.update(inline_management("procedures"))
        return data

    def test_admin_refuses_moving_an_approved_milestone(self):
        project, m = self.ledger.project_a, self.ledger.milestone_a2
        data = self.change_data(project, move=m.pk)
        response = self.client.post(f"/admin/projects/project/{project.pk}/change/", data)
        self.assertEqual(response.status_code, 200)  # the form comes back with the error
        self.assertContains(response, "须由责任单位提交调整申请")
        self.assertEqual(Milestone.objects.get(pk=m.pk).planned_date, m.planned_date)

    def test_changing_a_year_total_rescales_its_schedule(self):
        project = self.ledger.project_a
        yp = project.year_plans.get()
        shape = ["100", "200", "300", "400", "500", "600", "700", "800", "900", "1000",
                 "1100", "1200"]  # 1,200 in all, front-loaded unlike an even spread
        type(yp).objects.filter(pk=yp.pk).update(monthly_cumulative=shape)
        response = self.client.post(f"/admin/projects/project/{project.pk}/change/",
                                    self.change_data(project, planned="2400"))
        self.assertEqual(response.status_code, 302)
        yp.refresh_from_db()
        self.assertEqual(yp.planned_investment, 2400)
        self.assertEqual([float(v) for v in yp.schedule()],
                         [float(v) * 2 for v in shape])
