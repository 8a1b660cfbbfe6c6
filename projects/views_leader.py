"""我的分包: a city leader's red and yellow projects on one page — why, what is being done,
who answers for it, by when, and the open action items and rectifications — and the unit's
措施 form on the project page that feeds it."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.views import View

from core.dates import today as local_today
from core.scope import get_for_user
from org.roles import Reach, reach_of
from projects import actions
from projects.choices import Colour
from projects.followups import FollowUp, followups_for
from projects.models import Milestone, Project

# The colours a leader is asked to act on, worst first.
ACTION_COLOURS = (Colour.RED, Colour.YELLOW)


@dataclass
class Deadline:
    """The date a card is held to: the earliest of the next unfinished milestone and the
    open follow-ups' deadlines."""

    day: date
    what: str
    overdue_days: int = 0
    is_milestone: bool = False


@dataclass
class Card:
    project: Project
    reasons: list[str]
    milestone: Milestone | None
    followups: list[FollowUp] = field(default_factory=list)
    deadline: Deadline | None = None


def leader_projects(user):
    """The leader's red and yellow projects (their 分包: Project.visible_to), worst first."""
    worst_first = Case(*(When(status__overall=c, then=Value(i))
                         for i, c in enumerate(ACTION_COLOURS)), output_field=IntegerField())
    return (Project.objects.visible_to(user).filter(status__overall__in=ACTION_COLOURS)
            .select_related("status", "lead_unit", "responsible_person", "measures_by",
                            "leader__person")
            .annotate(worst=worst_first).order_by("worst", "code"))


def _next_milestones(projects) -> dict[int, Milestone]:
    """Each project's earliest unfinished milestone, in one query."""
    first: dict[int, Milestone] = {}
    for m in (Milestone.objects.active().filter(project__in=[p.pk for p in projects],
                                                actual_date__isnull=True)
              .order_by("project_id", "planned_date", "seq")):
        first.setdefault(m.project_id, m)
    return first


def _deadline(milestone, followups, today) -> Deadline | None:
    dated = [(f.deadline, f"{f.kind}：{f.title}", False) for f in followups if f.deadline]
    if milestone is not None:
        dated.append((milestone.planned_date, f"节点“{milestone.name}”计划完成", True))
    if not dated:
        return None
    day, what, is_milestone = min(dated, key=lambda row: row[0])
    return Deadline(day, what, max((today - day).days, 0), is_milestone)


def build_cards(user) -> list[Card]:
    """The cards in a fixed number of queries: projects with their status, people and
    leader (1), next milestones (1), and each higher app's follow-ups (a few each)."""
    projects = list(leader_projects(user))
    milestones = _next_milestones(projects)
    followups = followups_for(projects, user)
    today = local_today()
    cards = []
    for project in projects:
        card = Card(project, project.status.all_reasons(), milestones.get(project.pk),
                    followups.get(project.pk, []))
        card.deadline = _deadline(card.milestone, card.followups, today)
        cards.append(card)
    return cards


class MyAssignmentsView(View):
    """我的分包 (a city leader: Reach.ASSIGNMENTS). Everyone else is refused: the office
    and the units have the ledger, filtered by colour, for the same facts."""

    def get(self, request):
        if reach_of(request.user) != Reach.ASSIGNMENTS:
            raise PermissionDenied("我的分包供市级领导查看。")
        cards = build_cards(request.user)
        red = sum(1 for c in cards if c.project.status.overall == Colour.RED)
        return render(request, "projects/my_assignments.html",
                      {"cards": cards, "red_count": red, "yellow_count": len(cards) - red})


class MeasuresView(View):
    """The lead unit (or the office) states the project's current measures (措施)."""

    def post(self, request, pk):
        project = get_for_user(Project, request.user, pk)
        if not Project.objects.editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied("只有项目责任单位可以填写措施。")
        try:
            actions.do_set_measures(project, request.POST.get("measures", ""),
                                    acting_user=request.user)
            messages.success(request, "措施已保存。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(project.get_absolute_url())
