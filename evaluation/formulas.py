"""The formula library of scoring schemes. Pure functions: facts in, points out.

Every formula is bounded by its item's points, so the weights add up as configured. Each
formula declares its parameters with their defaults and bounds (`LIBRARY`): the scheme
editor offers them, and `resolve_params` is the one check of what an office may set.
Numbers are Decimal throughout; nothing here is parsed from text.
"""

from dataclasses import dataclass
from decimal import Decimal

from evaluation.choices import COUNTED_FACTS, Formula

CENT = Decimal("0.01")
ZERO = Decimal("0")


def ratio_points(ratio, points, cap_ratio=1) -> Decimal:
    """points × min(ratio, cap) / cap: e.g. investment 60 × completed/序时, full at 100 %."""
    r = max(ZERO, min(Decimal(ratio), Decimal(cap_ratio)))
    return (Decimal(points) * r / Decimal(cap_ratio)).quantize(CENT)


def points_per_percentage_point(value_pct, baseline_pct, points, per_point=1, floor=0):
    """points ± per_point for each percentage point above/below the baseline, within [floor, points].

    E.g. 形象进度 30 points ±1 per point around 序时.
    """
    raw = Decimal(points) + (Decimal(value_pct) - Decimal(baseline_pct)) * Decimal(per_point)
    return max(Decimal(floor), min(Decimal(points), raw)).quantize(CENT)


def per_occurrence(count, points, per_item, cap=None) -> Decimal:
    """points − per_item × count, the deduction capped at `cap` (default: all the points)."""
    deduction = min(Decimal(per_item) * count, Decimal(cap if cap is not None else points))
    return max(ZERO, Decimal(points) - deduction).quantize(CENT)


def rank_points(rank, group_size, points, step=1) -> Decimal:
    """First place gets the points, each place below loses `step`, never below zero."""
    if group_size <= 0:
        return ZERO
    return max(ZERO, Decimal(points) - Decimal(step) * (int(rank) - 1)).quantize(CENT)


@dataclass(frozen=True)
class Param:
    """One parameter of a formula: its default and the range an office may set.

    `high=None` bounds it by the item's points (a deduction step larger than the item
    would be a second, hidden weight). `low_open` refuses the low bound itself: a step
    of 0 points is no rule at all.
    """

    name: str
    label: str
    default: Decimal | None  # None: the item's points
    low: Decimal = ZERO
    high: Decimal | None = None
    low_open: bool = False

    def check(self, value: Decimal, points: Decimal) -> str | None:
        """A Chinese message if `value` is outside the range, else None."""
        high = points if self.high is None else self.high
        too_low = value <= self.low if self.low_open else value < self.low
        if too_low or value > high:
            low_word = "大于" if self.low_open else "不小于"
            return f"“{self.label}”应{low_word}{number_text(self.low)}且不超过{number_text(high)}。"
        return None


@dataclass(frozen=True)
class FormulaSpec:
    key: str
    hint: str
    params: tuple[Param, ...]
    counted_only: bool = False  # counts late rows: only for facts made of rows

    @property
    def label(self) -> str:
        return Formula(self.key).label


LIBRARY: dict[str, FormulaSpec] = {spec.key: spec for spec in (
    FormulaSpec(Formula.RATIO, "得分 = 分值 × 完成率 ÷ 满分完成率，超过的不加分。", (
        Param("cap", "满分完成率（1即100%）", Decimal("1"), ZERO, Decimal("2"), low_open=True),)),
    FormulaSpec(Formula.PER_POINT, "完成率每高于或低于基准1个百分点，加或减相应分值，"
                "不超过本项分值、不低于最低得分。", (
        Param("baseline", "基准（%）", Decimal("100"), ZERO, Decimal("200")),
        Param("per_point", "每百分点分值", Decimal("1"), low_open=True),
        Param("floor", "最低得分", ZERO))),
    FormulaSpec(Formula.PER_OCCURRENCE, "每有一项逾期或未完成扣相应分值，扣完为止。", (
        Param("per_item", "每次扣分", Decimal("1"), low_open=True),
        Param("cap", "扣分上限", None)), counted_only=True),
    FormulaSpec(Formula.RANK, "同组按完成率排名，第一名得满分，每低一名减相应分值。", (
        Param("step", "每名次递减分值", Decimal("1"), low_open=True),)),
)}


def number_text(value: Decimal) -> str:
    """A Decimal as people write it in a message: 100, 0.5 (no trailing zeros, no exponent)."""
    return format(Decimal(value).normalize(), "f")


# How each fact's rate and its late rows are named in a formula's sentence.
RATE_WORDS = {"investment": "投资完成率", "milestones": "节点按期完成率",
              "reports": "按时报送率", "action_items": "交办事项按期办结率",
              "rectification": "整改按期反馈率"}
LATE_WORDS = {"milestones": "节点逾期或未完成一个", "reports": "迟报或漏报一期",
              "action_items": "交办事项逾期未办结一项", "rectification": "整改逾期未反馈一次"}


def formula_sentence(fact: str, formula: str, points, params: dict) -> str:
    """The item's rule in words with its parameters, as a unit checks its score:
    "按时报送率×满分（20分）", "迟报或漏报一期扣0.5分，最多扣完"."""
    rate = RATE_WORDS.get(fact, "完成率")
    points = Decimal(points)
    full = f"满分（{number_text(points)}分）"
    if formula == Formula.RATIO:
        cap = Decimal(params.get("cap", 1))
        if cap == 1:
            return f"{rate}×{full}，超过100%不加分"
        pct = number_text(cap * 100)
        return f"{rate}÷{pct}%×{full}，达到{pct}%即得满分，超过不加分"
    if formula == Formula.PER_POINT:
        floor = Decimal(params.get("floor", 0))
        return (f"{rate}以{number_text(params.get('baseline', 100))}%为基准得{full}，"
                f"每低1个百分点扣{number_text(params.get('per_point', 1))}分，"
                f"高于基准不加分，最低{number_text(floor)}分")
    if formula == Formula.PER_OCCURRENCE:
        cap = Decimal(params.get("cap", points))
        limit = "最多扣完" if cap >= points else f"最多扣{number_text(cap)}分"
        late = LATE_WORDS.get(fact, "逾期一次")
        return f"{full}起扣：{late}扣{number_text(params.get('per_item', 1))}分，{limit}"
    if formula == Formula.RANK:
        return (f"同组按{rate}排名，第一名得{full}，每低一名减"
                f"{number_text(params.get('step', 1))}分，减完为止")
    return Formula(formula).label


def resolve_params(formula: str, points: Decimal, given: dict) -> tuple[dict, dict]:
    """(the formula's parameters with defaults filled in, {name: Chinese message}).

    Parameters of other formulas in `given` are ignored; a blank one takes its default.
    """
    spec = LIBRARY[formula]
    values, errors = {}, {}
    for param in spec.params:
        value = given.get(param.name)
        if value is None:
            value = points if param.default is None else param.default
        message = param.check(Decimal(value), Decimal(points))
        if message:
            errors[param.name] = message
        values[param.name] = Decimal(value)
    return values, errors


def check_formula(fact: str, formula: str) -> str | None:
    """A Chinese message if the formula is unknown or does not fit the fact."""
    spec = LIBRARY.get(formula)
    if spec is None:
        return f"没有“{formula}”这种计分方法，请从计分方法库中选择。"
    if spec.counted_only and fact not in COUNTED_FACTS:
        return f"“{spec.label}”按逾期的条数扣分，只能用于节点、填报、交办事项和整改。"
    return None


def item_points(formula: str, *, value: Decimal, late: int, points: Decimal,
                params: dict) -> Decimal:
    """An item's points from the unit's completion rate (`value`, 1 = 100 %) or its count
    of late rows. Rank-based items are placed by the group (evaluation.scoring)."""
    if formula == Formula.RATIO:
        return ratio_points(value, points, params["cap"])
    if formula == Formula.PER_POINT:
        return points_per_percentage_point(value * 100, params["baseline"], points,
                                           params["per_point"], params["floor"])
    if formula == Formula.PER_OCCURRENCE:
        return per_occurrence(late, points, params["per_item"], params["cap"])
    raise ValueError(f"{formula} is scored by the group's ranking, not per unit")
