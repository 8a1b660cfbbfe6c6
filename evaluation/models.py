"""Scoring schemes in versions, evaluations that keep the version they used, and scores
stored as numbers with the facts behind them."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import TrackedModel, TrackedQuerySet
from evaluation.choices import (
    FACT_UNITS,
    EvaluationStatus,
    Fact,
    FactKind,
    Formula,
    VersionStatus,
)
from evaluation.formulas import LIBRARY, formula_sentence
from org.choices import UnitKind
from org.models import Unit, user_unit_ids
from org.roles import Cap, Reach, has_cap, reach_of

POINTS = {"max_digits": 6, "decimal_places": 2}   # a score or a weight: 0.00 … 9999.99
AMOUNT = {"max_digits": 14, "decimal_places": 2}  # 万元, as the ledger keeps them


class SchemeQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """Every internal role may read the rules it is scored by."""
        return self.active() if has_cap(user, Cap.VIEW_PROJECTS) else self.none()


class Scheme(TrackedModel):
    """A scoring scheme the office maintains (e.g. 综合考评); its rules live in versions."""

    name = models.CharField("方案名称", max_length=100)
    description = models.TextField("适用范围及说明", blank=True)
    preset = models.CharField("来自预设", max_length=30, blank=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"
        ordering = ["name", "pk"]
        # "evaluation_scheme" and its index names belonged to what became Evaluation in
        # migration 0002 (a table rename keeps its index names, so the name is not free).
        db_table = "evaluation_scoring_scheme"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:scheme_detail", args=[self.pk])

    @property
    def current_version(self):
        """The latest published version: what a new computation uses."""
        return self.versions.active().filter(status=VersionStatus.PUBLISHED).first()

    @property
    def draft(self):
        """The open draft, if an edit is under way (at most one per scheme)."""
        return self.versions.active().filter(status=VersionStatus.DRAFT).first()


class VersionQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """Drafts are the office's work in progress; others read published versions."""
        if has_cap(user, Cap.MANAGE_PROJECTS):
            return self.active()
        if has_cap(user, Cap.VIEW_PROJECTS):
            return self.active().filter(status=VersionStatus.PUBLISHED)
        return self.none()


class SchemeVersion(TrackedModel):
    """One version of a scheme's rules. A draft is edited; a published version never
    changes again, so every evaluation that used it stays explained by it."""

    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.PROTECT,
                               related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    total_points = models.DecimalField("满分", **POINTS, default=100)
    bonus_cap = models.DecimalField("加分上限", **POINTS, default=5)
    deduction_cap = models.DecimalField("扣分上限", **POINTS, default=10)
    note = models.CharField("修订说明", max_length=200, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = "方案版本"
        verbose_name_plural = "方案版本"
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"],
                                    name="evaluation_version_number_unique"),
            # Two drafts of one scheme would be two edits, one silently lost on publish.
            models.UniqueConstraint(fields=["scheme"], name="evaluation_one_draft",
                                    condition=models.Q(status="draft", archived_at=None)),
        ]

    def __str__(self):
        return f"{self.scheme.name} 第{self.number}版"

    def get_absolute_url(self):
        return reverse("evaluation:version_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class SchemeItem(models.Model):
    """One scored item of a version: which fact, which formula, how many points.

    Not a tracked model: a draft's items are replaced as a whole on each save and a
    published version's never change, so the versions themselves are the history.
    """

    version = models.ForeignKey(SchemeVersion, verbose_name="方案版本", on_delete=models.CASCADE,
                                related_name="items")
    fact = models.CharField("考评指标", max_length=20, choices=Fact.choices)
    points = models.DecimalField("分值（权重）", **POINTS)
    formula = models.CharField("计分方法", max_length=20, choices=Formula.choices)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考评项目"
        verbose_name_plural = "考评项目"
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return f"{self.get_fact_display()}（{self.points.normalize():f}分）"

    def params(self) -> dict:
        """{name: Decimal} (prefetch `parameters` when reading many items)."""
        return {p.name: p.value for p in self.parameters.all()}

    def param_list(self) -> list[tuple[str, object]]:
        """(label, value) of the formula's parameters, in the library's order."""
        values = self.params()
        return [(p.label, values.get(p.name)) for p in LIBRARY[self.formula].params]

    @property
    def sentence(self) -> str:
        """The rule in words with its parameters (evaluation.formulas.formula_sentence)."""
        return formula_sentence(self.fact, self.formula, self.points, self.params())


class ItemParameter(models.Model):
    """A parameter of an item's formula, kept as a number (not text in a JSON blob)."""

    item = models.ForeignKey(SchemeItem, verbose_name="考评项目", on_delete=models.CASCADE,
                             related_name="parameters")
    name = models.CharField("参数", max_length=20)
    value = models.DecimalField("取值", max_digits=10, decimal_places=4)

    class Meta:
        verbose_name = "计分参数"
        verbose_name_plural = "计分参数"
        ordering = ["item", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "name"],
                                               name="evaluation_parameter_unique")]

    def __str__(self):
        return f"{self.name}={self.value}"


class EvaluationQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        return self.active() if has_cap(user, Cap.VIEW_PROJECTS) else self.none()


class Evaluation(TrackedModel):
    """An evaluation of one period (e.g. 2026年上半年阶段考评) under a scheme.

    Until it is published it follows its scheme: each computation uses the version current
    at that moment. Publishing freezes the scores together with the version they used.
    """

    name = models.CharField("考评名称", max_length=100)
    scheme = models.ForeignKey(Scheme, verbose_name="考评方案", on_delete=models.PROTECT,
                               related_name="evaluations")
    version = models.ForeignKey(SchemeVersion, verbose_name="所用方案版本",
                                on_delete=models.PROTECT, related_name="evaluations")
    period_start = models.DateField("考评期间起")
    period_end = models.DateField("考评期间止")
    status = models.CharField("状态", max_length=10, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    facts_as_of = models.DateField("数据截至", null=True, blank=True,
                                   help_text="期末，或期间未结束时计算当天")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "阶段考评"
        verbose_name_plural = "阶段考评"
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:evaluation_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == EvaluationStatus.DRAFT

    @property
    def is_computed(self) -> bool:
        return self.status == EvaluationStatus.COMPUTED

    @property
    def is_published(self) -> bool:
        return self.status == EvaluationStatus.PUBLISHED


class Adjustment(TrackedModel):
    """加分/扣分 with a reason and evidence (praise from above, criticism …)."""

    evaluation = models.ForeignKey(Evaluation, verbose_name="阶段考评", on_delete=models.PROTECT,
                                   related_name="adjustments")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT,
                             related_name="+")
    points = models.DecimalField("分数（正加负减）", max_digits=5, decimal_places=2)
    reason = models.CharField("事由", max_length=200)
    evidence = models.CharField("依据（文号等）", max_length=200, blank=True)

    class Meta:
        verbose_name = "加减分"
        verbose_name_plural = "加减分"

    def __str__(self):
        return f"{self.unit} {self.points:+}"


class ScoreQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Units see their own score until the evaluation is published, then the ranking."""
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        if reach_of(user) in (Reach.CITY, Reach.ASSIGNMENTS):  # leaders read every unit's score
            return self.all()
        own = models.Q(unit_id__in=user_unit_ids(user))
        return self.filter(own | models.Q(evaluation__status=EvaluationStatus.PUBLISHED))


class UnitScore(models.Model):
    """A unit's result: base points, adjustment, total and rank in its group."""

    evaluation = models.ForeignKey(Evaluation, verbose_name="阶段考评", on_delete=models.CASCADE,
                                   related_name="scores")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    group = models.CharField("分组", max_length=16, choices=UnitKind.choices)
    base = models.DecimalField("基本分", **POINTS)
    adjustment = models.DecimalField("加减分", **POINTS)
    total = models.DecimalField("总分", **POINTS)
    rank = models.PositiveIntegerField("组内名次", null=True, blank=True,
                                       help_text="空：不参评（考评期内各项均无考评内容）")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计算人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = "考评得分"
        verbose_name_plural = "考评得分"
        ordering = ["evaluation", "group", models.F("rank").asc(nulls_last=True)]
        constraints = [models.UniqueConstraint(fields=["evaluation", "unit"],
                                               name="evaluation_score_unique")]

    def __str__(self):
        return f"{self.unit} {self.total}"

    def get_absolute_url(self):
        return reverse("evaluation:score_detail", args=[self.pk])

    @property
    def takes_part(self) -> bool:
        """False: 不参评 (nothing of the unit's was due on any item)."""
        return self.rank is not None


class ItemScore(models.Model):
    """One item of a unit's score: the figures of its fact and the points they earned."""

    score = models.ForeignKey(UnitScore, verbose_name="考评得分", on_delete=models.CASCADE,
                              related_name="item_scores")
    item = models.ForeignKey(SchemeItem, verbose_name="考评项目", on_delete=models.PROTECT,
                             related_name="+")
    achieved = models.DecimalField("实际（完成额或按期条数）", **AMOUNT, null=True, blank=True)
    target = models.DecimalField("应达（序时计划额或应完成条数）", **AMOUNT, null=True, blank=True)
    value = models.DecimalField("完成率", max_digits=12, decimal_places=4, null=True, blank=True)
    late = models.PositiveIntegerField("逾期或未完成条数", default=0)
    points = models.DecimalField("得分", **POINTS, null=True, blank=True,
                                 help_text="空：本期无此项考评内容，按其余项目得分率折算")
    place = models.PositiveIntegerField("组内名次（按名次计分）", null=True, blank=True)

    class Meta:
        verbose_name = "考评项目得分"
        verbose_name_plural = "考评项目得分"
        ordering = ["score", "item__order", "item_id"]

    def __str__(self):
        return f"{self.item}：{self.points}"

    @property
    def unit(self) -> str:
        """What the achieved and target figures count (万元, 个 …)."""
        return FACT_UNITS[self.item.fact]


class ScoreFact(models.Model):
    """One row behind an item score, named as it stood when scored: a milestone with its
    planned date, a missing report with its period, an overdue action item … so a published
    result keeps explaining itself whatever happens to the rows later."""

    item_score = models.ForeignKey(ItemScore, verbose_name="考评项目得分",
                                   on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField("类别", max_length=16, choices=FactKind.choices)
    object_id = models.PositiveBigIntegerField("记录编号")
    on_time = models.BooleanField("按期")
    name = models.CharField("名称", max_length=300, blank=True)
    parent_id = models.PositiveBigIntegerField("所属项目或通报编号", null=True, blank=True)
    parent_name = models.CharField("所属项目或通报", max_length=300, blank=True)
    day = models.DateField("计划日期或期限", null=True, blank=True)
    day_end = models.DateField("期止", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    state = models.CharField("状态", max_length=20, blank=True)
    planned = models.DecimalField("年度计划投资（万元）", **AMOUNT, null=True, blank=True)
    planned_to_date = models.DecimalField("序时计划投资（万元）", **AMOUNT, null=True, blank=True)

    class Meta:
        verbose_name = "考评依据"
        verbose_name_plural = "考评依据"
        ordering = ["item_score", "on_time", "day", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"

    def get_absolute_url(self) -> str:
        """Where the row lives (its page scopes who may open it); "" when unknown (facts
        carried over from before scores named their rows have no parent)."""
        url_name, pk = {
            FactKind.PROJECT: ("projects:project_detail", self.object_id),
            FactKind.MILESTONE: ("projects:project_detail", self.parent_id),
            FactKind.REPORT: ("projects:report_detail", self.object_id),
            FactKind.ACTION_ITEM: ("supervision:item_detail", self.object_id),
            FactKind.RECTIFICATION: ("supervision:bulletin_detail", self.parent_id),
            FactKind.CASE: ("cases:detail", self.object_id),
        }[self.kind]
        return reverse(url_name, args=[pk]) if pk is not None else ""
