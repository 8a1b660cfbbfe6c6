"""What a clerk checks before accepting a progress report, as flags.

`flags_for` is pure (no database): it reads a `ReportFacts` — the report's figures beside
the previous filed report's and the project's plan — and says which checks fail. The loader
`load_facts` builds those facts for many reports with a fixed number of queries, so the
review queue can flag (and filter) its whole backlog, not only the page shown.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models

from projects.choices import Stage

DEFAULT_JUMP_SHARE = Decimal("0.3")
MAX_JUMP_SHARE = Decimal("10")

logger = logging.getLogger(__name__)


class Flag(models.TextChoices):
    PERCENT_DOWN = "percent_down", "形象进度下降"
    INVESTMENT_JUMP = "investment_jump", "投资跳增"
    OVER_TOTAL = "over_total", "累计超总投资"
    SUSPENDED_WORK = "suspended_work", "停工项目填报施工内容"


# Words that describe work on site; a 停工 project should not report them.
CONSTRUCTION_WORDS = (
    "施工", "浇筑", "开挖", "吊装", "铺设", "钢筋", "模板", "混凝土", "砼", "砌筑", "绑扎",
    "安装", "回填", "摊铺", "铺装", "焊接", "打桩", "桩基", "灌注", "架设", "支护", "土方",
    "抹灰", "沥青", "碾压", "拆除", "管道", "管网", "基坑", "主体结构", "路基")
_CONSTRUCTION = re.compile("|".join(CONSTRUCTION_WORDS))
# A negation a few characters before the word says the opposite (停工期间未进行施工,
# 暂停钢筋绑扎, 没有开挖): 未/没(有)/无/暂停/停止/禁止/不 (not 不断), or 停 right before it.
NEGATION_WINDOW = 4
_NEGATION = re.compile("未|没|无|暂停|停止|禁止|不(?!断)")
# A clause ends here: 未完成验收，继续浇筑 negates nothing after the comma.
_CLAUSE_END = re.compile(r"[，,。;；：:！!？?、\s]")


@dataclass(frozen=True)
class ReportFacts:
    """One report's figures and what they are compared with."""

    percent: int
    investment_period: Decimal
    year_cumulative: Decimal
    text: str
    stage: str                                   # the project's stage during the period
    total_investment: Decimal
    year_planned: Decimal | None = None          # the project's plan for the report's year
    previous_percent: int | None = None          # the previous filed report's 形象进度
    earlier_years: Decimal = Decimal("0")        # cumulative investment of earlier years


def jump_share() -> Decimal:
    """settings.REVIEW_JUMP_SHARE as a number. Read where it is used: an unreadable value
    (not a number, NaN, infinite, or outside (0, 10]) falls back to 0.3 with a warning in
    the log, so a typo in the environment never takes the review queue down."""
    raw = getattr(settings, "REVIEW_JUMP_SHARE", DEFAULT_JUMP_SHARE)
    try:
        share = Decimal(str(raw).strip())
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 < share <= MAX_JUMP_SHARE:
        logger.warning("REVIEW_JUMP_SHARE=%r is not a number in (0, %s]; using %s",
                       raw, MAX_JUMP_SHARE, DEFAULT_JUMP_SHARE)
        return DEFAULT_JUMP_SHARE
    return share


def _negated(text: str, at: int) -> bool:
    """Whether the word starting at `at` is negated by what comes just before it, within
    its clause."""
    before = text[max(0, at - NEGATION_WINDOW):at]
    before = _CLAUSE_END.split(before)[-1]
    return bool(_NEGATION.search(before)) or before.endswith("停")


def mentions_construction(text: str) -> bool:
    """Whether `text` speaks of work on site: a construction word not negated just before.
    Words written together (钢筋绑扎, 混凝土浇筑) are one phrase, negated from its start."""
    text = text or ""
    phrase_start, phrase_end = None, None
    for match in _CONSTRUCTION.finditer(text):
        if match.start() != phrase_end:
            phrase_start = match.start()
        phrase_end = match.end()
        if not _negated(text, phrase_start):
            return True
    return False


def flags_for(facts: ReportFacts, share: Decimal = DEFAULT_JUMP_SHARE) -> list[str]:
    """The flags a report raises, in the order of `Flag`."""
    found = []
    if facts.previous_percent is not None and facts.percent < facts.previous_percent:
        found.append(Flag.PERCENT_DOWN)
    if facts.year_planned and facts.investment_period > facts.year_planned * share:
        found.append(Flag.INVESTMENT_JUMP)
    if facts.total_investment and \
            facts.earlier_years + facts.year_cumulative > facts.total_investment:
        found.append(Flag.OVER_TOTAL)
    if facts.stage == Stage.SUSPENDED and mentions_construction(facts.text):
        found.append(Flag.SUSPENDED_WORK)
    return found


def flag_reasons(facts: ReportFacts, share: Decimal = DEFAULT_JUMP_SHARE) -> list[str]:
    """Each raised flag as the clerk reads it, with the figures behind it."""
    reasons = []
    for flag in flags_for(facts, share):
        if flag == Flag.PERCENT_DOWN:
            reasons.append(f"形象进度下降：上期{facts.previous_percent}%，本期{facts.percent}%")
        elif flag == Flag.INVESTMENT_JUMP:
            reasons.append(f"投资跳增：本期{facts.investment_period}万元，超过年度计划"
                           f"{facts.year_planned}万元的{share * 100:.0f}%")
        elif flag == Flag.OVER_TOTAL:
            reasons.append(f"累计超总投资：累计{facts.earlier_years + facts.year_cumulative}万元，"
                           f"总投资{facts.total_investment}万元")
        else:
            reasons.append("停工项目填报施工内容")
    return reasons


# --- loading (the only part that reads the database) ----------------------------------


@dataclass(frozen=True)
class Previous:
    """The filed report before a given one (for the side-by-side view)."""

    pk: int
    period_start: object
    percent: int
    year_cumulative: Decimal


def load_facts(reports) -> tuple[dict[int, ReportFacts], dict[int, Previous]]:
    """({report id: facts}, {report id: previous filed report}) for `reports` (ProgressReport
    instances with `project` loaded), in four queries whatever their number."""
    from projects.engine import FILED
    from projects.models import ProgressReport, ProjectYearPlan

    reports = list(reports)
    if not reports:
        return {}, {}
    project_ids = {r.project_id for r in reports}
    latest = max(r.period_start for r in reports)
    history = defaultdict(list)  # project → [(start, pk, percent, cumulative)], oldest first
    for row in (ProgressReport.objects.filter(project_id__in=project_ids, status__in=FILED,
                                              period_start__lt=latest)
                .order_by("project_id", "period_start")
                .values_list("project_id", "period_start", "pk", "progress_percent",
                             "investment_year_cumulative")):
        history[row[0]].append(row[1:])
    suspensions = _suspension_history(project_ids)
    years = {r.period_start.year for r in reports}
    planned = {(pid, year): amount for pid, year, amount in ProjectYearPlan.objects.filter(
        project_id__in=project_ids, year__in=years, archived_at=None)
        .values_list("project_id", "year", "planned_investment")}
    facts, previous = {}, {}
    for report in reports:
        before = [h for h in history[report.project_id] if h[0] < report.period_start]
        if before:
            start, pk, percent, cumulative = before[-1]
            previous[report.pk] = Previous(pk, start, percent, cumulative)
        project = report.project
        facts[report.pk] = ReportFacts(
            percent=report.progress_percent, investment_period=report.investment_period,
            year_cumulative=report.investment_year_cumulative, text=report.progress_text,
            stage=_stage_in(project, report.period_end, suspensions.get(report.project_id)),
            total_investment=project.total_investment,
            year_planned=planned.get((report.project_id, report.period_start.year)),
            previous_percent=before[-1][2] if before else None,
            earlier_years=_earlier_years(before, report.period_start.year))
    return facts, previous


@dataclass(frozen=True)
class StageChange:
    """A project's stage moving into or out of 停工, as its change history recorded it."""

    on: date                 # the day it took effect (stage_changed_on, else the change's day)
    before: str | None       # None: the project was created in `after`
    after: str


def _suspension_history(project_ids) -> dict[int, list[StageChange]]:
    """{project id: its changes into and out of 停工, in the order they were made}, in one
    query on the projects' change history (core ObjectChange: every save records the
    stage before and after, and stage_changed_on, the day a change took effect)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from core.dates import local_date
    from core.models import ObjectChange
    from projects.models import Project

    rows = (ObjectChange.objects
            .filter(content_type=ContentType.objects.get_for_model(Project),
                    object_id__in=list(project_ids))
            .filter(Q(before__stage=Stage.SUSPENDED) | Q(after__stage=Stage.SUSPENDED))
            .order_by("time", "pk")
            .values_list("object_id", "time", "before__stage", "after__stage",
                         "before__stage_changed_on", "after__stage_changed_on"))
    history = defaultdict(list)
    for pid, time, before, after, before_on, after_on in rows:
        if before == after:
            continue  # another field of a suspended project
        on = after_on if after_on and after_on != before_on else None
        history[pid].append(StageChange(
            date.fromisoformat(on) if isinstance(on, str) else on or local_date(time),
            before, after))
    return history


def _stage_in(project, period_end, changes: list[StageChange]) -> str:
    """The project's stage when the period ended, as far as 停工 is concerned: a report
    filed while the project was suspended keeps its flag after the project resumes, and a
    project suspended only after the period ended was not 停工 then.

    From the change history where it has the project's changes; without it (rows older
    than the history) from stage_changed_on, the day the current stage took effect."""
    if changes:
        in_effect = [c for c in changes if c.on <= period_end]
        if in_effect:
            return in_effect[-1].after
        first = changes[0]
        return first.after if first.before is None else first.before
    changed = project.stage_changed_on
    if project.stage == Stage.SUSPENDED and changed is not None and changed > period_end:
        return ""
    return project.stage


def _earlier_years(before, year) -> Decimal:
    """The investment of the years before `year`: each earlier year's last filed cumulative."""
    last_of_year: dict[int, Decimal] = {}
    for start, _, _, cumulative in before:
        if start.year < year:
            last_of_year[start.year] = cumulative
    return sum(last_of_year.values(), Decimal("0"))


def flags_by_report(reports, share: Decimal | None = None) -> dict[int, list[str]]:
    """{report id: its flags} for a queryset (or list) of reports, batched."""
    share = jump_share() if share is None else share
    if hasattr(reports, "select_related"):
        reports = reports.select_related(None).select_related("project").only(
            "pk", "project_id", "period_start", "period_end", "progress_percent", "investment_period",
            "investment_year_cumulative", "progress_text", "project__stage",
            "project__stage_changed_on", "project__total_investment")
    facts, _ = load_facts(reports)
    return {pk: flags_for(f, share) for pk, f in facts.items()}
