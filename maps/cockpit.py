"""驾驶舱: the office's figures, computed for the user's scope (a leader sees their own)."""

import calendar
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone

from projects.choices import Colour
from projects.models import ProgressReport, Project, ProjectStatus, ProjectYearPlan, StatusTransition
from projects.status import even_schedule

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
    """This year's completed investment against the 序时 schedule and the year's plan.

    The 序时 sum is taken month by month in SQL: the schedule is the same shape for
    every project (cumulative amounts at month ends), so only this month's and last
    month's entries are read; the reported cumulative is each project's latest report.
    """
    plans = ProjectYearPlan.objects.filter(project__in=ids, year=today.year, archived_at=None)
    planned = plans.aggregate(s=Sum("planned_investment"))["s"] or Decimal("0")
    schedule = Decimal("0")
    for amount, months in plans.values_list("planned_investment", "monthly_cumulative"):
        schedule += _schedule_now(amount, months, today)
    latest = (ProgressReport.objects.filter(project=OuterRef("pk"), status__in=FILED,
                                            period_start__year=today.year,
                                            period_start__lte=today)
              .order_by("-period_start").values("investment_year_cumulative")[:1])
    actual = (Project.objects.filter(pk__in=ids).annotate(latest=Subquery(latest))
              .aggregate(s=Sum("latest"))["s"]) or Decimal("0")

    def pct(value):
        return float(round(value / planned * 100, 1)) if planned else 0.0

    return {"planned": float(planned), "schedule": float(round(schedule, 2)),
            "actual": float(actual), "schedule_pct": pct(schedule), "actual_pct": pct(actual)}


def _schedule_now(amount, months, today) -> Decimal:
    """序时 amount today, as projects.status.schedule_to_date, reading only two months."""
    months = months or even_schedule(amount)
    end = Decimal(str(months[today.month - 1]))
    before = Decimal(str(months[today.month - 2])) if today.month > 1 else Decimal("0")
    days = calendar.monthrange(today.year, today.month)[1]
    return before + (end - before) * Decimal(today.day) / Decimal(days)


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
    """Red projects, most red and yellow dimensions first (ranked in SQL)."""
    def rank(dim):
        return Case(When(**{dim: Colour.RED}, then=3), When(**{dim: Colour.YELLOW}, then=2),
                    default=0, output_field=IntegerField())

    statuses = (ProjectStatus.objects.filter(project__in=ids, overall=Colour.RED)
                .annotate(rank=rank("milestones") + rank("investment") + rank("reporting")
                          + rank("procedures"))
                .select_related("project__lead_unit").order_by("-rank", "project__code")[:limit])
    return [{"id": s.project_id, "code": s.project.code, "name": s.project.name,
             "unit": s.project.lead_unit.name, "reasons": s.all_reasons()[:3]}
            for s in statuses]


def _units(projects, limit=15) -> list[dict]:
    rows = (projects.order_by().values("lead_unit__name")
            .annotate(red=Count("pk", filter=Q(status__overall=Colour.RED)),
                      yellow=Count("pk", filter=Q(status__overall=Colour.YELLOW)),
                      total=Count("pk"))
            .filter(Q(red__gt=0) | Q(yellow__gt=0))
            .order_by("-red", "-yellow", "lead_unit__name")[:limit])
    return [{"unit": r["lead_unit__name"], "red": r["red"], "yellow": r["yellow"],
             "total": r["total"]} for r in rows]
