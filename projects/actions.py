"""Every state change of the ledger. Views, API, Excel import, demo and commands call these.

Each action checks the rule, writes in one transaction, and recomputes the
project's colour incrementally (the nightly command recomputes everything).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone

from core.history import current_context
from core.workflow import Review
from geo.geometry import parse_geojson
from org.roles import Cap, has_cap
from plans.choices import PlanStatus
from projects import engine, notices
from projects.choices import (
    ProcedureClaimStatus,
    ProcedureStatus,
    RebaselineStatus,
    ReportStatus,
    Stage,
    TransitionTrigger,
)
from projects.models import (
    Attachment,
    Milestone,
    ProcedureClaim,
    ProcedureItem,
    ProgressReport,
    Project,
    ProjectYearPlan,
    RebaselineRequest,
    ReportProblem,
)
from projects.status import even_schedule

EDITABLE_REPORT_STATES = (ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.MISSING)

# The review rules (core.workflow): a returned report needs a reason; an accepted report
# may still be returned (a mistake found later); nobody decides on what they filed.
REPORT_REVIEW = Review(what="填报", filed_word="已提交", reviewable=(ReportStatus.SUBMITTED,),
                       accepted=ReportStatus.ACCEPTED, returned=ReportStatus.RETURNED,
                       reason_field="return_reason")
REPORT_RETURN = replace(REPORT_REVIEW, reviewable=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED))
REBASELINE_DECISION = Review(what="调整申请", filed_word="待审批",
                             reviewable=(RebaselineStatus.PENDING,),
                             accepted=RebaselineStatus.APPROVED,
                             returned=RebaselineStatus.REJECTED, reason_field="decision_note",
                             accept_verb="批准", return_verb="驳回", reason_required=False)


# --- permission rules ----------------------------------------------------------


def require_manager(user):
    if user is not None and not has_cap(user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以执行此操作。")


def require_reporter_for(project: Project, user):
    """The lead unit's reporters (and the office) may file for a project."""
    if user is None:
        return
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
        raise PermissionDenied("只有项目责任单位可以填报该项目。")


# --- projects ------------------------------------------------------------------


def _next_code(plan, category) -> str:
    prefix = f"{plan.start_year}-{category.code}-"
    # Longest first, then highest: "-1000" sorts after "-999" as text but is later.
    last = (Project.objects.filter(code__startswith=prefix)
            .order_by(Length("code").desc(), "-code").values_list("code", flat=True).first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


def _apply_geometry(project: Project, geometry):
    if geometry in (None, ""):
        project.geometry = None
        project.min_lon = project.min_lat = project.max_lon = project.max_lat = None
        return
    shape = parse_geojson(geometry)
    project.geometry = geometry
    project.min_lon, project.min_lat, project.max_lon, project.max_lat = shape.bounds


def do_create_project(*, plan, category, name, lead_unit, total_investment, acting_user=None,
                      geometry=None, cooperating_units=(), code=None, **fields) -> Project:
    """Create a ledger project; its code (e.g. 2024-JC-001) is generated once and never changes."""
    require_manager(acting_user)
    for attempt in range(3):  # two creators may race for the same sequence number
        try:
            with transaction.atomic():
                project = Project(plan=plan, category=category, name=name, lead_unit=lead_unit,
                                  total_investment=Decimal(total_investment), **fields)
                project.code = code or _next_code(plan, category)
                _apply_geometry(project, geometry)
                project.full_clean()
                project.save()
                if cooperating_units:
                    project.cooperating_units.set(cooperating_units)
                engine.recompute_one(project, TransitionTrigger.PROJECT)
                return project
        except IntegrityError:
            if code or attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def do_update_project(project: Project, *, acting_user=None, geometry="unchanged",
                      cooperating_units=None, **fields) -> Project:
    require_manager(acting_user)
    if fields.get("responsible_person") is not None and project.responsible_name:
        fields = {**fields, "responsible_name": ""}  # the imported name is now linked
    if geometry != "unchanged":
        _apply_geometry(project, geometry)
        fields = {**fields, "geometry": project.geometry}
    # Validate what changed (and the model-wide rules in clean()); re-checking every
    # untouched foreign key would cost a query each.
    validate_project_change(project, fields)
    project.save()
    if cooperating_units is not None:
        project.cooperating_units.set(cooperating_units)
    engine.recompute_one(project, TransitionTrigger.PROJECT)
    return project


def validate_project_change(project: Project, fields: dict) -> None:
    """Set and validate changed fields on an instance (no database writes)."""
    for key, value in fields.items():
        setattr(project, key, value)
    unchanged = [f.name for f in Project._meta.fields if f.name not in fields]
    project.full_clean(exclude=unchanged)


@transaction.atomic
def do_bulk_update_projects(changes: list[tuple[Project, dict]], *, acting_user=None) -> int:
    """Apply master-data changes to many projects at once (the Excel import).

    Each instance must already carry its changes (see validate_project_change);
    rows are written and their history recorded in batches, then the projects
    are recomputed together.
    """
    if not changes:
        return 0
    require_manager(acting_user)
    by_fields: dict[tuple, list[Project]] = {}
    for project, fields in changes:
        by_fields.setdefault(tuple(sorted(fields)), []).append(project)
    for fields, projects in by_fields.items():
        Project.objects.tracked_bulk_update(projects, list(fields))
    for project, _ in changes:
        engine.recompute_one(project, TransitionTrigger.PROJECT)
    return len(changes)


@transaction.atomic
def do_change_stage(project: Project, stage: str, *, on: date | None = None, reason: str = "",
                    acting_user=None) -> Project:
    """Move a project along 谋划 → 前期 → 在建 → 竣工 → 投用, or 停工/复工 with a reason."""
    require_reporter_for(project, acting_user)
    if stage == Stage.SUSPENDED and not reason.strip():
        raise ValidationError({"stage_reason": "停工须说明原因。"})
    if project.stage == Stage.SUSPENDED and stage != Stage.SUSPENDED and not reason.strip():
        raise ValidationError({"stage_reason": "复工须说明情况。"})
    project.stage = stage
    project.stage_changed_on = on or timezone.localdate()
    project.stage_reason = reason.strip()
    project.save()
    engine.recompute_one(project, TransitionTrigger.PROJECT)
    return project


def rescale_schedule(schedule: list[Decimal], amount: Decimal) -> list[Decimal]:
    """The same 序时 shape for a new year total (each month keeps its share)."""
    old = schedule[-1] if schedule else Decimal("0")
    if not old:
        return even_schedule(amount)
    values = [(v * amount / old).quantize(Decimal("0.01")) for v in schedule[:-1]]
    return [min(v, amount) for v in values] + [amount]


@transaction.atomic
def do_set_year_plan(project: Project, year: int, planned_investment, *, monthly=None,
                     acting_user=None) -> ProjectYearPlan:
    """Set a year's planned investment and, with `monthly`, its 序时 schedule (12 cumulative
    amounts, the last one the total). Without `monthly` a new plan is spread evenly and an
    existing schedule is rescaled to the new total, keeping its shape."""
    require_manager(acting_user)
    amount = Decimal(planned_investment)
    plan = ProjectYearPlan.objects.filter(project=project, year=year).first() or \
        ProjectYearPlan(project=project, year=year)
    if monthly:
        schedule = [Decimal(str(v)) for v in monthly]
    elif plan.pk and plan.monthly_cumulative:
        schedule = rescale_schedule(plan.schedule(), amount)
    else:
        schedule = even_schedule(amount)
    plan.planned_investment = amount
    plan.monthly_cumulative = [str(v) for v in schedule]
    plan.full_clean()
    plan.save()
    engine.recompute_one(project, TransitionTrigger.PROJECT)
    return plan


@transaction.atomic
def do_set_procedure(project: Project, kind: str, *, status=ProcedureStatus.PENDING,
                     required_by=None, done_on=None, document_no="", acting_user=None):
    require_reporter_for(project, acting_user)
    item = ProcedureItem.objects.filter(project=project, kind=kind).first() or \
        ProcedureItem(project=project, kind=kind)
    item.status, item.required_by, item.done_on = status, required_by, done_on
    item.document_no = document_no
    if status == ProcedureStatus.DONE and done_on is None:
        item.done_on = timezone.localdate()
    item.full_clean()
    item.save()
    engine.recompute_one(project, TransitionTrigger.PROJECT)
    return item


# --- milestones ----------------------------------------------------------------


def _plan_approved(project) -> bool:
    return project.plan.status == PlanStatus.APPROVED


@transaction.atomic
def do_add_milestone(project: Project, *, name, planned_date, weight=Decimal("1"),
                     acting_user=None, recompute=True) -> Milestone:
    require_manager(acting_user)
    seq = (project.milestones.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    milestone = Milestone(project=project, seq=seq, name=name, planned_date=planned_date,
                          baseline_date=planned_date, weight=weight)
    milestone.full_clean()
    milestone.save()
    if recompute:
        engine.recompute_one(project, TransitionTrigger.MILESTONE)
    return milestone


@transaction.atomic
def do_move_milestone(milestone: Milestone, new_date: date, *, acting_user=None) -> Milestone:
    """Move a planned date directly: only while the plan is still a draft."""
    require_manager(acting_user)
    if _plan_approved(milestone.project):
        raise ValidationError("计划已批准，调整节点日期须提交调整申请并经办公室批准。")
    milestone.planned_date = milestone.baseline_date = new_date
    milestone.save()
    engine.recompute_one(milestone.project, TransitionTrigger.MILESTONE)
    return milestone


@transaction.atomic
def do_request_rebaseline(milestone: Milestone, new_date: date, *, reason: str,
                          acting_user) -> RebaselineRequest:
    require_reporter_for(milestone.project, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": "请填写调整理由。"})
    if milestone.actual_date:
        raise ValidationError("节点已完成，不能调整计划日期。")
    if RebaselineRequest.objects.filter(milestone=milestone,
                                        status=RebaselineStatus.PENDING).exists():
        raise ValidationError("该节点已有待审批的调整申请。")
    return RebaselineRequest.objects.create(
        milestone=milestone, old_date=milestone.planned_date, new_date=new_date,
        reason=reason.strip(), requested_by=acting_user)


@transaction.atomic
def do_decide_rebaseline(request: RebaselineRequest, *, approve: bool, note: str = "",
                         acting_user) -> RebaselineRequest:
    """The office approves (the planned date moves, the baseline stays) or rejects."""
    require_manager(acting_user)
    request.decision_note = REBASELINE_DECISION.decide(
        request, accept=approve, reason=note, acting_user=acting_user,
        filed_by_id=request.requested_by_id)
    request.decided_by, request.decided_at = acting_user, timezone.now()
    request.save()
    if approve:
        milestone = request.milestone
        milestone.planned_date = request.new_date
        milestone.save()
        engine.recompute_one(milestone.project, TransitionTrigger.MILESTONE)
    return request


@transaction.atomic
def do_complete_milestone(milestone: Milestone, actual_date: date, *, acting_user=None,
                          report=None) -> Milestone:
    require_reporter_for(milestone.project, acting_user)
    if actual_date > timezone.localdate():
        raise ValidationError("实际完成日期不能晚于今天。")
    milestone.actual_date = actual_date
    milestone.reached_in = report
    milestone.save()
    if report is None:
        engine.recompute_one(milestone.project, TransitionTrigger.MILESTONE)
    return milestone


# --- progress reports ----------------------------------------------------------


def previous_cumulative(project, period_start) -> Decimal | None:
    previous = (ProgressReport.objects.filter(
        project=project, period_start__lt=period_start, period_start__year=period_start.year,
        status__in=engine.FILED).order_by("-period_start").first())
    return previous.investment_year_cumulative if previous else None


@transaction.atomic
def do_submit_report(project: Project, *, acting_user, period_start: date | None = None,
                     investment_period=Decimal("0"), investment_year_cumulative=None,
                     progress_text="", progress_percent=0, milestones_reached=(),
                     problems=(), correction_note="", now=None) -> ProgressReport:
    """File a period's report (the current period by default).

    `problems` are (description, coordinate_with text) or (description, coordinate_with
    text, units): each unit named is given the problem as an action item.

    Refiling an already-submitted period is refused, so a retried request
    cannot create a duplicate; a MISSING or RETURNED period can be filed (late
    if after the deadline).
    """
    require_reporter_for(project, acting_user)
    now = now or timezone.now()
    reporting = engine.reporting_for(project.plan)
    current = reporting.period_start(timezone.localdate(now))
    start = reporting.period_start(period_start) if period_start else current
    if start > current:
        raise ValidationError({"period_start": "不能填报未来周期。"})
    report = ProgressReport.objects.select_for_update().filter(project=project,
                                                               period_start=start).first()
    if report is not None and report.status not in EDITABLE_REPORT_STATES:
        raise ValidationError(f"{start:%Y-%m-%d}这一周期已提交，如需修改请联系办公室退回。")
    period = Decimal(investment_period)
    previous = previous_cumulative(project, start)
    cumulative = Decimal(investment_year_cumulative) if investment_year_cumulative is not None \
        else (previous or Decimal("0")) + period
    _check_cumulative(previous, cumulative, correction_note)
    report = report or ProgressReport(project=project, period_start=start)
    _fill_report(report, reporting, now, acting_user, period, cumulative, progress_text,
                 progress_percent, correction_note)
    report.full_clean()
    report.save()
    for milestone, actual in milestones_reached:
        if milestone.project_id != project.pk:
            raise ValidationError("所选节点不属于该项目。")
        do_complete_milestone(milestone, actual, acting_user=acting_user, report=report)
    texts = []
    for description, coordinate_with, *units in problems:
        if description.strip():
            problem = ReportProblem.objects.create(report=report, project=project,
                                                   description=description.strip(),
                                                   coordinate_with=coordinate_with.strip())
            if units and units[0]:
                _ask_units_to_coordinate(problem, units[0], reporting, start)
            texts.append(description.strip())
    project.problems = "；".join(texts)
    project.save()
    engine.recompute_one(project, TransitionTrigger.REPORT)
    return report


def _check_cumulative(previous, cumulative, correction_note):
    if previous is not None and cumulative < previous and not correction_note.strip():
        raise ValidationError({"investment_year_cumulative":
                               f"年度累计完成投资不能低于上期（{previous}万元），如需更正请填写更正说明。"})


def _fill_report(report, reporting, now, user, period, cumulative, text, percent, note):
    start = report.period_start
    report.period_end = reporting.period_end(start)
    report.deadline = reporting.deadline(start)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at, report.submitted_by = now, user
    report.is_late = now > report.deadline
    report.investment_period, report.investment_year_cumulative = period, cumulative
    report.progress_text, report.progress_percent = text.strip(), int(percent)
    report.correction_note, report.return_reason = note.strip(), ""


@dataclass
class ReportInput:
    """One project's figures for `do_submit_reports` (this period's report)."""

    project: Project
    cumulative: Decimal
    progress_text: str = ""
    progress_percent: int = 0
    problems: str = ""
    correction_note: str = ""


@transaction.atomic
def do_submit_reports(items: list[ReportInput], *, acting_user, now=None) -> list[ProgressReport]:
    """File the current period's report for many projects at once (the Excel import).

    The rules of `do_submit_report` (own unit only, a submitted period is not refiled, the
    cumulative never falls below the previous period without a note), checked for every
    item before anything is written; then a fixed number of queries per batch instead of
    a dozen per report. Problems are raised as one ValidationError keyed by item index.
    """
    now = now or timezone.now()
    ids = [item.project.pk for item in items]
    allowed = set(ids) if acting_user is None else set(
        Project.objects.editable_by(acting_user).filter(pk__in=ids).values_list("pk", flat=True))
    starts = {}
    for item in items:
        plan_id = item.project.plan_id
        if plan_id not in starts:
            reporting = engine.reporting_for(item.project.plan)
            starts[plan_id] = (reporting, reporting.period_start(timezone.localdate(now)))
    existing = {(r.project_id, r.period_start): r for r in ProgressReport.objects
                .select_for_update().filter(project_id__in=ids,
                                            period_start__in={s for _, s in starts.values()})}
    previous = _previous_cumulatives(ids, {s for _, s in starts.values()})
    errors, new, changed = {}, [], []
    for index, item in enumerate(items):
        project = item.project
        reporting, start = starts[project.plan_id]
        report = existing.get((project.pk, start))
        try:
            if project.pk not in allowed:
                raise PermissionDenied("只有项目责任单位可以填报该项目。")
            if report is not None and report.status not in EDITABLE_REPORT_STATES:
                raise ValidationError(f"{start:%Y-%m-%d}这一周期已提交，如需修改请联系办公室退回。")
            before = previous.get((project.pk, start))
            cumulative = Decimal(item.cumulative).quantize(Decimal("0.01"))
            _check_cumulative(before, cumulative, item.correction_note)
            period = max(cumulative - (before or Decimal("0")), Decimal("0"))
            target = report or ProgressReport(project=project, period_start=start,
                                              created_by=current_context().actor_user())
            _fill_report(target, reporting, now, acting_user, period, cumulative,
                         item.progress_text, item.progress_percent, item.correction_note)
            # Fields only: the project and user exist, the period was checked just above.
            target.clean_fields(exclude=["project", "submitted_by", "reviewed_by", "created_by"])
            target.clean()
        except (ValidationError, PermissionDenied) as exc:
            errors[index] = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            continue
        (changed if report is not None else new).append(target)
    if errors:
        raise ValidationError({str(i): msgs for i, msgs in errors.items()})
    ProgressReport.objects.bulk_create(new, batch_size=500)
    if changed:
        ProgressReport.objects.tracked_bulk_update(changed, [
            "period_end", "deadline", "status", "submitted_at", "submitted_by", "is_late",
            "investment_period", "investment_year_cumulative", "progress_text",
            "progress_percent", "correction_note", "return_reason"])
    reports = {r.project_id: r for r in [*new, *changed]}
    _store_problems(items, reports)
    with engine.deferred_recompute(TransitionTrigger.REPORT):
        for item in items:
            engine.recompute_one(item.project, TransitionTrigger.REPORT)
    return [reports[item.project.pk] for item in items]


def _previous_cumulatives(ids, starts) -> dict:
    """(project, period start) → the latest filed cumulative before it in the same year."""
    earliest = min(starts)
    rows = (ProgressReport.objects.filter(project_id__in=ids, status__in=engine.FILED,
                                          period_start__lt=max(starts),
                                          period_start__year__gte=earliest.year)
            .order_by("project_id", "period_start")
            .values_list("project_id", "period_start", "investment_year_cumulative"))
    latest: dict[int, list] = {}
    for pid, period_start, cumulative in rows:
        latest.setdefault(pid, []).append((period_start, cumulative))
    result = {}
    for pid, history in latest.items():
        for start in starts:
            before = [c for s, c in history if s < start and s.year == start.year]
            if before:
                result[(pid, start)] = before[-1]
    return result


def _store_problems(items, reports):
    problems, projects = [], []
    for item in items:
        text = item.problems.strip()
        if text:
            problems.append(ReportProblem(report=reports[item.project.pk], project=item.project,
                                          description=text))
        if item.project.problems != text:
            item.project.problems = text
            projects.append(item.project)
    ReportProblem.objects.bulk_create(problems, batch_size=500)
    Project.objects.tracked_bulk_update(projects, ["problems"])


@transaction.atomic
def do_return_report(report: ProgressReport, *, reason: str, acting_user) -> ProgressReport:
    require_manager(acting_user)
    report.return_reason = REPORT_RETURN.decide(report, accept=False, reason=reason,
                                                acting_user=acting_user,
                                                filed_by_id=report.submitted_by_id)
    report.reviewed_by, report.reviewed_at = acting_user, timezone.now()
    report.save()
    engine.recompute_one(report.project, TransitionTrigger.REPORT)
    return report


@transaction.atomic
def do_accept_report(report: ProgressReport, *, acting_user) -> ProgressReport:
    require_manager(acting_user)
    REPORT_REVIEW.decide(report, accept=True, acting_user=acting_user,
                         filed_by_id=report.submitted_by_id)
    report.reviewed_by, report.reviewed_at = acting_user, timezone.now()
    report.save()
    return report


# --- attachments ---------------------------------------------------------------


def _check_belongs(project: Project, parts):
    """A milestone, report or procedure given with an attachment must be the project's own."""
    for label, part in parts:
        if part is not None and part.project_id != project.pk:
            raise ValidationError(f"所选{label}不属于该项目。")


@transaction.atomic
def do_add_attachment(project: Project, uploaded, *, acting_user, milestone=None, report=None,
                      procedure=None, allow=("photo", "document")) -> Attachment:
    from core.uploads import inspect_upload, store_checked

    require_reporter_for(project, acting_user)
    _check_belongs(project, (("节点", milestone), ("填报", report), ("手续", procedure)))
    info = inspect_upload(uploaded, allow=allow)  # refuses before anything is stored
    return store_checked(Attachment(project=project, milestone=milestone, report=report,
                                    procedure=procedure, kind=info.kind), uploaded, info)


def do_add_procedure_document(procedure: ProcedureItem, uploaded, *, acting_user) -> Attachment:
    """批复文件 of a preliminary procedure: a document, or a photo of the paper one."""
    return do_add_attachment(procedure.project, uploaded, acting_user=acting_user,
                             procedure=procedure)


# --- rules -------------------------------------------------------------------------


@transaction.atomic
def do_update_rule_set(rule_set, *, acting_user=None, **fields):
    """Change thresholds; every project of a plan using this rule set is recomputed."""
    require_manager(acting_user)
    for key, value in fields.items():
        setattr(rule_set, key, value)
    rule_set.full_clean()
    rule_set.save()
    affected = Project.objects.active().filter(plan__reporting__rule_set=rule_set)
    engine.recompute(affected, trigger=TransitionTrigger.RULES)
    return rule_set


@transaction.atomic
def do_set_plan_rules(reporting, rule_set, *, acting_user=None):
    """Switch a plan to another rule set (e.g. a named preset) and recompute its projects."""
    require_manager(acting_user)
    reporting.rule_set = rule_set
    reporting.save()
    engine.recompute(Project.objects.active().filter(plan=reporting.plan_id),
                     trigger=TransitionTrigger.RULES)
    return reporting


# --- measures (我的分包) ---------------------------------------------------------------

MEASURES_MAX = 2000  # a few paragraphs: what is being done, by whom, by when


@transaction.atomic
def do_set_measures(project: Project, text: str, *, acting_user) -> Project:
    """整改措施: the lead unit states what it is doing about the project's colour now.
    The leader reads it on 我的分包; each earlier version stays in the project's history."""
    require_reporter_for(project, acting_user)
    text = text.strip()
    if len(text) > MEASURES_MAX:
        raise ValidationError({"measures": f"措施不超过{MEASURES_MAX}字。"})
    project.measures = text
    project.measures_by = acting_user
    project.measures_at = timezone.now()
    project.save(update_fields=["measures", "measures_by", "measures_at", "updated_at"])
    return project


# --- unit filing: coordination, procedure claims ----------------------------------


# A filer names the units it needs; each gets an action item issued by no one, so the
# number is capped (a reporter cannot hand every unit in the city a task).
COORDINATE_UNITS_MAX = 5


def coordinate_units_error(count: int) -> str | None:
    """The refusal for naming too many 需协调单位 (the form and the action say the same)."""
    if count > COORDINATE_UNITS_MAX:
        return (f"需协调单位最多选择{COORDINATE_UNITS_MAX}个（本次选了{count}个），"
                f"请只选确需协调解决该问题的单位。")
    return None


def open_coordination_units(project) -> set[int]:
    """Units already holding an open item a filer's coordination request opened on this
    project. Such items are the ones issued by the system from a report's problem (the
    office's own 交办 from a problem has an issuer): source 填报问题, no 交办人."""
    from supervision.choices import ActionItemSource, ActionItemStatus
    from supervision.models import ActionItem

    return set(ActionItem.objects.active()
               .filter(project=project, source=ActionItemSource.REPORT_PROBLEM,
                       issued_by__isnull=True, problem__isnull=False)
               .exclude(status=ActionItemStatus.CLOSED).values_list("unit_id", flat=True))


def _ask_units_to_coordinate(problem: ReportProblem, units, reporting, start: date):
    """Each unit a problem names gets it as an action item (supervision's 交办), due by the
    next period's deadline (from today), so the answer is in hand when the unit files again.

    Raised by the filing unit, issued by the system: a reporter may not issue items itself,
    and the office closes what the other unit answers. At most COORDINATE_UNITS_MAX units;
    a unit that still has an open item from an earlier coordination request on the project
    gets no second one, whatever the wording (沿用上周, a refiled returned report, a retry).
    """
    from core.dates import local_date, today
    from supervision.actions import do_create_action_item

    project = problem.project
    # Each unit once, and not the filer's own unit.
    units = list({u.pk: u for u in units if u.pk != project.lead_unit_id}.values())
    refusal = coordinate_units_error(len(units))
    if refusal:
        raise ValidationError({"coordinate_units": refusal})
    problem.coordinate_units.set(units)
    if units and not problem.coordinate_with:  # for readers of the text (meeting packs, API)
        problem.coordinate_with = "、".join(u.name for u in units)[:200]
        problem.save()
    if not units:
        return
    # The project row is the lock: two filings of the project at once (a retried request,
    # last week's late report beside this week's) see each other's items.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    current = reporting.period_start(today())  # a late report's too
    deadline = local_date(reporting.deadline(current + timedelta(days=reporting.cycle_days)))
    title = problem.description[:200]
    open_items = open_coordination_units(project)
    period = f"{start.month}月{start.day}日"
    for unit in units:
        if unit.pk in open_items:
            continue
        do_create_action_item(
            title=title, unit=unit, deadline=deadline,
            acting_user=None, problem=problem, project=project,
            detail=(f"{project.lead_unit.name}在“{project.name}”{period}周进度填报中提出，"
                    f"需{unit.name}协调解决：{problem.description}"))


# A unit's 办结 claim is confirmed or sent back by the office (core.workflow); whoever
# filed the claim cannot confirm it.
PROCEDURE_CONFIRMATION = Review(what="办结申报", filed_word="待确认",
                                reviewable=(ProcedureClaimStatus.PENDING,),
                                accepted=ProcedureClaimStatus.CONFIRMED,
                                returned=ProcedureClaimStatus.RETURNED, reason_field="note",
                                accept_verb="确认", return_verb="退回")


@transaction.atomic
def do_claim_procedure_done(procedure: ProcedureItem, done_on: date, doc_number: str,
                            acting_user, *, document=None, earlier_document=None
                            ) -> ProcedureClaim:
    """The lead unit states a preliminary procedure is done: date, 文号 and the 批复文件,
    chosen explicitly: `document`, a new upload (it wins), or `earlier_document`, one
    already uploaded for the procedure. Never a file picked for the unit: after the office
    returned a claim, its file would otherwise go back unseen. It counts as done only when
    the office confirms (do_confirm_procedure)."""
    from core.dates import today

    require_reporter_for(procedure.project, acting_user)
    procedure = ProcedureItem.objects.select_for_update().get(pk=procedure.pk)
    if procedure.is_done:
        raise ValidationError("该手续已办结，无需再次申报。")
    if procedure.claims.filter(status=ProcedureClaimStatus.PENDING).exists():
        raise ValidationError("该手续已有待办公室确认的办结申报。")
    if done_on is None or done_on > today():
        raise ValidationError({"done_on": "办结日期不能晚于今天。"})
    if not (doc_number or "").strip():
        raise ValidationError({"doc_number": "请填写批复文号。"})
    if document is not None:
        attachment = do_add_procedure_document(procedure, document, acting_user=acting_user)
    elif earlier_document is not None:
        attachment = procedure.documents.active().filter(pk=earlier_document.pk).first()
        if attachment is None:
            raise ValidationError({"document": "所选批复文件不属于该手续，请重新选择或上传。"})
    else:
        raise ValidationError({"document": "请上传批复文件（PDF、DOCX或照片），"
                                           "或选择一份已上传的批复文件。"})
    claim = ProcedureClaim(procedure=procedure, done_on=done_on, document_no=doc_number.strip(),
                           document=attachment, claimed_by=acting_user)
    claim.full_clean()
    claim.save()
    notices.procedure_claimed(claim)
    return claim


@transaction.atomic
def do_confirm_procedure(procedure: ProcedureItem, acting_user, approve: bool,
                         note: str = "", *, claim_id: int | None = None) -> ProcedureClaim:
    """The office confirms a unit's 办结 claim (the procedure is done, the colour is
    recomputed) or sends it back with a reason; four eyes, as for reports.

    `claim_id` is the claim the office member was looking at (the pages always send it):
    if that claim is no longer the pending one (decided by a colleague meanwhile, or
    returned and claimed again with another file), nothing changes."""
    require_manager(acting_user)
    claim = (ProcedureClaim.objects.select_for_update()
             .filter(procedure=procedure, status=ProcedureClaimStatus.PENDING).first())
    if claim_id is not None and (claim is None or claim.pk != claim_id):
        raise ValidationError("这份办结申报已不是待确认状态（可能已由他人处理，或单位已重新申报），"
                              "未作任何更改，请查看页面上最新的申报。")
    if claim is None:
        raise ValidationError("该手续没有待确认的办结申报。")
    claim.decision_note = PROCEDURE_CONFIRMATION.decide(
        claim, accept=approve, reason=note, acting_user=acting_user,
        filed_by_id=claim.claimed_by_id)
    claim.decided_by, claim.decided_at = acting_user, timezone.now()
    claim.save()
    if approve:
        procedure.status = ProcedureStatus.DONE
        procedure.done_on, procedure.document_no = claim.done_on, claim.document_no
        procedure.full_clean()
        procedure.save()
        engine.recompute_one(procedure.project, TransitionTrigger.PROJECT)
    notices.procedure_decided(claim)
    return claim


# --- reminders (催报) ----------------------------------------------------------------


@transaction.atomic
def do_remind_unit(unit, period_list, *, acting_user, plan) -> int:
    """催报: tell a unit's heads and reporters which of its projects still owe a report
    (missing or returned) for the given periods of `plan` (from projects.periods), through
    notify, and put it on the audit trail. Each person hears of the same owed periods once;
    returns how many were newly told (0 when nothing is owed or nobody acts for the unit)."""
    from django.urls import reverse

    from core.audit import record_audit
    from core.choices import AuditEventType
    from core.dates import cn_month_day
    from notify.service import notify
    from projects import matrix
    from supervision.notices import unit_people  # the unit's accounts, as supervision tells them

    require_manager(acting_user)
    reporting = engine.reporting_for(plan)
    projects = Project.objects.visible_to(acting_user).filter(plan=plan, lead_unit=unit)
    row = matrix.build_matrix(projects, reporting, list(period_list)).row(unit.pk)
    owed = row.owed_periods if row else []
    if not owed:
        return 0
    lines = []
    for cell in row.cells:
        for state, entries in cell.groups():
            if state in matrix.OWED:
                names = "、".join(e.name for e in entries)
                lines.append(f"{cn_month_day(cell.period.start)}—{cn_month_day(cell.period.end)}"
                             f"{state.label}：{names}")
    # The plan is part of the key (matrix.reminder_key): another plan's reminder about the
    # same weeks is another reminder.
    told = notify(unit_people([unit.pk]), event=matrix.REMIND_EVENT, obj=f"org.unit:{unit.pk}",
                  occasion=matrix.reminder_occasion(plan.pk, owed),
                  subject=f"催报：{unit.name}有项目进度未报送"[:200],
                  text=f"{plan}中以下项目的进度尚未报送或被退回，请尽快填报：\n" + "\n".join(lines),
                  link=reverse("projects:due"))
    record_audit(AuditEventType.STATE_CHANGE, user=acting_user, obj=unit, what="催报",
                 plan=plan.pk, periods=[p.start.isoformat() for p in owed], told=told)
    return told


@dataclass
class BatchAcceptResult:
    accepted: list
    flagged: list          # raised an anomaly flag: each must be reviewed on its own page
    own: list              # filed by the acting user: four eyes, someone else decides
    not_pending: list      # no longer awaiting review (decided meanwhile)


def do_accept_reports(reports, *, acting_user) -> BatchAcceptResult:
    """批量审核通过: accept the given submitted reports that raise no anomaly flag
    (projects/anomalies.py). Flagged reports are never accepted in a batch, and nobody
    accepts what they filed; both are left in the queue and listed in the result.

    The rows are locked and read again first: the page was drawn a while ago, and a report
    returned (or returned and filed again with other figures) since then must be judged as
    it is now, not as the page saw it. What do_accept_report would refuse (not awaiting
    review, one's own) is sorted out beforehand, so the batch is one transaction."""
    from projects.anomalies import flags_by_report

    require_manager(acting_user)
    ids = [r.pk for r in reports]
    result = BatchAcceptResult([], [], [], [])
    with transaction.atomic():
        # Locked in id order: two batches over the same rows wait, never deadlock.
        list(ProgressReport.objects.select_for_update().filter(pk__in=ids).order_by("pk")
             .values_list("pk", flat=True))
        fresh = ProgressReport.objects.select_related("project").in_bulk(ids)
        current = [fresh[pk] for pk in ids if pk in fresh]
        flags = flags_by_report(current)
        for report in current:
            if report.status != ReportStatus.SUBMITTED:
                result.not_pending.append(report)
            elif flags.get(report.pk):
                result.flagged.append(report)
            elif report.submitted_by_id == acting_user.pk:
                result.own.append(report)
            else:
                result.accepted.append(do_accept_report(report, acting_user=acting_user))
    return result
