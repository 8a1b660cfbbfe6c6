"""Meetings and action items for 示范市: the rhythm for the plan's years, and the
problems raised in reports turned into action items at various stages."""

from datetime import date, timedelta

from django.utils import timezone

from projects.models import ReportProblem
from supervision import actions
from supervision.choices import ActionEventKind
from supervision.models import ActionItem, ActionItemEvent

ITEMS = {"small": 6, "city": 30, "large": 300}


def build_supervision(city):
    from org.models import User

    rng = city.rng
    actions.do_generate_rhythm(city.plan)
    office = User.objects.get(username="bangongshi")
    today = timezone.localdate()
    problems = _problems_from_reports(ITEMS[city.scale])
    for i, problem in enumerate(problems):
        deadline = today + timedelta(days=rng.randint(3, 20))
        item = actions.do_create_action_item(
            title=f"协调解决：{problem.description}"[:200], unit=problem.project.lead_unit,
            deadline=deadline, problem=problem, acting_user=office,
            detail="请责任单位会同相关部门于期限内解决并反馈。")
        stage = i % 4
        if stage == 0:  # already past its deadline, never answered: shows as overdue
            ActionItem.objects.filter(pk=item.pk).update(
                deadline=today - timedelta(days=rng.randint(2, 15)))
        elif stage in (1, 2):
            actions.do_respond(item, text="已召开协调会，明确了时间表。", acting_user=None)
            if stage == 2:
                actions.do_close(item, acting_user=office, text="同意办结。")
    actions.do_flag_overdue(today)
    return ActionItemEvent.objects.filter(kind=ActionEventKind.OVERDUE).count()


def _problems_from_reports(limit):
    """The demo's lagging projects carry their problem as text; file it as a structured
    problem on each project's latest report (as a real report form would have)."""
    from projects.choices import ReportStatus
    from projects.models import ProgressReport, Project

    problems = []
    for project in (Project.objects.exclude(problems="").select_related("lead_unit")
                    .order_by("code")[:limit]):
        report = (ProgressReport.objects.filter(project=project, status__in=(
            ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)).order_by("-period_start").first())
        if report is None:
            continue
        what, _, who = project.problems.partition("，需")
        problems.append(ReportProblem.objects.create(
            report=report, project=project, description=what,
            coordinate_with=who.replace("协调", "").replace("配合", "")))
    return problems


def build_bulletin_and_evaluation(city):
    """A bulletin for last week, the escalation proposals, and two evaluations."""

    from evaluation import actions as evaluation
    from evaluation.presets import preset_scheme
    from org.models import User

    today = timezone.localdate()
    bureau = User.objects.get(username="duchaju")
    office = User.objects.get(username="bangongshi")
    week_end = today - timedelta(days=today.weekday() + 1)
    bulletin = actions.do_draft_bulletin(period_start=week_end - timedelta(days=6),
                                         period_end=week_end, acting_user=bureau)
    actions.do_issue_bulletin(bulletin, rectification_deadline=today + timedelta(days=10),
                              acting_user=bureau)
    actions.do_propose_escalations(today)
    (done_start, done_end, done_name), (now_start, now_name) = evaluation_halves(today)
    finished = evaluation.do_create_evaluation(
        scheme=preset_scheme("investment_led", acting_user=office), period_start=done_start,
        period_end=done_end, acting_user=office, name=f"{done_name}阶段考评")
    evaluation.do_compute(finished, acting_user=office)
    evaluation.do_publish(finished, acting_user=office)
    current = evaluation.do_create_evaluation(
        scheme=preset_scheme("comprehensive", acting_user=office), period_start=now_start,
        period_end=today, acting_user=office, name=f"{now_name}阶段考评（进行中）")
    evaluation.do_compute(current, acting_user=office)


def evaluation_halves(today):
    """The last finished half-year and the current one, as (start, end, name) and (start,
    name): in the first half of a year the finished half is last year's second."""

    if today.month <= 6:
        return ((date(today.year - 1, 7, 1), date(today.year - 1, 12, 31),
                 f"{today.year - 1}年下半年"), (date(today.year, 1, 1), f"{today.year}年上半年"))
    return ((date(today.year, 1, 1), date(today.year, 6, 30), f"{today.year}年上半年"),
            (date(today.year, 7, 1), f"{today.year}年下半年"))
