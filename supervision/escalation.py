"""The escalation ladder's triggers: facts in, proposed steps out (a person decides)."""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from projects.choices import Colour
from projects.models import ProjectStatus, StatusTransition
from supervision.choices import ActionItemStatus, BulletinStatus, EscalationLevel
from supervision.models import ActionItem, BulletinLine, EscalationRule

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


def red_for_periods(rule, today):
    """Units with a project red now and already red `window_days` ago (two weekly periods)."""
    since = today - timedelta(days=rule.window_days)
    red_now = ProjectStatus.objects.filter(overall=Colour.RED).values_list("project_id", flat=True)
    turned_red_recently = set(StatusTransition.objects.filter(
        project_id__in=red_now, dimension="overall", to_colour=Colour.RED, as_of__gt=since)
        .values_list("project_id", flat=True))
    found = defaultdict(list)
    for status in (ProjectStatus.objects.filter(project_id__in=red_now)
                   .exclude(project_id__in=turned_red_recently)
                   .select_related("project__lead_unit")):
        found[status.project.lead_unit].append(status.project)
    return [(unit, f"{len(ps)}个项目连续{rule.window_days // 7}个以上调度周期亮红灯（"
                   f"{'、'.join(p.name for p in ps[:3])}{'等' if len(ps) > 3 else ''}）",
             {"projects": [p.pk for p in ps]}) for unit, ps in found.items()]


def named_in_bulletins(rule, today):
    since = today - timedelta(days=rule.window_days)
    counts = defaultdict(set)
    for line in (BulletinLine.objects.filter(bulletin__status=BulletinStatus.ISSUED,
                                             bulletin__issued_at__date__gte=since)
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
