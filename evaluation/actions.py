"""Create, compute, adjust and publish schemes. Facts come from the apps' facts modules."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from evaluation.formulas import (
    per_occurrence,
    points_per_percentage_point,
    rank_points,
    ratio_points,
)
from evaluation.models import Adjustment, Scheme, SchemeItem, UnitScore
from evaluation.presets import PRESETS
from org.choices import UnitKind
from org.models import Unit
from org.roles import Cap, has_cap
from projects import facts as project_facts
from supervision import facts as supervision_facts

GROUPS = {UnitKind.CITY_DEPT: "市直部门", UnitKind.TOWN: "乡镇办(街道)"}


def _require(user):
    if user is not None and not has_cap(user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以组织考评。")


@transaction.atomic
def do_create_scheme(*, preset, period_start, period_end, acting_user, name=None) -> Scheme:
    _require(acting_user)
    if preset not in PRESETS:
        raise ValidationError({"preset": "没有这个预设方案。"})
    spec = PRESETS[preset]
    scheme = Scheme.objects.create(name=name or spec["name"], preset=preset,
                                   period_start=period_start, period_end=period_end,
                                   bonus_cap=spec["bonus_cap"], deduction_cap=spec["deduction_cap"])
    SchemeItem.objects.bulk_create([
        SchemeItem(scheme=scheme, fact=fact, points=points, formula=formula, params=params,
                   order=i) for i, (fact, points, formula, params) in enumerate(spec["items"])])
    return scheme


@transaction.atomic
def do_adjust(scheme, *, unit, points, reason, evidence="", acting_user) -> Adjustment:
    _require(acting_user)
    if scheme.status == "published":
        raise ValidationError("考评结果已公布，不能再加减分。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写加减分事由。"})
    return Adjustment.objects.create(scheme=scheme, unit=unit, points=Decimal(points),
                                     reason=reason.strip(), evidence=evidence.strip())


def collect_facts(scheme) -> dict[str, dict]:
    """fact key → {unit: {"value": ratio or None, "ids": {...}}}, one query family each."""
    start, end = scheme.period_start, scheme.period_end
    out: dict[str, dict] = {}
    inv = project_facts.investment_by_unit(end.year, end)
    out["investment"] = {u: {"value": f["actual"] / f["planned"] if f["planned"] else None,
                             "detail": f"完成{f['actual']}万元 / 计划{f['planned']}万元",
                             "ids": {"projects": f["projects"]}} for u, f in inv.items()}
    for key, source, label in (
            ("milestones", project_facts.milestones_by_unit(start, end), "节点"),
            ("reports", project_facts.reports_by_unit(start, end), "期填报"),
            ("action_items", supervision_facts.action_items_by_unit(start, end), "项交办事项"),
            ("rectification", supervision_facts.rectifications_by_unit(start, end), "次整改")):
        out[key] = {}
        for unit, f in source.items():
            total = len(f["on_time"]) + len(f["late"])
            out[key][unit] = {"value": Decimal(len(f["on_time"])) / total if total else None,
                              "detail": f"按期{len(f['on_time'])}/{total}{label}",
                              "ids": {"on_time": f["on_time"], "late": f["late"]}}
    return out


def score_item(item, fact):
    """Points for one item (full points as a placeholder when the unit has no such fact)."""
    if fact is None or fact["value"] is None:
        return Decimal(item.points), None
    value, p = fact["value"], item.params
    if item.formula == "ratio":
        return ratio_points(value, item.points, p.get("cap", 1)), value
    if item.formula == "per_point":
        return points_per_percentage_point(value * 100, p.get("baseline", 100), item.points,
                                           p.get("per_point", 1)), value
    if item.formula == "per_occurrence":
        late = len(fact["ids"].get("late", []))
        return per_occurrence(late, item.points, p.get("per_item", 1), p.get("cap")), value
    if item.formula == "rank":  # placeholder points; do_compute ranks the group afterwards
        return Decimal(item.points), value
    raise ValidationError(f"未知的计分方法“{item.formula}”。")


def _apply_rank_items(items, scores):
    """Rank-based items: within each group, the best fact value gets the full points and each
    place below loses `step`; units without the fact keep full points."""
    for item in (i for i in items if i.formula == "rank"):
        for group in GROUPS.values():
            members = [s for s in scores if s.group == group]
            rows = {s.unit_id: next(r for r in s.items if r["fact"] == item.fact and
                                    r["item"] == str(item)) for s in members}
            ranked = sorted((s for s in members if rows[s.unit_id]["value"] is not None),
                            key=lambda s: -Decimal(rows[s.unit_id]["value"].rstrip("%")))
            for place, score in enumerate(ranked, start=1):
                row = rows[score.unit_id]
                new = rank_points(place, len(ranked), item.points, item.params.get("step", 1))
                row["points"], row["detail"] = str(new), f"{row['detail']}；组内第{place}名"


def base_from_rows(rows, full: Decimal) -> Decimal:
    """The earned share of the items that had facts, scaled to the scheme's full points."""
    scored = [r for r in rows if r.get("value") is not None and "max" in r]
    possible = sum((Decimal(r["max"]) for r in scored), Decimal("0"))
    earned = sum((Decimal(r["points"]) for r in scored), Decimal("0"))
    return (earned / possible * full).quantize(Decimal("0.01")) if possible else Decimal("0")


@transaction.atomic
def do_compute(scheme, *, acting_user) -> int:
    """Score every 市直部门 and 乡镇办 unit; rank each group separately."""
    _require(acting_user)
    if scheme.status == "published":
        raise ValidationError("考评结果已公布并冻结，不能重新计算。")
    items = list(scheme.items.all())
    facts = collect_facts(scheme)
    adjustments = defaultdict(list)
    for adj in scheme.adjustments.active():
        adjustments[adj.unit_id].append(adj)
    units = Unit.objects.active().filter(kind__in=GROUPS)
    scores = []
    full = sum((Decimal(i.points) for i in items), Decimal("0"))
    for unit in units:
        rows, earned, possible = [], Decimal("0"), Decimal("0")
        for item in items:
            fact = facts.get(item.fact, {}).get(unit.pk)
            points, value = score_item(item, fact)
            if fact is not None and fact["value"] is not None:
                earned, possible = earned + points, possible + Decimal(item.points)
            rows.append({"item": str(item), "fact": item.fact, "points": str(points),
                         "max": str(item.points),
                         "value": None if value is None else f"{Decimal(value) * 100:.1f}%",
                         "detail": fact["detail"] if fact else "本期无此项考评内容",
                         "ids": fact["ids"] if fact else {}})
        if not possible:
            continue  # nothing of this unit was due in the period: it is not ranked
        # Items without facts are neither a gift nor a loss: the earned share is scaled up.
        base = base_from_rows(rows, full)
        for row in rows:
            if row["value"] is None:
                row["points"] = "—"
                row["detail"] += "，按其余项目得分率折算"
        bonus = sum((a.points for a in adjustments[unit.pk] if a.points > 0), Decimal("0"))
        minus = sum((-a.points for a in adjustments[unit.pk] if a.points < 0), Decimal("0"))
        adjustment = min(bonus, scheme.bonus_cap) - min(minus, scheme.deduction_cap)
        rows += [{"item": "加减分", "fact": "adjustment", "points": str(a.points),
                  "detail": f"{a.reason}（{a.evidence}）" if a.evidence else a.reason, "ids": {}}
                 for a in adjustments[unit.pk]]
        scores.append(UnitScore(scheme=scheme, unit=unit, group=GROUPS[unit.kind], base=base,
                                adjustment=adjustment, total=base + adjustment, rank=0,
                                items=rows, computed_by=acting_user))
    _apply_rank_items(items, scores)
    for score in scores:
        score.base = base_from_rows(score.items, full)
        score.total = score.base + score.adjustment
    for group in GROUPS.values():
        ranked = sorted((s for s in scores if s.group == group),
                        key=lambda s: (-s.total, s.unit.sort_order, s.unit.name))
        for i, s in enumerate(ranked, start=1):
            s.rank = i
    UnitScore.objects.filter(scheme=scheme).delete()
    UnitScore.objects.bulk_create(scores, batch_size=500)
    scheme.status, scheme.computed_at = "computed", timezone.now()
    scheme.save()
    return len(scores)


@transaction.atomic
def do_publish(scheme, *, acting_user) -> Scheme:
    """Freeze and publish: the ranking becomes visible to all units and can no longer change."""
    _require(acting_user)
    if scheme.status != "computed":
        raise ValidationError("请先计算考评结果。")
    scheme.status, scheme.published_at = "published", timezone.now()
    scheme.save()
    return scheme
