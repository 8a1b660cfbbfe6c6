"""Conformity check records (规划符合性审查): stored once, never edited."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

from maps.choices import BasemapKind, Verdict
from projects.models import Project


class ConformityCheckQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))

    def update(self, **kwargs):
        raise PermissionDenied("审查记录不可修改，请重新审查。")

    def delete(self):
        raise PermissionDenied("审查记录不可删除。")


class ConformityCheck(models.Model):
    """One check of one project against the plan layers, with the versions it used."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="conformity_checks")
    verdict = models.CharField("结论", max_length=12, choices=Verdict.choices, db_index=True)
    reasons = models.JSONField("理由", default=list)
    zones = models.JSONField("涉及分区", default=list,
                             help_text="每个分区：图层、用地性质、重叠面积（平方米）、占比")
    layer_versions = models.JSONField("所用图层版本", default=list)
    project_area_m2 = models.FloatField("项目面积（平方米）", null=True, blank=True)
    geometry = models.JSONField("审查时的项目位置")
    category_code = models.CharField("项目类别编码", max_length=10)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审查人", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField("审查时间", auto_now_add=True, db_index=True)

    objects = ConformityCheckQuerySet.as_manager()

    class Meta:
        verbose_name = "规划符合性审查"
        verbose_name_plural = "规划符合性审查"
        ordering = ["-run_at", "-id"]

    def __str__(self):
        return f"{self.project.code} {self.get_verdict_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("审查记录不可修改，请重新审查。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("审查记录不可删除。")


class BasemapFeatureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The basemap is the city's geography, not business data: anyone signed in."""
        return self.all() if user.is_authenticated else self.none()


class BasemapFeature(models.Model):
    """One line or area of the offline basemap (roads, rivers, the city's outline).

    The map draws these under everything when no tile service is configured, so that an
    intranet without 天地图 still shows where things are. The demo city generates them
    (demo/basemap.py); a city replaces them whole with maps.actions.do_replace_basemap.
    """

    kind = models.CharField("类型", max_length=10, choices=BasemapKind.choices, db_index=True)
    name = models.CharField("名称", max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField("等级", default=2,
                                            help_text="道路：1 高速/环路，2 主干路，3 次干路")
    geometry = models.JSONField("几何（GeoJSON，经纬度）")
    sort_order = models.PositiveIntegerField("绘制顺序", default=0)

    objects = BasemapFeatureQuerySet.as_manager()

    class Meta:
        verbose_name = "底图要素"
        verbose_name_plural = "底图要素"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name or self.get_kind_display()
