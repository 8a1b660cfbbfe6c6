"""Conformity check records (规划符合性审查): stored once, never edited."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

from maps.choices import Verdict
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
