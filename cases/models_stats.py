"""Daily pre-aggregates of case figures (绩效评价) and the weights of the 综合指标值.

Imported by cases.models. cases.performance defines every figure; the roll-up here only
holds what cases.performance computes, summed by local day, so the ranking never scans
millions of cases. The roll-up is derived data: `cases_rollup --rebuild` recreates it.
"""

from decimal import Decimal

from django.db import models

from core.models import TrackedModel


class Dimension(models.TextChoices):
    """What the performance table is broken down by."""

    UNIT = "unit", "处置单位"
    GRID = "grid", "单元网格"
    SEGMENT = "segment", "路段"
    TYPE = "type", "案件类型"
    SOURCE = "source", "案件来源"


class Metric(models.TextChoices):
    """The rates the 综合指标值 weighs (cases.performance defines each)."""

    ON_TIME_RATE = "on_time_rate", "按期结案率"
    CLOSE_RATE = "close_rate", "结案率"
    REGISTER_RATE = "register_rate", "立案率"
    REWORK_RATE = "rework_rate", "返工率"
    EXTENSION_RATE = "extension_rate", "延期率"
    RETURN_RATE = "return_rate", "回退率"


# Rates where less is better: they score as (1 − rate).
LOWER_IS_BETTER = frozenset({Metric.REWORK_RATE, Metric.EXTENSION_RATE, Metric.RETURN_RATE})

# Default weights (percent). 按期结案率 and 结案率 carry most, as in 金华's 考核细则
# (按期结案率 50 分, 结案率 20 分) and the district rule that scores 按时结案率 × 60; the rest
# goes to the quality figures 福州's bulletins publish beside them (返工率, 延期率) and to
# 回退 (推诿 loses points in 金华). 立案率 is the desk's figure, not a unit's: weight 0.
DEFAULT_WEIGHTS = {
    Metric.ON_TIME_RATE: Decimal("50"),
    Metric.CLOSE_RATE: Decimal("20"),
    Metric.REWORK_RATE: Decimal("10"),
    Metric.EXTENSION_RATE: Decimal("10"),
    Metric.RETURN_RATE: Decimal("10"),
    Metric.REGISTER_RATE: Decimal("0"),
}


class PerformanceWeight(TrackedModel):
    """One weight of the 综合指标值; the office edits them (cases:performance_weights)."""

    metric = models.CharField("指标", max_length=20, choices=Metric.choices, unique=True)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2,
                                 help_text="各指标权重之和一般为100；权重为0的指标不计入。")

    class Meta:
        verbose_name = "绩效评价权重"
        verbose_name_plural = "绩效评价权重"
        ordering = ["metric"]

    def __str__(self):
        return f"{self.get_metric_display()} {self.weight.normalize():f}%"


class CaseDayStat(models.Model):
    """The figures of one local day for one key of one dimension (see cases.performance:
    every counter is a count of cases or events whose defining moment fell on `day`).

    Holds only what can no longer change: events before the roll-up's watermark and cases
    that reached a final state (结案/不予立案/作废) before it. Everything else is computed
    live and added (cases.performance.figures), so the sum equals the direct computation.
    """

    day = models.DateField("日期")
    dimension = models.CharField("维度", max_length=10, choices=Dimension.choices)
    key = models.CharField("维度取值", max_length=20, blank=True,
                           help_text="单位/网格/路段/类型的编号，或来源代码；空为未指定")
    reported = models.PositiveIntegerField("上报数", default=0)
    registered = models.PositiveIntegerField("立案数", default=0)
    closed = models.PositiveIntegerField("结案数", default=0)
    closed_on_time = models.PositiveIntegerField("按期结案数", default=0)
    handling_minutes = models.PositiveBigIntegerField("处置用时合计（工作分钟）", default=0)
    handling_cases = models.PositiveIntegerField("计入处置用时的案件数", default=0)
    dispatched = models.PositiveIntegerField("派遣数", default=0)
    handled = models.PositiveIntegerField("处置数", default=0)
    reworked = models.PositiveIntegerField("返工数", default=0)
    extended = models.PositiveIntegerField("延期数", default=0)
    returned = models.PositiveIntegerField("回退数", default=0)

    class Meta:
        verbose_name = "案件日统计"
        verbose_name_plural = "案件日统计"
        constraints = [models.UniqueConstraint(fields=["dimension", "key", "day"],
                                               name="cases_daystat_unique")]
        # The ranking sums one dimension over a range of days.
        indexes = [models.Index(fields=["dimension", "day"], name="cases_daystat_dim_day")]

    def __str__(self):
        return f"{self.day} {self.get_dimension_display()} {self.key}"


class CaseRollupState(models.Model):
    """How far the roll-up goes: every event before `watermark`, and every case whose final
    event came before it, is in CaseDayStat. One row (pk 1), locked while a run writes."""

    watermark = models.DateTimeField("统计截至", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "案件统计进度"
        verbose_name_plural = "案件统计进度"

    def __str__(self):
        return f"案件统计截至 {self.watermark}"


__all__ = ["CaseDayStat", "CaseRollupState", "Dimension", "Metric", "PerformanceWeight"]
