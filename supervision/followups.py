"""Open supervision work about projects, for the ledger's pages (projects/followups.py):
action items and 领导批示 on the project, and rectifications owed by its lead unit for a
bulletin that named it. Two to three queries whatever the number of projects."""

from collections import defaultdict

from core.dates import today as local_today
from projects.followups import FollowUp
from supervision.choices import ActionItemStatus, RectificationStatus


def followups_for(projects, user) -> dict[int, list[FollowUp]]:
    found: dict[int, list[FollowUp]] = defaultdict(list)
    for project_id, row in _action_items(projects, user):
        found[project_id].append(row)
    for project_id, row in _rectifications(projects, user):
        found[project_id].append(row)
    return found


def _action_items(projects, user):
    from supervision.models import ActionItem

    today = local_today()
    items = (ActionItem.objects.visible_to(user)
             .filter(project_id__in=[p.pk for p in projects])
             .exclude(status=ActionItemStatus.CLOSED)
             .select_related("unit", "instructed_by__person").order_by("deadline", "pk"))
    for item in items:
        yield item.project_id, FollowUp(
            kind="领导批示" if item.is_instruction else "交办事项", title=item.title,
            unit=item.unit.name, deadline=item.deadline, status=item.get_status_display(),
            url=item.get_absolute_url(), overdue=item.deadline < today,
            by=item.instructed_by.person.name if item.is_instruction else "")


def _named_projects(facts: dict) -> set[int]:
    """The projects a bulletin line names: red projects, or overdue milestones' projects."""
    named = set(facts.get("projects", []))
    named.update(m.get("project_id") for m in facts.get("milestone_list", []))
    return named


def _rectifications(projects, user):
    from supervision.models import BulletinLine, Rectification

    today = local_today()
    by_unit = defaultdict(set)
    for project in projects:
        by_unit[project.lead_unit_id].add(project.pk)
    owed = list(Rectification.objects.visible_to(user).owed()
                .filter(unit_id__in=list(by_unit)).select_related("bulletin", "unit"))
    if not owed:
        return
    lines = (BulletinLine.objects.filter(bulletin_id__in={r.bulletin_id for r in owed},
                                         unit_id__in=list(by_unit))
             .values_list("bulletin_id", "unit_id", "facts"))
    named = defaultdict(set)  # (bulletin, unit) -> projects its lines name
    for bulletin_id, unit_id, facts in lines:
        named[bulletin_id, unit_id] |= _named_projects(facts or {})
    for rect in owed:
        deadline = rect.bulletin.rectification_deadline
        state = RectificationStatus(rect.state or RectificationStatus.PENDING)
        for project_id in sorted(named[rect.bulletin_id, rect.unit_id] & by_unit[rect.unit_id]):
            yield project_id, FollowUp(
                kind="整改要求", title=f"《{rect.bulletin.title}》整改反馈", unit=rect.unit.name,
                deadline=deadline, status=state.label, url=rect.get_absolute_url(),
                overdue=bool(deadline and deadline < today))
