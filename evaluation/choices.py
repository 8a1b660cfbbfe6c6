"""Vocabularies of 阶段考评: facts, formulas, the states of versions and evaluations."""

from django.db import models

from org.choices import UnitKind


class Fact(models.TextChoices):
    """What an item scores: a figure the system already holds for each unit."""

    INVESTMENT = "investment", "投资完成率（对序时计划）"
    MILESTONES = "milestones", "节点按期完成率"
    REPORTS = "reports", "进度按时报送率"
    ACTION_ITEMS = "action_items", "交办事项按期办结率"
    RECTIFICATION = "rectification", "整改按期反馈率"
    # 数字城管: cases 应结案 in the period, closed on time (cases.facts, cases.performance).
    CASES_ON_TIME = "cases_on_time", "案件按期结案率"


# What a figure of each fact counts, for the page (万元 of investment, 期 of reports …).
FACT_UNITS = {Fact.INVESTMENT: "万元", Fact.MILESTONES: "个", Fact.REPORTS: "期",
              Fact.ACTION_ITEMS: "项", Fact.RECTIFICATION: "次", Fact.CASES_ON_TIME: "件"}

# Facts made of countable rows (a milestone, a report …): "per occurrence" can count them.
COUNTED_FACTS = frozenset({Fact.MILESTONES, Fact.REPORTS, Fact.ACTION_ITEMS, Fact.RECTIFICATION,
                           Fact.CASES_ON_TIME})


class Formula(models.TextChoices):
    """The formula library (evaluation/formulas.py holds the functions and parameters)."""

    RATIO = "ratio", "比例×分值（封顶）"
    PER_POINT = "per_point", "基准上下每百分点±分"
    PER_OCCURRENCE = "per_occurrence", "每次扣分（封顶）"
    RANK = "rank", "按名次计分"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    COMPUTED = "computed", "已计算"
    PUBLISHED = "published", "已公布"


class FactKind(models.TextChoices):
    """The kind of row behind a score, and so where its link goes."""

    PROJECT = "project", "项目"
    MILESTONE = "milestone", "节点"
    REPORT = "report", "进度填报"
    ACTION_ITEM = "action_item", "交办事项"
    RECTIFICATION = "rectification", "通报整改"
    CASE = "case", "案件"


# Unit kinds ranked, each as its own group (市直部门 and 乡镇办 are not compared with each
# other). A dict so a benchmark can add a group for one run.
GROUPS: dict[str, str] = {UnitKind.CITY_DEPT: UnitKind.CITY_DEPT.label,
                          UnitKind.TOWN: UnitKind.TOWN.label}
