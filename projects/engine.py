"""Load facts from the database, run the status engine, store colours and transitions.

`recompute(projects)` works in batches with a fixed number of queries per
batch (used by the nightly command); `recompute_one(project)` is the
incremental path run after a report, a milestone or a rule change.
"""

import contextlib
import contextvars
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from projects import periods
from projects.choices import (
    REPORTING_STAGES,
    Colour,
    Dimension,
    ProcedureStatus,
    ReportStatus,
    TransitionTrigger,
)
from projects.models import (
    Milestone,
    PlanReporting,
    ProcedureItem,
    ProgressReport,
    Project,
    ProjectStatus,
    ProjectYearPlan,
    StatusTransition,
)
from projects.status import (
    Facts,
    MilestoneFact,
    ProcedureFact,
    Rules,
    evaluate,
    schedule_to_date,
)

FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
DEFAULT_PRESET = "default"


def default_rule_set():
    from projects.presets import ensure_presets

    return ensure_presets()[DEFAULT_PRESET]


def reporting_for(plan) -> PlanReporting:
    reporting = PlanReporting.objects.filter(plan=plan).select_related("rule_set").first()
    if reporting is None:
        reporting = PlanReporting.objects.create(plan=plan, rule_set=default_rule_set())
    return reporting


def last_closed_period(reporting: PlanReporting, now) -> date:
    """The start of the latest period whose deadline has passed at `now`."""
    return periods.last_closed(reporting, now).start


@transaction.atomic
def record_missing_reports(now=None, projects=None) -> int:
    """Create MISSING rows for closed periods a reporting project did not file.

    Looks back from the last closed period to the project's latest report row
    (or its start), so reruns add nothing twice.
    """
    now = now or timezone.now()
    qs = projects if projects is not None else Project.objects.active()
    qs = qs.filter(stage__in=REPORTING_STAGES).select_related("plan")
    latest = dict(ProgressReport.objects.filter(project__in=qs).values("project")
                  .annotate(m=Max("period_start")).values_list("project", "m"))
    rows = []
    reportings: dict[int, PlanReporting] = {}
    for project in qs:
        reporting = reportings.get(project.plan_id) or reportings.setdefault(
            project.plan_id, reporting_for(project.plan))
        closed = last_closed_period(reporting, now)
        first = latest.get(project.pk)
        if first is not None:
            start = first + timedelta(days=reporting.cycle_days)
        else:
            start = reporting.period_start(project.start_date or timezone.localdate(
                project.created_at))
        while start <= closed:
            rows.append(ProgressReport(
                project=project, period_start=start, period_end=reporting.period_end(start),
                deadline=reporting.deadline(start), status=ReportStatus.MISSING))
            start += timedelta(days=reporting.cycle_days)
    ProgressReport.objects.bulk_create(rows)
    return len(rows)


def _missing_streaks(project_ids, today) -> dict[int, tuple[int, date | None]]:
    """Consecutive MISSING periods counted back from the most recent closed one."""
    # Deadlines up to the end of `today`, so a past date can be evaluated as it was then.
    until = _day_end(today)
    recent = (ProgressReport.objects.filter(project_id__in=project_ids,
                                            period_start__gte=today - timedelta(days=70),
                                            deadline__lte=until)
              .exclude(status=ReportStatus.DRAFT)
              .order_by("project_id", "-period_start")
              .values_list("project_id", "status", "deadline"))
    streaks: dict[int, tuple[int, date | None]] = {}
    broken: set[int] = set()
    for pid, status, deadline in recent:
        if pid in broken:
            continue
        count, last = streaks.get(pid, (0, None))
        if status == ReportStatus.MISSING:
            streaks[pid] = (count + 1, last or timezone.localdate(deadline))
        else:
            broken.add(pid)
    return streaks


def load_facts(projects: list[Project], today: date) -> dict[int, Facts]:
    ids = [p.pk for p in projects]
    milestones = defaultdict(list)
    for m in Milestone.objects.filter(project_id__in=ids, archived_at=None).order_by("seq"):
        milestones[m.project_id].append(MilestoneFact(m.name, m.planned_date, m.actual_date))
    procedures = defaultdict(list)
    for p in ProcedureItem.objects.filter(project_id__in=ids, archived_at=None):
        procedures[p.project_id].append(ProcedureFact(
            p.get_kind_display(), p.required_by,
            p.status in (ProcedureStatus.DONE, ProcedureStatus.NOT_NEEDED)))
    positions = _investment_positions(projects, today)
    years = {year for _, year, _ in positions.values()}
    year_plans = {(yp.project_id, yp.year): yp for yp in ProjectYearPlan.objects.filter(
        project_id__in=ids, year__in=years, archived_at=None)}
    streaks = _missing_streaks(ids, today)
    facts = {}
    for p in projects:
        as_of, year, actual = positions[p.pk]
        yp = year_plans.get((p.pk, year))
        streak, last = streaks.get(p.pk, (0, None))
        facts[p.pk] = Facts(
            today=today, stage=p.stage, stage_reason=p.stage_reason,
            milestones=tuple(milestones[p.pk]), procedures=tuple(procedures[p.pk]),
            year_planned=yp.planned_investment if yp else None,
            year_schedule_to_date=schedule_to_date(yp.schedule(), as_of) if yp else None,
            year_actual=actual, investment_as_of=as_of if yp else None,
            missing_streak=streak, last_missing_deadline=last)
    return facts


def planned_to_date(year: int, day: date, days: dict[int, date] | None = None
                    ) -> dict[int, tuple[Decimal, Decimal]]:
    """Per project with a live plan for `year`: (the year's planned investment, its 序时
    share on `day`, or on the project's own day in `days`), the monthly schedule read as
    the status engine reads it. Evaluation scores investment against this share, not
    against the whole year, taken on the day each project's reported figure refers to."""
    days = days or {}
    plans = ProjectYearPlan.objects.filter(year=year, archived_at=None, project__archived_at=None)
    return {yp.project_id: (yp.planned_investment,
                            schedule_to_date(yp.schedule(), days.get(yp.project_id, day)))
            for yp in plans.only("project_id", "planned_investment", "monthly_cumulative")}


def _day_end(today: date):
    """`now` as it was at the end of `today` (or now, if today is today)."""
    return min(timezone.now(), timezone.make_aware(datetime.combine(today, time.max)))


def _investment_positions(projects, today) -> dict[int, tuple[date, int, Decimal]]:
    """Per project: (the day its reported investment refers to, that figure's year, the
    reported cumulative of that year).

    A report's cumulative is a figure as of its period's end, so 序时 is taken on the same
    day: the end of the latest period that is either closed (its deadline has passed) or
    already filed, never after `today`. Comparing with today's 序时 instead would count the
    days since the last report as lag; and in the first days of January, before a period of
    the new year is due, the figures on the table are still last year's.
    """
    now = _day_end(today)
    reportings: dict[int, PlanReporting] = {}
    latest = _latest_filed(projects, today)
    positions = {}
    for project in projects:
        reporting = reportings.get(project.plan_id) or reportings.setdefault(
            project.plan_id, reporting_for(project.plan))
        period = last_closed_period(reporting, now)
        filed_period, cumulative = latest.get(project.pk, (None, None))
        if filed_period is not None and filed_period > period:
            period = filed_period
        year = period.year  # a period belongs to the year it starts in
        as_of = min(reporting.period_end(period), today, date(year, 12, 31))
        actual = cumulative if filed_period is not None and filed_period.year == year else None
        positions[project.pk] = (as_of, year, actual or Decimal("0"))
    return positions


def _latest_filed(projects, today) -> dict[int, tuple[date, Decimal]]:
    """Each project's latest filed report starting on or before `today` (since last year)."""
    ids = [p.pk for p in projects]
    qs = (ProgressReport.objects.filter(project_id__in=ids, status__in=FILED,
                                        period_start__lte=today,
                                        period_start__gte=date(today.year - 1, 1, 1))
          .values_list("project_id", "period_start", "investment_year_cumulative"))
    if _supports_distinct_on():
        rows = qs.order_by("project_id", "-period_start").distinct("project_id")
        return {pid: (start, cumulative) for pid, start, cumulative in rows}
    result = {}
    for pid, start, cumulative in qs.order_by("project_id", "period_start"):
        result[pid] = (start, cumulative)  # ascending order: the last one wins
    return result


def _supports_distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _rules_by_plan(projects) -> dict[int, Rules]:
    rules = {}
    for project in projects:
        if project.plan_id not in rules:
            reporting = reporting_for(project.plan)
            rules[project.plan_id] = Rules.from_rule_set(reporting.rule_set, reporting.cycle_days)
    return rules


def _store(project, result, status, now, today, trigger, transitions, rows, unchanged):
    """Collect the new status row and a transition per changed colour."""
    reasons = {dim: v.reasons for dim, v in result.dimensions.items()}
    reasons["overall"] = result.overall_reasons
    colours = {dim: v.colour for dim, v in result.dimensions.items()}
    colours["overall"] = result.overall
    previous = {} if status is None else {
        "overall": status.overall, **{d: getattr(status, d) for d in Dimension.values}}
    for dim, colour in colours.items():
        if previous.get(dim) != colour:
            transitions.append(StatusTransition(
                project_id=project.pk, dimension=dim, from_colour=previous.get(dim, ""),
                to_colour=colour,
                reasons=reasons.get(dim, []) if dim != "overall" else _all_reasons(reasons),
                at=now, as_of=today, trigger=trigger))
    if (status is not None and previous == colours and status.reasons == reasons
            and status.red_hold_until == result.red_hold_until):
        unchanged.append(project.pk)
        return
    rows.append(ProjectStatus(project_id=project.pk, overall=result.overall, reasons=reasons,
                              red_hold_until=result.red_hold_until, computed_at=now, as_of=today,
                              **{d: colours[d] for d in Dimension.values}))


def _all_reasons(reasons: dict) -> list[str]:
    return [r for dim in ("overall", *Dimension.values) for r in reasons.get(dim, [])]


@transaction.atomic
def recompute(projects, *, today: date | None = None, trigger=TransitionTrigger.SCHEDULE,
              batch_size: int = 1000) -> int:
    """Evaluate every given project; store statuses and colour transitions."""
    today = today or timezone.localdate()
    now = timezone.now()
    project_list = list(projects.select_related("plan") if hasattr(projects, "select_related")
                        else projects)
    count = 0
    for i in range(0, len(project_list), batch_size):
        batch = project_list[i:i + batch_size]
        rules = _rules_by_plan(batch)
        facts = load_facts(batch, today)
        statuses = {s.project_id: s for s in ProjectStatus.objects.filter(
            project_id__in=[p.pk for p in batch])}
        transitions, rows, unchanged = [], [], []
        for project in batch:
            status = statuses.get(project.pk)
            result = evaluate(facts[project.pk], rules[project.plan_id],
                              previous_overall=status.overall if status else None,
                              red_hold_until=status.red_hold_until if status else None)
            _store(project, result, status, now, today, trigger, transitions, rows, unchanged)
        # Changed rows are replaced (delete + insert beats a per-row CASE update);
        # unchanged rows only get the new computation date, in one statement.
        ProjectStatus.objects.filter(project_id__in=[r.project_id for r in rows]).delete()
        ProjectStatus.objects.bulk_create(rows)
        ProjectStatus.objects.filter(project_id__in=unchanged).update(computed_at=now, as_of=today)
        StatusTransition.objects.bulk_create(transitions)
        count += len(batch)
    return count


_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "chengjian_deferred_recompute", default=None)


def recompute_one(project: Project, trigger: str, today: date | None = None):
    """The incremental path: one project, a handful of queries.

    Inside `deferred_recompute()` (bulk imports) the project is only noted and
    recomputed with the others, in batch, when the block ends.
    """
    pending = _deferred.get()
    if pending is not None:
        pending.setdefault(project.pk, trigger)
        return None
    recompute(Project.objects.filter(pk=project.pk), today=today, trigger=trigger)
    return ProjectStatus.objects.get(project_id=project.pk)


@contextlib.contextmanager
def deferred_recompute(trigger: str = TransitionTrigger.REPORT):
    """Collect the projects touched in the block; recompute them once at the end."""
    if _deferred.get() is not None:  # already deferring: the outer block recomputes
        yield
        return
    pending: dict = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        recompute(Project.objects.filter(pk__in=list(pending)), trigger=trigger)


def colour_counts(projects) -> dict[str, int]:
    """Projects per overall colour, counted by the database (one GROUP BY query)."""
    from django.db.models import Count

    counts = dict.fromkeys(Colour.values, 0)
    rows = (ProjectStatus.objects.filter(project__in=projects).order_by()
            .values_list("overall").annotate(n=Count("project")))
    for colour, n in rows:
        counts[colour] = n
    return counts

