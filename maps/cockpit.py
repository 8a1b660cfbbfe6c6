"""驾驶舱: the office's figures, computed for the user's scope (a leader sees their own)."""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from projects.choices import COLOUR_RANK, Colour
from projects.models import ProgressReport, Project, ProjectStatus, ProjectYearPlan, StatusTransition
from projects.status import schedule_to_date

TREND_WEEKS = 12
FILED = ("submitted", "accepted")


def cockpit_data(user, today=None) -> dict:
    today = today or timezone.localdate()
    projects = Project.objects.visible_to(user)
    ids = projects.values("pk")
    return {
        "as_of": today.isoformat(),
        "total": projects.count(),
        "colours": _colour_counts(ids),
        "by_category": _split(projects, "category__name"),
        "by_task": _split(projects, "task__name"),
        "by_district": _split(projects.exclude(core_district=None), "core_district__name"),
        "investment": _investment(ids, today),
        "trend": _trend(ids, today),
        "lagging": _lagging(ids),
        "units": _units(projects),
    }


def _colour_counts(ids) -> dict:
    counts = dict.fromkeys(Colour.values, 0)
    for colour, n in (ProjectStatus.objects.filter(project__in=ids).order_by()
                      .values_list("overall").annotate(n=Count("project"))):
        counts[colour] = n
    return counts


def _split(qs, field) -> list[dict]:
    """Per category/task/district: projects per colour, in one grouped query."""
    rows = defaultdict(lambda: dict.fromkeys(Colour.values, 0))
    for name, colour, n in (qs.order_by().values_list(field, "status__overall")
                            .annotate(n=Count("pk"))):
        rows[name or "未分类"][colour or Colour.GREY] += n
    return [{"name": name, **counts} for name, counts in sorted(rows.items())]


def _investment(ids, today) -> dict:
    """This year's completed investment against the 序时 schedule and the year's plan."""
    planned = Decimal("0")
    schedule = Decimal("0")
    for plan in ProjectYearPlan.objects.filter(project__in=ids, year=today.year, archived_at=None):
        planned += plan.planned_investment
        schedule += schedule_to_date(plan.schedule(), today)
    latest = {}
    for pid, cumulative in (ProgressReport.objects.filter(
            project__in=ids, status__in=FILED, period_start__year=today.year)
            .order_by("project_id", "period_start")
            .values_list("project_id", "investment_year_cumulative")):
        latest[pid] = cumulative
    actual = sum(latest.values(), Decimal("0"))

    def pct(value):
        return float(round(value / planned * 100, 1)) if planned else 0.0

    return {"planned": float(planned), "schedule": float(round(schedule, 2)),
            "actual": float(actual), "schedule_pct": pct(schedule), "actual_pct": pct(actual)}


def _trend(ids, today) -> dict:
    """Projects per colour at the end of each of the last weeks, replayed from transitions."""
    ends = [today - timedelta(days=7 * i) for i in range(TREND_WEEKS - 1, -1, -1)]
    rows = (StatusTransition.objects.filter(project__in=ids, dimension="overall",
                                            as_of__lte=ends[-1])
            .order_by("as_of", "at", "id").values_list("project_id", "to_colour", "as_of"))
    current: dict[int, str] = {}
    series = {c: [] for c in (Colour.RED, Colour.YELLOW, Colour.GREEN)}
    pending = iter(rows)
    row = next(pending, None)
    for end in ends:
        while row is not None and row[2] <= end:
            current[row[0]] = row[1]
            row = next(pending, None)
        counts = Counter(current.values())
        for colour in series:
            series[colour].append(counts.get(colour, 0))
    return {"weeks": [d.strftime("%m-%d") for d in ends], **series}


def _lagging(ids, limit=10) -> list[dict]:
    statuses = (ProjectStatus.objects.filter(project__in=ids, overall=Colour.RED)
                .select_related("project__lead_unit").order_by("project__code"))
    ranked = sorted(statuses, key=lambda s: (-sum(COLOUR_RANK[getattr(s, d)] for d in
                                                  ("milestones", "investment", "reporting",
                                                   "procedures")), s.project.code))
    return [{"id": s.project_id, "code": s.project.code, "name": s.project.name,
             "unit": s.project.lead_unit.name, "reasons": s.all_reasons()[:3]}
            for s in ranked[:limit]]


def _units(projects, limit=15) -> list[dict]:
    rows = (projects.order_by().values("lead_unit__name")
            .annotate(red=Count("pk", filter=Q(status__overall=Colour.RED)),
                      yellow=Count("pk", filter=Q(status__overall=Colour.YELLOW)),
                      total=Count("pk"))
            .filter(Q(red__gt=0) | Q(yellow__gt=0))
            .order_by("-red", "-yellow", "lead_unit__name")[:limit])
    return [{"unit": r["lead_unit__name"], "red": r["red"], "yellow": r["yellow"],
             "total": r["total"]} for r in rows]
