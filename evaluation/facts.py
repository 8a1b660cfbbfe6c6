"""The facts evaluation scores, per unit, each with the rows behind it named.

The figures come from the apps' public read functions — `projects.facts`,
`supervision.facts`, `cases.facts` and `projects.engine.planned_to_date` (the 序时 share of a year plan on
a day). Those list the rows behind a figure by id; the rows are named here, one query per
kind, so that a score stores its drill-down (which milestone, which report, which item)
when it is computed and a published result never has to look anything up again.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from cases import facts as case_facts
from evaluation.choices import Fact, FactKind
from plans.models import Plan
from projects import engine as project_engine
from projects import facts as project_facts
from projects import periods
from projects.choices import ReportStatus
from projects.models import Milestone, ProgressReport, Project
from supervision import facts as supervision_facts
from supervision.choices import ActionItemStatus
from supervision.models import ActionItem, Rectification

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
# Ids per IN (...) list: under the 999 parameters an older SQLite allows in one statement.
CHUNK = 900


@dataclass
class Row:
    """One row behind a figure, as it is stored with the score (evaluation.ScoreFact)."""

    kind: str
    object_id: int
    on_time: bool
    name: str = ""
    parent_id: int | None = None
    parent_name: str = ""
    day: date | None = None
    day_end: date | None = None
    done_on: date | None = None
    state: str = ""
    planned: Decimal | None = None
    planned_to_date: Decimal | None = None


@dataclass
class UnitFact:
    """A unit's figure for one fact: achieved of target, and the rows behind it."""

    achieved: Decimal
    target: Decimal
    rows: list[Row] = field(default_factory=list)

    @property
    def value(self) -> Decimal | None:
        """The completion rate (1 = 100 %), to the precision it is stored with, so the
        stored figures reproduce the points; None when nothing was due."""
        return (self.achieved / self.target).quantize(RATE) if self.target else None

    @property
    def late(self) -> int:
        return sum(1 for row in self.rows if not row.on_time)


def collect(start: date, end: date, as_of: date, facts) -> dict[str, dict[int, UnitFact]]:
    """{fact: {unit id: UnitFact}} for the facts named (only those are loaded).

    `as_of` is the last day investment is measured on: the period's end, or today while
    the period runs (a 序时 share of a day still to come would count the future as lag).
    """
    loaders = {
        Fact.INVESTMENT: lambda: investment(end, as_of),
        Fact.MILESTONES: lambda: counted(FactKind.MILESTONE,
                                         project_facts.milestones_by_unit(start, end),
                                         _milestones),
        Fact.REPORTS: lambda: counted(FactKind.REPORT, reports_by_unit(start, end), _reports),
        Fact.ACTION_ITEMS: lambda: counted(FactKind.ACTION_ITEM,
                                           supervision_facts.action_items_by_unit(start, end),
                                           _action_items),
        Fact.RECTIFICATION: lambda: counted(FactKind.RECTIFICATION,
                                            supervision_facts.rectifications_by_unit(start, end),
                                            _rectifications),
        Fact.CASES_ON_TIME: lambda: counted(FactKind.CASE,
                                            case_facts.on_time_by_unit(start, end), _cases),
    }
    return {fact: loaders[fact]() for fact in dict.fromkeys(facts)}


def reports_by_unit(start: date, end: date) -> dict[int, dict]:
    """{unit: {"on_time": [report ids], "late": [...]}}: the reports owed in the evaluation,
    those of the periods whose deadline falls in it, each plan by its own reporting calendar
    (projects.periods) — the periods the meeting pack, the bulletin and 报送情况 count. A
    week that starts before the evaluation and is due in it belongs to it; a week due after
    its end belongs to the next one (counting by start date had both wrong)."""
    facts: dict[int, dict] = defaultdict(lambda: {"on_time": [], "late": []})
    for pk, unit, status, late in (ProgressReport.objects.filter(
            periods.reports_due_in(start, end), project__archived_at=None)
            .exclude(status=ReportStatus.DRAFT)
            .values_list("pk", "project__lead_unit_id", "status", "is_late")):
        on_time = status in project_engine.FILED and not late
        facts[unit]["on_time" if on_time else "late"].append(pk)
    return facts


def investment(end: date, as_of: date) -> dict[int, UnitFact]:
    """The year's reported investment against the 序时 share of the year plans, each
    project's share taken on the day its reported figure refers to (see _measured_on)."""
    year = as_of.year
    rows = (Project.objects.filter(year_plans__year=year, year_plans__archived_at=None,
                                   archived_at=None)
            .annotate(report=Subquery(_counted_report(year, end, as_of)))
            .values_list("pk", "name", "lead_unit_id", "plan_id", "report").distinct())
    projects, report_ids = {}, []
    for pk, name, unit, plan, report in rows:
        projects[pk] = (name, unit, plan)
        report_ids += [report] if report else []
    reported = _reported(report_ids)
    days = _measured_on(projects, reported, as_of)
    plans = project_engine.planned_to_date(year, as_of, days={
        pk: max(day, date(year, 1, 1)) for pk, day in days.items()})
    out: dict[int, UnitFact] = {}
    for pk, (year_plan, to_date) in plans.items():
        name, unit, _ = projects[pk]
        if days[pk].year < year:  # no period of this year has closed: nothing is due yet
            to_date = Decimal("0")
        fact = out.setdefault(unit, UnitFact(achieved=Decimal("0"), target=Decimal("0")))
        fact.achieved += reported.get(pk, (None, Decimal("0")))[1]
        fact.target += to_date.quantize(CENT)
        fact.rows.append(Row(FactKind.PROJECT, pk, True, name=name, day=days[pk],
                             planned=year_plan, planned_to_date=to_date.quantize(CENT)))
    return out


def _counted_report(year, end, as_of):
    """A project's latest counted report, as a subquery.

    A filed report's cumulative describes its period's end, or the day it was filed if
    that came first (a figure cannot describe a later day). A report counts when that day
    is within the evaluation: at a half-year's end, the week that runs into July is left
    to the next half, while a report filed today for the running week counts today.
    As the status engine reads them, a period belongs to the year it starts in.
    """
    filed_by = timezone.make_aware(datetime.combine(end, time.max))
    return (ProgressReport.objects.filter(
        project=OuterRef("pk"), status__in=project_engine.FILED, period_start__year=year,
        period_start__lte=as_of)
        .filter(Q(period_end__lte=end) | Q(submitted_at__lte=filed_by))
        .order_by("-period_start").values("pk")[:1])


def _reported(report_ids) -> dict[int, tuple[date, Decimal]]:
    """{project: (the day its counted figure refers to, the year's cumulative)}."""
    return {project: (min(period_end, _local_day(submitted) or period_end), cumulative or 0)
            for project, period_end, submitted, cumulative in _by_ids(
                ProgressReport.objects.all(), report_ids, "project_id", "period_end",
                "submitted_at", "investment_year_cumulative")}


def _measured_on(projects, reported, as_of) -> dict[int, date]:
    """{project: the day its 序时 share is taken on}, as the status engine takes it
    (projects.engine._investment_positions): the end of the latest period either counted
    or closed (its deadline passed) by `as_of`, never after `as_of`.

    序时 today against a figure up to a week old would count the days since as lag; and a
    project that stopped reporting is still measured on the last period it owed, so
    silence does not freeze its rate.
    """
    now = min(timezone.now(), timezone.make_aware(datetime.combine(as_of, time.max)))
    closed = {}
    for plan in Plan.objects.filter(pk__in={plan for _, _, plan in projects.values()}):
        reporting = project_engine.reporting_for(plan)
        closed[plan.pk] = reporting.period_end(project_engine.last_closed_period(reporting, now))
    days = {}
    for pk, (_, _, plan) in projects.items():
        day = closed[plan]
        if pk in reported:
            day = max(day, reported[pk][0])
        days[pk] = min(day, as_of)
    return days


def counted(kind: str, figures: dict, namer) -> dict[int, UnitFact]:
    """A fact made of rows on time and late: on time of all. Each late row (what cost the
    unit points) is named by `namer`; rows on time are counted. Naming those too would
    store a row per weekly report filed on time — 220,000 for the large demo city's year,
    15 s of a computation that must stay within 5."""
    named = namer({pk for f in figures.values() for pk in f["late"]})
    out = {}
    for unit, f in figures.items():
        rows = [Row(kind, pk, False, **named.get(pk, {})) for pk in f["late"]]
        out[unit] = UnitFact(achieved=Decimal(len(f["on_time"])),
                             target=Decimal(len(f["on_time"]) + len(f["late"])), rows=rows)
    return out


def _by_ids(queryset, ids, *fields):
    ids = sorted(ids)
    for i in range(0, len(ids), CHUNK):
        yield from queryset.filter(pk__in=ids[i:i + CHUNK]).values_list(*fields)


def _local_day(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def _milestones(ids) -> dict[int, dict]:
    return {pk: {"name": name, "day": planned, "done_on": actual, "parent_id": project,
                 "parent_name": project_name}
            for pk, name, planned, actual, project, project_name in _by_ids(
                Milestone.objects.all(), ids, "pk", "name", "planned_date", "actual_date",
                "project_id", "project__name")}


def _report_state(status, is_late) -> str:
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        return "逾期报送" if is_late else ReportStatus(status).label
    return ReportStatus(status).label  # 未报送, 已退回


def _reports(ids) -> dict[int, dict]:
    return {pk: {"parent_id": project, "parent_name": project_name, "day": start,
                 "day_end": end, "done_on": _local_day(submitted),
                 "state": _report_state(status, is_late)}
            for pk, project, project_name, start, end, status, is_late, submitted in _by_ids(
                ProgressReport.objects.all(), ids, "pk", "project_id", "project__name",
                "period_start", "period_end", "status", "is_late", "submitted_at")}


def _action_items(ids) -> dict[int, dict]:
    return {pk: {"name": title, "day": deadline, "done_on": _local_day(closed),
                 "state": ActionItemStatus(status).label}
            for pk, title, deadline, closed, status in _by_ids(
                ActionItem.objects.all(), ids, "pk", "title", "deadline", "closed_at", "status")}


def _rectifications(ids) -> dict[int, dict]:
    # Named by the bulletin that asked for them: what a unit is judged on is its feedback by
    # the bulletin's deadline (supervision.facts says whether it came in time).
    return {pk: {"name": f"{title}（{year}年第{number}期）" if number else title,
                 "parent_id": bulletin, "parent_name": title, "day": deadline}
            for pk, bulletin, title, year, number, deadline in _by_ids(
                Rectification.objects.all(), ids, "pk", "bulletin_id", "bulletin__title",
                "bulletin__year", "bulletin__number", "bulletin__rectification_deadline")}



def _cases(ids) -> dict[int, dict]:
    # A case late or still overdue: its number and type, its deadline, when it was closed.
    return {pk: {"name": f"{c['number']} {c['type_name']}", "day": _local_day(c["deadline_at"]),
                 "done_on": _local_day(c["closed_at"]), "state": c["state_label"]}
            for pk, c in case_facts.describe(ids).items()}
