"""工作台 panels of the ledger: what each role has to do now.

Each context function reads through the same scoped querysets as the pages, so a panel
never shows a row its page would refuse.
"""

from django.db.models import Count, Max
from django.utils import timezone

from core.home import HomePanel, register_panel
from org.choices import Role
from org.roles import Cap, allowed_with, has_cap
from projects.choices import Colour, RebaselineStatus, ReportStatus

SHOWN = 8  # rows listed per panel; the link leads to the whole list


def register_panels():
    register_panel(HomePanel("my_reports", "我的填报", "projects/panels/my_reports.html",
                             allowed_with(Cap.SUBMIT_REPORTS), my_reports, order=1))
    register_panel(HomePanel("review", "审核与缺报", "projects/panels/review.html",
                             allowed_with(Cap.MANAGE_PROJECTS), review_and_missing, order=2))
    register_panel(HomePanel("red", "我的分包", "projects/panels/red.html",
                             lambda u: u.is_authenticated and u.role == Role.CITY_LEADER,
                             red_projects, order=2))


def my_reports(user) -> dict:
    """This period's reports still owed, and reports the office sent back."""
    from projects.models import ProgressReport, Project
    from projects.selectors import due_projects

    owed = [r for r in due_projects(user)
            if r["report"] is None or r["report"].status in (ReportStatus.DRAFT, ReportStatus.MISSING)]
    returned = (ProgressReport.objects.filter(project__in=Project.objects.editable_by(user),
                                              status=ReportStatus.RETURNED)
                .select_related("project").order_by("-period_start"))
    return {"owed": owed[:SHOWN], "owed_count": len(owed),
            "returned": list(returned[:SHOWN]), "returned_count": returned.count()}


def review_and_missing(user) -> dict:
    """The office's queue (true counts) and the units whose reports are missing for the
    latest period that has missing rows (rows are written by recompute_status at the deadline)."""
    from projects.models import ProgressReport, Project, RebaselineRequest

    visible = Project.objects.visible_to(user)
    reports = ProgressReport.objects.filter(project__in=visible)
    waiting = reports.filter(status=ReportStatus.SUBMITTED).count()
    rebaselines = RebaselineRequest.objects.filter(milestone__project__in=visible,
                                                   status=RebaselineStatus.PENDING).count()
    missing = reports.filter(status=ReportStatus.MISSING, deadline__lt=timezone.now())
    latest = missing.aggregate(latest=Max("period_start"))["latest"]
    units = []
    if latest is not None:
        units = list(missing.filter(period_start=latest)
                     .values("project__lead_unit__name")
                     .annotate(n=Count("pk")).order_by("-n", "project__lead_unit__name"))
    return {"waiting": waiting, "rebaselines": rebaselines, "missing_period": latest,
            "missing_units": units[:SHOWN], "missing_unit_count": len(units)}


def red_projects(user) -> dict:
    """我的分包: a leader's red projects (their assignments), each with its first reason,
    and how many are red and yellow, linking to the page with the measures (我的分包)."""
    from projects.models import Project

    if not has_cap(user, Cap.VIEW_PROJECTS):
        return {"red": [], "red_count": 0, "yellow_count": 0}
    visible = Project.objects.visible_to(user)
    counts = dict(visible.filter(status__overall__in=(Colour.RED, Colour.YELLOW))
                  .values_list("status__overall").annotate(n=Count("pk")).order_by())
    red = (visible.filter(status__overall=Colour.RED)
           .select_related("status", "lead_unit").order_by("code"))
    return {"red": list(red[:SHOWN]), "red_count": counts.get(Colour.RED, 0),
            "yellow_count": counts.get(Colour.YELLOW, 0)}
