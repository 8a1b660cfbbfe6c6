"""The escalation ladder's triggers: facts in, proposed steps out (a person decides)."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from projects.choices import Colour
from projects.models import PlanReporting, ProjectStatus, StatusTransition
from supervision.choices import (
    ActionItemStatus,
    BulletinSection,
    BulletinStatus,
    EscalationLevel,
    EscalationStatus,
)
from supervision.models import ActionItem, Bulletin, BulletinLine, EscalationRule, EscalationStep

DEFAULT_RULES = [
    # key, name, level, threshold, window days
    ("red_periods", "项目连续两个调度周期亮红灯，列入下期通报", EscalationLevel.BULLETIN, 2, 14),
    ("named_in_bulletins", "半年内两次被通报，建议约谈", EscalationLevel.INTERVIEW, 2, 183),
    ("overdue_items", "交办事项逾期超过7天，发督办函", EscalationLevel.LETTER, 7, 0),
]


def ensure_rules() -> dict[str, EscalationRule]:
    rules = {}
    for key, name, level, threshold, window in DEFAULT_RULES:
        rules[key], _ = EscalationRule.objects.get_or_create(
            key=key, defaults={"name": name, "level": level, "threshold": threshold,
                               "window_days": window})
    return rules


# What each rule's numbers mean (the ladder page shows it beside the rule).
RULE_NOTES = {
    "red_periods": "阈值为连续亮红灯的调度周期数（每个周期为所属计划的填报周期，默认7天），"
                   "从项目最近一次转为红灯之日起算；统计天数不使用。",
    "named_in_bulletins": "阈值为统计天数内被已印发通报点名的次数。",
    "overdue_items": "阈值为交办事项超过办理期限的天数；统计天数不使用。",
}
DEFAULT_CYCLE_DAYS = PlanReporting._meta.get_field("cycle_days").default


def red_for_periods(rule, today):
    """Units with a project red for at least `threshold` whole dispatch periods in a row: a
    period is the project's plan's reporting cycle (weekly by default), counted from the day
    the project last turned red (its latest overall transition to red)."""
    red = list(ProjectStatus.objects.filter(overall=Colour.RED, project__archived_at=None)
               .select_related("project__lead_unit"))
    turned = dict(StatusTransition.objects.filter(
        project_id__in=[s.project_id for s in red], dimension="overall", to_colour=Colour.RED,
        as_of__lte=today).values("project_id").annotate(on=Max("as_of"))
        .values_list("project_id", "on"))
    cycles = dict(PlanReporting.objects.values_list("plan_id", "cycle_days"))
    found = defaultdict(list)
    for status in red:
        project = status.project
        since = turned.get(project.pk)
        if since is None:  # no record of when it turned red: no ground for a proposal
            continue
        periods = (today - since).days // cycles.get(project.plan_id, DEFAULT_CYCLE_DAYS)
        if periods >= rule.threshold:
            found[project.lead_unit].append((project, since))
    return [(unit, f"{len(rows)}个项目连续{rule.threshold}个以上调度周期亮红灯（"
                   f"{'、'.join(p.name for p, _ in rows[:3])}{'等' if len(rows) > 3 else ''}）",
             {"projects": [p.pk for p, _ in rows],
              "red_since": {str(p.pk): since.isoformat() for p, since in rows}})
            for unit, rows in found.items()]


def named_in_bulletins(rule, today):
    since = today - timedelta(days=rule.window_days)
    counts = defaultdict(set)
    # A bulletin and its correction are one criticism: only the one in force is counted.
    in_force = Bulletin.objects.in_force().filter(status=BulletinStatus.ISSUED,
                                                  issued_at__date__gte=since)
    for line in (BulletinLine.objects.filter(bulletin__in=in_force)
                 .select_related("unit", "bulletin")):
        counts[line.unit].add(line.bulletin)
    return [(unit, f"半年内被通报{len(bs)}次（{'、'.join(b.number_label for b in bs)}）",
             {"bulletins": sorted(b.pk for b in bs)})
            for unit, bs in counts.items() if len(bs) >= rule.threshold]


def overdue_items(rule, today):
    found = defaultdict(list)
    for item in (ActionItem.objects.active().exclude(status=ActionItemStatus.CLOSED)
                 .filter(deadline__lt=today - timedelta(days=rule.threshold))
                 .select_related("unit")):
        found[item.unit].append(item)
    return [(unit, f"{len(items)}项交办事项逾期超过{rule.threshold}天未办结",
             {"action_items": [i.pk for i in items]}) for unit, items in found.items()]


TRIGGERS = {"red_periods": red_for_periods, "named_in_bulletins": named_in_bulletins,
            "overdue_items": overdue_items}


def findings(today=None):
    """(rule, unit, reason, facts) for every enabled rule."""
    today = today or timezone.localdate()
    rules = ensure_rules()
    for key, rule in rules.items():
        if rule.enabled:
            for unit, reason, facts in TRIGGERS[key](rule, today):
                yield rule, unit, reason, facts


def criticised_pending():
    """Confirmed 通报 steps that no issued bulletin has carried yet (their lines keep the
    steps' ids in `facts`): each puts its unit into the next bulletin draft."""
    carried = set()
    for facts in BulletinLine.objects.filter(bulletin__status=BulletinStatus.ISSUED,
                                             section=BulletinSection.CRITICISED).values_list(
            "facts", flat=True):
        carried.update((facts or {}).get("escalation_steps", []))
    return [step for step in (EscalationStep.objects.active()
                              .filter(level=EscalationLevel.BULLETIN,
                                      status=EscalationStatus.CONFIRMED)
                              .select_related("unit").order_by("decided_at", "pk"))
            if step.pk not in carried]


def criticised_lines() -> list[dict]:
    """The 通报批评 lines of the next bulletin draft (bulletins.draft_lines): one per unit,
    with the reasons of the steps the bureau confirmed."""
    steps = defaultdict(list)
    for step in criticised_pending():
        steps[step.unit].append(step)
    return [{"section": BulletinSection.CRITICISED, "unit": unit,
             "text": f"{unit.name}：{'；'.join(s.reason.rstrip('。') for s in unit_steps)}。"
                     "经督查局决定，予以通报批评。",
             "facts": {"escalation_steps": [s.pk for s in unit_steps]}}
            for unit, unit_steps in sorted(steps.items(), key=lambda kv: kv[0].name)]
