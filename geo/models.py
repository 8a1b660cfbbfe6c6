"""Layers of the one map: each import is a version; features keep GeoJSON plus a bbox."""

from django.conf import settings
from django.db import models

from geo.choices import DEFAULT_STYLES, LayerKind


class Layer(models.Model):
    """A map layer (用地性质, 生态保护红线, 道路 …). Its features live in versions."""

    name = models.CharField("图层名称", max_length=100, unique=True)
    kind = models.CharField("图层类型", max_length=20, choices=LayerKind.choices)
    style = models.JSONField("样式", default=dict, blank=True)
    is_public = models.BooleanField("公开（匿名可见）", default=False)
    current_version = models.ForeignKey("LayerVersion", verbose_name="当前版本", null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "图层"
        verbose_name_plural = "图层"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def effective_style(self) -> dict:
        return {**DEFAULT_STYLES.get(self.kind, {}), **(self.style or {})}


class LayerVersion(models.Model):
    """One import of a layer file: who, when, which file, which CRS. Never changed."""

    layer = models.ForeignKey(Layer, verbose_name="图层", on_delete=models.PROTECT,
                              related_name="versions")
    number = models.PositiveIntegerField("版本号")
    source_name = models.CharField("源文件", max_length=200)
    source_format = models.CharField("格式", max_length=30)
    source_crs = models.CharField("源坐标系", max_length=200)
    feature_count = models.PositiveIntegerField("要素数")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "图层版本"
        verbose_name_plural = "图层版本"
        ordering = ["layer", "-number"]
        constraints = [models.UniqueConstraint(fields=["layer", "number"],
                                               name="geo_layerversion_unique")]

    def __str__(self):
        return f"{self.layer.name} 第{self.number}版"


class Feature(models.Model):
    """One feature of a layer version, in CGCS2000 longitude/latitude."""

    version = models.ForeignKey(LayerVersion, verbose_name="图层版本", on_delete=models.CASCADE,
                                related_name="features")
    index = models.PositiveIntegerField("源文件序号")
    name = models.CharField("名称", max_length=200, blank=True)
    land_use = models.CharField("用地性质", max_length=50, blank=True, db_index=True)
    properties = models.JSONField("属性", default=dict)
    geometry = models.JSONField("几何（GeoJSON）")
    geom_type = models.CharField("几何类型", max_length=20)
    area_m2 = models.FloatField("面积（平方米）", null=True, blank=True)
    min_lon = models.FloatField("最小经度", db_index=True)
    min_lat = models.FloatField("最小纬度", db_index=True)
    max_lon = models.FloatField("最大经度")
    max_lat = models.FloatField("最大纬度")

    class Meta:
        verbose_name = "要素"
        verbose_name_plural = "要素"
        ordering = ["version", "index"]
        indexes = [models.Index(fields=["version", "min_lon", "min_lat"])]

    def __str__(self):
        return self.name or f"#{self.index}"


class LandUseRule(models.Model):
    """Which project categories a 用地性质 allows (data the planning bureau edits).

    `category_code` matches a plan category's code (e.g. JC, GF, HX); `allowed`
    False marks a conditional use that needs a planning adjustment.
    """

    land_use = models.CharField("用地性质", max_length=50)
    category_code = models.CharField("项目类别编码", max_length=10)
    allowed = models.BooleanField("允许", default=True,
                                  help_text="不勾选表示有条件允许（需规划调整或论证）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "用地兼容规则"
        verbose_name_plural = "用地兼容规则"
        ordering = ["land_use", "category_code"]
        constraints = [models.UniqueConstraint(fields=["land_use", "category_code"],
                                               name="geo_landuserule_unique")]

    def __str__(self):
        return f"{self.land_use} → {self.category_code}"
