"""Read-side queries shared by pages, API and exports: the ledger row with its figures."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone

from projects.choices import REPORTING_STAGES, ReportStatus
from projects.models import ProgressReport, Project, ProjectYearPlan

FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class MoneyField(DecimalField):
    """A 万元 amount read back from a subquery, to the cent on every database.

    SQLite's backend quantizes only plain columns: a subquery came back as
    1234.56000000000, and a figure computed from it (the import's 本期完成投资)
    failed the 2-decimal validation that PostgreSQL's NUMERIC passed.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


def _ledger_figures(qs, year):
    latest = ProgressReport.objects.filter(project=OuterRef("pk"), status__in=FILED,
                                           period_start__year=year).order_by("-period_start")
    return qs.annotate(
        year_planned=Subquery(ProjectYearPlan.objects.filter(
            project=OuterRef("pk"), year=year).values("planned_investment")[:1],
            output_field=MoneyField()),
        year_actual=Subquery(latest.values("investment_year_cumulative")[:1],
                             output_field=MoneyField()),
        progress_percent=Subquery(latest.values("progress_percent")[:1]),
        progress_text=Subquery(latest.values("progress_text")[:1]),
    )


def ledger_rows(qs, year: int | None = None):
    """Projects with this year's plan, reported cumulative and 形象进度, in a fixed query count."""
    year = year or timezone.localdate().year
    return _ledger_figures(qs.select_related(
        "lead_unit", "leader__person", "category", "task", "programme", "status",
        "responsible_person"), year)


def ledger_import_rows(qs, year: int):
    """The ledger rows the import compares against: the figures, and only the relations it
    reads (plan for the reporting period, the linked person's name, and what
    Project.clean() checks on a changed row); the full `ledger_rows` joins built
    tens of thousands of model instances for nothing on a 5,000-row file."""
    return _ledger_figures(qs.select_related("plan", "responsible_person", "category", "task",
                                             "programme"), year)


# The columns the Excel ledger prints; loading only these keeps 5,000-row exports cheap.
EXPORT_COLUMNS = ("code", "name", "content", "total_investment", "problems", "lead_unit__name",
                  "responsible_person__name", "responsible_name", "leader__person__name",
                  "status__overall")


def ledger_export_rows(qs, year: int | None = None):
    year = year or timezone.localdate().year
    return _ledger_figures(qs.select_related("lead_unit", "responsible_person", "leader__person",
                                             "status").only(*EXPORT_COLUMNS), year)


def enrich(projects, year: int | None = None, *, prefetch=()) -> list:
    """The ledger rows (figures and related names) for an already-paginated page.

    Filtering, sorting and paging run on the bare project table; only the rows
    shown are joined and annotated, so a page costs the same whatever the total.
    """
    ids = [p.pk for p in projects]
    rows = ledger_rows(Project.objects.filter(pk__in=ids), year)
    if prefetch:
        rows = rows.prefetch_related(*prefetch)
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def due_projects(user, now=None):
    """The reporter's 本周待填报: own unit's reporting projects and this period's report."""
    from projects import engine

    now = now or timezone.now()
    projects = list(Project.objects.editable_by(user).filter(stage__in=REPORTING_STAGES)
                    .select_related("plan", "status").order_by("code"))
    rows = []
    starts = {}
    for project in projects:
        if project.plan_id not in starts:
            reporting = engine.reporting_for(project.plan)
            start = reporting.period_start(timezone.localdate(now))
            starts[project.plan_id] = (start, reporting.deadline(start))
    reports = {(r.project_id, r.period_start): r for r in ProgressReport.objects.filter(
        project__in=projects, period_start__in={s for s, _ in starts.values()})}
    for project in projects:
        start, deadline = starts[project.plan_id]
        rows.append({"project": project, "period_start": start, "deadline": deadline,
                     "report": reports.get((project.pk, start))})
    return rows


def still_due(row) -> bool:
    """A due-list row the unit still owes: nothing filed, or returned, missing, draft."""
    return row["report"] is None or row["report"].status not in FILED


def last_filed_report(project):
    """The latest filed (submitted or accepted) report, whatever its period."""
    return (ProgressReport.objects.filter(project=project, status__in=FILED)
            .order_by("-period_start").first())


def carried_over(report) -> dict:
    """沿用上周: the report form's initial values when nothing changed since `report`.

    The picture (形象进度 and its text) and the problems still open are carried. Money is
    not copied: 本期完成投资 starts at 0 and 年度累计 is left blank, so it is computed as
    last week's cumulative plus whatever is typed for this period — a copied period figure
    would be counted twice. Milestones reached and a correction note are this week's own.
    """
    if report is None:
        return {}
    problems = [p for p in report.problem_items.active().filter(resolved=False)
                .prefetch_related("coordinate_units").order_by("pk")]
    units = {u.pk for p in problems for u in p.coordinate_units.all()}
    return {"progress_percent": report.progress_percent, "progress_text": report.progress_text,
            "investment_period": Decimal("0"), "investment_year_cumulative": None,
            "problem": "；".join(p.description for p in problems),
            "coordinate_units": sorted(units)}
