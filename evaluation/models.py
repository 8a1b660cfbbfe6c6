"""Scoring schemes as data, manual adjustments, and scores that keep their facts."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import TrackedModel, TrackedQuerySet
from org.choices import Role
from org.models import Unit, user_unit_ids
from org.roles import Cap, has_cap

FACTS = [
    ("investment", "年度投资完成率"),
    ("milestones", "节点按期完成率"),
    ("reports", "进度按时报送率"),
    ("action_items", "交办事项按期办结率"),
    ("rectification", "整改按期反馈率"),
]
FORMULAS = [("ratio", "比例×分值（封顶）"), ("per_point", "基准上下每百分点±分"),
            ("per_occurrence", "每次扣分（封顶）"), ("rank", "按名次计分")]
STATUSES = [("draft", "编制中"), ("computed", "已计算"), ("published", "已公布")]
_VIEW_ALL = {Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.SUPERVISION, Role.CITY_LEADER}


class SchemeQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        return self.active() if has_cap(user, Cap.VIEW_PROJECTS) else self.none()


class Scheme(TrackedModel):
    """A scoring scheme for one period (e.g. 2024年上半年阶段考评)."""

    name = models.CharField("考评名称", max_length=100)
    preset = models.CharField("预设", max_length=30, blank=True)
    period_start = models.DateField("考评期间起")
    period_end = models.DateField("考评期间止")
    bonus_cap = models.DecimalField("加分上限", max_digits=5, decimal_places=2, default=5)
    deduction_cap = models.DecimalField("扣分上限", max_digits=5, decimal_places=2, default=10)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="draft")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "考评方案"
        verbose_name_plural = "考评方案"
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:scheme_detail", args=[self.pk])


class SchemeItem(models.Model):
    """One scored item: which fact, which formula, how many points."""

    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.CASCADE,
                               related_name="items")
    fact = models.CharField("考评指标", max_length=20, choices=FACTS)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)
    formula = models.CharField("计分方法", max_length=20, choices=FORMULAS)
    params = models.JSONField("参数", default=dict, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考评项目"
        verbose_name_plural = "考评项目"
        ordering = ["scheme", "order"]

    def __str__(self):
        return f"{self.get_fact_display()}（{self.points}分）"


class Adjustment(TrackedModel):
    """加分/扣分 with a reason and evidence (praise from above, criticism …)."""

    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.PROTECT,
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
        """Units see their own score until the scheme is published, then the ranking."""
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        if user.role in _VIEW_ALL:
            return self.all()
        own = models.Q(unit_id__in=user_unit_ids(user))
        return self.filter(own | models.Q(scheme__status="published"))


class UnitScore(models.Model):
    """A unit's result: total, rank in its group, and per item the fact, points and ids."""

    scheme = models.ForeignKey(Scheme, verbose_name="方案", on_delete=models.CASCADE,
                               related_name="scores")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    group = models.CharField("分组", max_length=16)
    base = models.DecimalField("基本分", max_digits=6, decimal_places=2)
    adjustment = models.DecimalField("加减分", max_digits=6, decimal_places=2)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField("组内名次")
    items = models.JSONField("各项得分及依据", default=list)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计算人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = "考评得分"
        verbose_name_plural = "考评得分"
        ordering = ["scheme", "group", "rank"]
        constraints = [models.UniqueConstraint(fields=["scheme", "unit"],
                                               name="evaluation_score_unique")]

    def __str__(self):
        return f"{self.unit} {self.total}"
