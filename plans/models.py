"""Plans, their taxonomy (categories, tasks, programmes) and core districts."""

from decimal import Decimal

from django.db import models
from django.urls import reverse

from core.models import TrackedModel, TrackedQuerySet
from geo.geometry import area_m2, parse_geojson
from org.models import Unit
from org.roles import Cap, has_cap
from plans.choices import PlanKind, PlanStatus


class PlanScopedQuerySet(TrackedQuerySet):
    """Plans and their taxonomy are shared across the government's business roles."""

    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_PLANS):
            return self.none()
        return self.active()


class Plan(TrackedModel):
    """A programme run on the engine: the three-year action plan, 城乡结合部综合改造, ..."""

    name = models.CharField("计划名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("台账类型", max_length=20, choices=PlanKind.choices,
                            default=PlanKind.PROJECT_LEDGER)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("结束年度")
    status = models.CharField("状态", max_length=16, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    lead_unit = models.ForeignKey(Unit, verbose_name="牵头单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "计划"
        verbose_name_plural = "计划"
        ordering = ["-start_year", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                   name="plans_plan_years_ordered"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("plans:plan_history", args=[self.pk])

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class TaxonomyBase(TrackedModel):
    plan = models.ForeignKey(Plan, verbose_name="所属计划", on_delete=models.PROTECT)
    code = models.CharField("编码", max_length=10)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["plan", "sort_order", "code"]

    def __str__(self):
        return self.name


class Category(TaxonomyBase):
    """项目大类, e.g. the speech's 三大类."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = "项目类别"
        verbose_name_plural = "项目类别"
        default_related_name = "categories"
        constraints = [models.UniqueConstraint(fields=["plan", "code"],
                                               name="plans_category_code_unique")]


class Task(TaxonomyBase):
    """建设任务, e.g. the speech's 五大建设任务, or the seven areas of 城乡结合部综合改造."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = "建设任务"
        verbose_name_plural = "建设任务"
        default_related_name = "tasks"
        constraints = [models.UniqueConstraint(fields=["plan", "code"],
                                               name="plans_task_code_unique")]


class Programme(TaxonomyBase):
    """专项工程 inside a plan, e.g. 城市道路综合改造工程 of the 三项工程、一项管理."""

    class Meta(TaxonomyBase.Meta):
        verbose_name = "专项工程"
        verbose_name_plural = "专项工程"
        default_related_name = "programmes"
        constraints = [models.UniqueConstraint(fields=["plan", "code"],
                                               name="plans_programme_code_unique")]


class CoreDistrict(TrackedModel):
    """核心板块: a 1–3 km² area with staged goals 一年打基础、三年出形象、五年成规模."""

    plan = models.ForeignKey(Plan, verbose_name="所属计划", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="core_districts")
    name = models.CharField("板块名称", max_length=50, unique=True)
    boundary = models.JSONField("边界（GeoJSON）")
    area_km2 = models.DecimalField("面积（平方公里）", max_digits=9, decimal_places=3,
                                   editable=False)
    # Indexed bbox columns: the map and OGC API filter on these before exact tests.
    min_lon = models.FloatField("最小经度", editable=False, db_index=True)
    min_lat = models.FloatField("最小纬度", editable=False, db_index=True)
    max_lon = models.FloatField("最大经度", editable=False)
    max_lat = models.FloatField("最大纬度", editable=False)
    lead_unit = models.ForeignKey(Unit, verbose_name="责任单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="core_districts")
    goal_year1 = models.TextField("一年打基础", blank=True)
    goal_year3 = models.TextField("三年出形象", blank=True)
    goal_year5 = models.TextField("五年成规模", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = PlanScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "核心板块"
        verbose_name_plural = "核心板块"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:district_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("plans:district_history", args=[self.pk])

    def clean(self):
        super().clean()
        self.set_boundary(self.boundary)

    def set_boundary(self, geojson: dict):
        """Validate the polygon and derive its area and bbox (never typed by hand)."""
        geom = parse_geojson(geojson, allowed={"Polygon", "MultiPolygon"})
        self.boundary = geojson
        self.area_km2 = Decimal(area_m2(geom) / 1e6).quantize(Decimal("0.001"))
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = geom.bounds
