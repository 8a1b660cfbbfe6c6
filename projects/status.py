"""The 亮灯 status engine: pure functions from facts and rules to colours with reasons.

No database access here, so the rules can be property-tested; projects.engine
loads the facts, calls `evaluate`, and stores statuses and transitions.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from projects.choices import COLOUR_RANK, FINISHED_STAGES, Colour, Dimension, Stage

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Rules:
    milestone_notice_days: int = 7
    milestone_red_days: int = 7
    investment_mode: str = "points"  # or "relative"
    investment_yellow: Decimal = Decimal("10")
    investment_red: Decimal = Decimal("30")
    report_yellow_periods: int = 1
    report_red_periods: int = 2
    procedure_red_days: int = 30
    catchup_days: int = 7  # one reporting period

    @classmethod
    def from_rule_set(cls, rule_set, cycle_days: int = 7) -> "Rules":
        return cls(
            milestone_notice_days=rule_set.milestone_notice_days,
            milestone_red_days=rule_set.milestone_red_days,
            investment_mode=rule_set.investment_mode,
            investment_yellow=rule_set.investment_yellow,
            investment_red=rule_set.investment_red,
            report_yellow_periods=rule_set.report_yellow_periods,
            report_red_periods=rule_set.report_red_periods,
            procedure_red_days=rule_set.procedure_red_days,
            catchup_days=rule_set.catchup_periods * cycle_days,
        )


@dataclass(frozen=True)
class MilestoneFact:
    name: str
    planned: date
    actual: date | None = None


@dataclass(frozen=True)
class ProcedureFact:
    name: str
    required_by: date | None
    done: bool


@dataclass(frozen=True)
class Facts:
    today: date
    stage: str = Stage.CONSTRUCTION
    stage_reason: str = ""
    milestones: tuple[MilestoneFact, ...] = ()
    procedures: tuple[ProcedureFact, ...] = ()
    year_planned: Decimal | None = None        # 年度计划投资
    year_schedule_to_date: Decimal | None = None  # 序时: planned cumulative on investment_as_of
    year_actual: Decimal = Decimal("0")       # reported cumulative of that year
    investment_as_of: date | None = None      # the day the reported figure refers to
    missing_streak: int = 0                   # consecutive most recent periods not reported
    last_missing_deadline: date | None = None


@dataclass
class Verdict:
    colour: str = Colour.GREEN
    reasons: list[str] = field(default_factory=list)

    def raise_to(self, colour: str, reason: str):
        if COLOUR_RANK[colour] > COLOUR_RANK[self.colour]:
            self.colour = colour
        self.reasons.append(reason)


def worst(colours) -> str:
    return max(colours, key=lambda c: COLOUR_RANK[c], default=Colour.GREEN)


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def evaluate_milestones(facts: Facts, rules: Rules) -> Verdict:
    verdict = Verdict()
    for m in facts.milestones:
        if m.actual is not None and m.actual <= facts.today:
            continue  # done (a future "actual" date is not done yet)
        days = (facts.today - m.planned).days
        when = f"节点「{m.name}」计划{m.planned:%Y-%m-%d}"
        if days > rules.milestone_red_days:
            verdict.raise_to(Colour.RED, f"{when}，已超期{days}天")
        elif days > 0:
            verdict.raise_to(Colour.YELLOW, f"{when}，已超期{days}天")
        elif -days <= rules.milestone_notice_days:
            left = -days
            due = "今天到期" if left == 0 else f"{left}天后到期"
            verdict.raise_to(Colour.YELLOW, f"{when}，{due}，尚未完成")
    return verdict


def investment_gap(facts: Facts, rules: Rules) -> Decimal | None:
    """How far the year's actual lags the 序时 schedule, in the rule's unit."""
    planned, schedule = facts.year_planned, facts.year_schedule_to_date
    if not planned or schedule is None or schedule <= 0:
        return None
    if rules.investment_mode == "relative":
        return max(Decimal("0"), (schedule - facts.year_actual) / schedule * HUNDRED)
    return (schedule - facts.year_actual) / planned * HUNDRED


def evaluate_investment(facts: Facts, rules: Rules) -> Verdict:
    """Investment against 序时 applies once building has started (在建, 停工)."""
    verdict = Verdict()
    if facts.stage not in (Stage.CONSTRUCTION, Stage.SUSPENDED):
        return verdict
    gap = investment_gap(facts, rules)
    if gap is None or gap < rules.investment_yellow:
        return verdict
    planned = facts.year_planned
    actual_pct = facts.year_actual / planned * HUNDRED
    schedule_pct = facts.year_schedule_to_date / planned * HUNDRED
    unit = "%" if rules.investment_mode == "relative" else "个百分点"
    as_of = facts.investment_as_of
    when = f"截至{as_of.year}年{as_of.month}月{as_of.day}日，" if as_of else ""
    reason = (f"{when}年度累计完成投资{facts.year_actual.quantize(Decimal('0.01'))}万元，"
              f"完成年度计划的{_pct(actual_pct)}%，落后序时进度（{_pct(schedule_pct)}%）"
              f"{_pct(gap)}{unit}")
    verdict.raise_to(Colour.RED if gap > rules.investment_red else Colour.YELLOW, reason)
    return verdict


def evaluate_reporting(facts: Facts, rules: Rules) -> Verdict:
    verdict = Verdict()
    n = facts.missing_streak
    if n < rules.report_yellow_periods or n == 0:
        return verdict
    last = (f"（最近一期截止{facts.last_missing_deadline:%Y-%m-%d}）"
            if facts.last_missing_deadline else "")
    text = f"已连续{n}期未报送进度{last}" if n > 1 else f"本期进度未按时报送{last}"
    verdict.raise_to(Colour.RED if n >= rules.report_red_periods else Colour.YELLOW, text)
    return verdict


def evaluate_procedures(facts: Facts, rules: Rules) -> Verdict:
    verdict = Verdict()
    for p in facts.procedures:
        if p.done or p.required_by is None or p.required_by >= facts.today:
            continue
        days = (facts.today - p.required_by).days
        colour = Colour.RED if days > rules.procedure_red_days else Colour.YELLOW
        verdict.raise_to(colour, f"手续「{p.name}」应于{p.required_by:%Y-%m-%d}前办结，已逾期{days}天")
    return verdict


EVALUATORS = {
    Dimension.MILESTONES: evaluate_milestones,
    Dimension.INVESTMENT: evaluate_investment,
    Dimension.REPORTING: evaluate_reporting,
    Dimension.PROCEDURES: evaluate_procedures,
}


@dataclass
class Result:
    overall: str
    dimensions: dict[str, Verdict]
    overall_reasons: list[str]
    red_hold_until: date | None


def evaluate(facts: Facts, rules: Rules, *, previous_overall: str | None = None,
             red_hold_until: date | None = None) -> Result:
    """All dimensions, then the overall colour with the catch-up rule applied.

    Catch-up: once red, a project that no longer earns red shows yellow until
    one full period has passed in good standing (`red_hold_until`).
    """
    dims = {dim: fn(facts, rules) for dim, fn in EVALUATORS.items()}
    if facts.stage == Stage.PLANNING:
        return Result(Colour.GREY, dims, ["项目处于谋划阶段，尚未开工"], None)
    if facts.stage in FINISHED_STAGES:
        return Result(Colour.BLUE, dims, [f"项目已{Stage(facts.stage).label}"], None)
    overall = worst(v.colour for v in dims.values())
    reasons: list[str] = []
    if facts.stage == Stage.SUSPENDED:
        overall = worst([overall, Colour.YELLOW])
        reasons.append(f"项目停工{('：' + facts.stage_reason) if facts.stage_reason else ''}")
    hold = red_hold_until
    if overall == Colour.RED:
        hold = None
    elif previous_overall == Colour.RED:
        hold = facts.today + timedelta(days=rules.catchup_days)
    if hold is not None:
        if facts.today < hold:
            overall = worst([overall, Colour.YELLOW])
            reasons.append(f"红灯问题已整改，观察期至{hold:%Y-%m-%d}")
        else:
            hold = None
    return Result(overall, dims, reasons, hold)


def schedule_to_date(monthly_cumulative: list[Decimal], day: date) -> Decimal:
    """序时进度: the planned cumulative amount on `day`, linear within the month."""
    import calendar

    month = day.month
    before = monthly_cumulative[month - 2] if month > 1 else Decimal("0")
    end = monthly_cumulative[month - 1]
    days_in_month = calendar.monthrange(day.year, month)[1]
    return before + (end - before) * Decimal(day.day) / Decimal(days_in_month)


def even_schedule(amount: Decimal) -> list[Decimal]:
    """The default 序时 schedule: the year's plan spread evenly over 12 months."""
    monthly = (amount / 12).quantize(Decimal("0.01"))
    values = [monthly * (i + 1) for i in range(11)] + [amount]
    return values
