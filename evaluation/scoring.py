"""Scoring without the database: a version's items applied to each unit's facts, ranked
per group. `evaluation.actions.do_compute` loads the facts and stores what comes out.

Numbers stay Decimal from the facts to the stored score; nothing is rounded to text.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.choices import Formula
from evaluation.facts import UnitFact
from evaluation.formulas import CENT, ZERO, item_points, rank_points


@dataclass(frozen=True)
class Rule:
    """A scheme item as scoring needs it."""

    item_id: int
    fact: str
    formula: str
    points: Decimal
    params: dict


@dataclass
class ItemResult:
    rule: Rule
    fact: UnitFact | None
    points: Decimal | None = None  # None: nothing of this fact was due in the period
    place: int | None = None        # the place in the group, for rank-based items

    @property
    def has_fact(self) -> bool:
        return self.fact is not None and self.fact.value is not None


@dataclass
class UnitResult:
    unit_id: int
    group: str
    items: list[ItemResult]
    adjustment: Decimal = ZERO
    base: Decimal = ZERO
    total: Decimal = ZERO
    rank: int | None = None  # None: 不参评, nothing of the unit's was due on any item

    @property
    def takes_part(self) -> bool:
        return any(item.has_fact for item in self.items)


@dataclass(frozen=True)
class Totals:
    """A version's full points and adjustment caps."""

    full: Decimal
    bonus_cap: Decimal
    deduction_cap: Decimal


@dataclass
class Unit:
    """A unit to score, in the order that breaks no tie (ties share a place)."""

    pk: int
    group: str
    adjustments: list[Decimal] = field(default_factory=list)


def score_all(rules: list[Rule], units: list[Unit], facts: dict[str, dict[int, UnitFact]],
              totals: Totals) -> list[UnitResult]:
    """Score every unit; rank each group separately.

    A unit with nothing due on any item is listed as 不参评: no points, no rank (placing it
    last would mark it down for work it was never given).
    """
    results, ranked = [], []
    for unit in units:
        items = [score_item(rule, facts.get(rule.fact, {}).get(unit.pk)) for rule in rules]
        result = UnitResult(unit.pk, unit.group, items)
        results.append(result)
        if result.takes_part:
            result.adjustment = capped_adjustment(unit.adjustments, totals)
            ranked.append(result)
    place_rank_items(rules, ranked)
    for result in ranked:
        result.base = base_points(result.items, totals.full)
        result.total = result.base + result.adjustment
    rank_groups(ranked)
    return results


def score_item(rule: Rule, fact: UnitFact | None) -> ItemResult:
    """Points from the unit's own figure; rank-based items wait for the group."""
    result = ItemResult(rule, fact)
    if result.has_fact and rule.formula != Formula.RANK:
        result.points = item_points(rule.formula, value=fact.value, late=fact.late,
                                    points=rule.points, params=rule.params)
    return result


def place_rank_items(rules: list[Rule], results: list[UnitResult]) -> None:
    """Rank-based items: within each group the best completion rate gets the full points and
    each place below loses `step`; equal rates share a place."""
    for index, rule in enumerate(rules):
        if rule.formula != Formula.RANK:
            continue
        for group in {r.group for r in results}:
            ranked = sorted((r.items[index] for r in results
                             if r.group == group and r.items[index].has_fact),
                            key=lambda item: -item.fact.value)
            for item, place in zip(ranked, shared_places([i.fact.value for i in ranked]),
                                   strict=True):
                item.place = place
                item.points = rank_points(place, len(ranked), rule.points, rule.params["step"])


def shared_places(values: list) -> list[int]:
    """Places for values sorted best first, equal values sharing one (1, 2, 2, 4)."""
    places = []
    for i, value in enumerate(values):
        places.append(places[-1] if i and value == values[i - 1] else i + 1)
    return places


def base_points(items: list[ItemResult], full: Decimal) -> Decimal:
    """The earned share of the items that had facts, scaled to the full points: an item with
    nothing due in the period is neither a gift nor a loss."""
    scored = [item for item in items if item.points is not None]
    possible = sum((item.rule.points for item in scored), ZERO)
    earned = sum((item.points for item in scored), ZERO)
    return (earned / possible * full).quantize(CENT) if possible else ZERO


def capped_adjustment(points: list[Decimal], totals: Totals) -> Decimal:
    """Bonuses up to the bonus cap, deductions up to the deduction cap, each summed first."""
    bonus = sum((p for p in points if p > 0), ZERO)
    minus = sum((-p for p in points if p < 0), ZERO)
    return min(bonus, totals.bonus_cap) - min(minus, totals.deduction_cap)


def rank_groups(results: list[UnitResult]) -> None:
    """Rank by total within each group; equal totals share a place. The sort is stable, so
    units keep their given order within a shared place."""
    for group in {r.group for r in results}:
        ranked = sorted((r for r in results if r.group == group), key=lambda r: -r.total)
        for result, place in zip(ranked, shared_places([r.total for r in ranked]), strict=True):
            result.rank = place
