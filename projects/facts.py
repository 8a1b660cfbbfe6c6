"""Per-unit facts of the ledger, for evaluation (the public read side of projects).

Every figure comes with the ids of the rows behind it, so a score can be traced back.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from projects.choices import ReportStatus
from projects.models import Milestone, ProgressReport, Project, ProjectYearPlan

FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def investment_by_unit(year: int, as_of) -> dict[int, dict]:
    """{unit: {"actual", "planned", "projects"}} for the year's plans and latest reports."""
    latest = (ProgressReport.objects.filter(project=OuterRef("project_id"), status__in=FILED,
                                            period_start__year=year, period_start__lte=as_of)
              .order_by("-period_start").values("investment_year_cumulative")[:1])
    rows = (ProjectYearPlan.objects.filter(year=year, archived_at=None,
                                           project__archived_at=None)
            .annotate(actual=Subquery(latest))
            .values_list("project__lead_unit_id", "project_id", "planned_investment", "actual"))
    facts: dict[int, dict] = defaultdict(lambda: {"actual": Decimal("0"),
                                                  "planned": Decimal("0"), "projects": []})
    for unit, project, planned, actual in rows:
        f = facts[unit]
        f["planned"] += planned
        f["actual"] += actual or 0
        f["projects"].append(project)
    return facts


def milestones_by_unit(start, end) -> dict[int, dict]:
    """Milestones due in the period: done on time vs late or not done."""
    facts: dict[int, dict] = defaultdict(lambda: {"on_time": [], "late": []})
    for pk, unit, planned, actual in (Milestone.objects.filter(
            planned_date__gte=start, planned_date__lte=end, archived_at=None,
            project__archived_at=None)
            .values_list("pk", "project__lead_unit_id", "planned_date", "actual_date")):
        facts[unit]["on_time" if actual and actual <= planned else "late"].append(pk)
    return facts


def units_with_projects() -> set[int]:
    return set(Project.objects.active().values_list("lead_unit_id", flat=True))
