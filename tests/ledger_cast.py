"""Ledger data on top of the cast: three projects whose scope differs by unit.

- project_a: lead unit A, city leader L (the cast's leader), milestones, a year plan;
- project_b: lead unit B;
- project_shared: lead unit B with unit A cooperating (A sees it, cannot report on it).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.choices import ChangeSource
from core.history import change_context
from plans import actions as plan_actions
from projects import actions
from projects.choices import Stage


@dataclass
class Ledger:
    category: object
    task: object
    project_a: object
    project_b: object
    project_shared: object
    milestone_a1: object
    milestone_a2: object


def build_ledger(cast) -> Ledger:
    today = timezone.localdate()
    with change_context(ChangeSource.SYSTEM, label="测试数据"):
        category = plan_actions.do_add_taxonomy(cast.plan, "category", code="JC", name="重大基础设施")
        task = plan_actions.do_add_taxonomy(cast.plan, "task", code="T2", name="基础设施配套")
        common = dict(plan=cast.plan, category=category, task=task,
                      start_date=today - timedelta(days=200), finish_date=today + timedelta(days=300),
                      stage=Stage.CONSTRUCTION)
        project_a = actions.do_create_project(
            name="甲路综合改造工程", lead_unit=cast.unit_a, total_investment=Decimal("12000"),
            leader=cast.leader, responsible_person=cast.person_a,
            content="全长2.1公里", geometry={"type": "Point", "coordinates": [113.38, 34.51]},
            **common)
        project_b = actions.do_create_project(
            name="乙区污水处理厂", lead_unit=cast.unit_b, total_investment=Decimal("8000"), **common)
        project_shared = actions.do_create_project(
            name="丙街道老旧小区改造", lead_unit=cast.unit_b, total_investment=Decimal("3000"),
            cooperating_units=[cast.unit_a], **common)
        for project in (project_a, project_b, project_shared):
            actions.do_set_year_plan(project, today.year, Decimal("1200"))
        m1 = actions.do_add_milestone(project_a, name="开工建设", planned_date=today - timedelta(days=150))
        m2 = actions.do_add_milestone(project_a, name="主体结构封顶",
                                      planned_date=today + timedelta(days=60))
        actions.do_complete_milestone(m1, today - timedelta(days=150))
        plan_actions.do_approve_plan(cast.plan, on=date(today.year, 1, 1))
    return Ledger(category, task, project_a, project_b, project_shared, m1, m2)
