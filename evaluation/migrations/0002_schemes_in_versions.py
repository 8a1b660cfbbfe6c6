"""Schemes become data an office edits in versions; what was a "scheme" is an evaluation.

The old Scheme (one period's evaluation) is renamed Evaluation with its rows; the new
Scheme and SchemeVersion hold the rules, and scores get rows of their own (ItemScore,
ScoreFact) instead of a JSON list of text. 0003 converts the rows, 0004 drops the old
columns.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

POINTS = {"max_digits": 6, "decimal_places": 2}
AMOUNT = {"max_digits": 14, "decimal_places": 2}


def tracked_fields():
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                   verbose_name="ID")),
        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False,
                                            verbose_name="创建时间")),
        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
        ("archived_at", models.DateTimeField(blank=True, editable=False, null=True,
                                             verbose_name="归档时间")),
        ("created_by", models.ForeignKey(blank=True, editable=False, null=True,
                                         on_delete=django.db.models.deletion.PROTECT,
                                         related_name="+", to=settings.AUTH_USER_MODEL,
                                         verbose_name="创建人")),
    ]


def plain_id():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                      verbose_name="ID"))


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0001_initial"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("Scheme", "Evaluation"),
        migrations.RenameField("adjustment", "scheme", "evaluation"),
        # The constraint names the field: SQLite rebuilds the table from it on a rename.
        migrations.RemoveConstraint("unitscore", "evaluation_score_unique"),
        migrations.RenameField("unitscore", "scheme", "evaluation"),
        migrations.AddConstraint("unitscore", models.UniqueConstraint(
            fields=("evaluation", "unit"), name="evaluation_score_unique")),
        # Kept until 0003 has moved each evaluation's items into a version.
        migrations.RenameField("schemeitem", "scheme", "old_evaluation"),
        migrations.CreateModel(
            name="Scheme",
            fields=[
                *tracked_fields(),
                ("name", models.CharField(max_length=100, verbose_name="方案名称")),
                ("description", models.TextField(blank=True, verbose_name="适用范围及说明")),
                ("preset", models.CharField(blank=True, max_length=30, verbose_name="来自预设")),
            ],
            options={"verbose_name": "考评方案", "verbose_name_plural": "考评方案",
                     "ordering": ["name", "pk"], "db_table": "evaluation_scoring_scheme"},
        ),
        migrations.CreateModel(
            name="SchemeVersion",
            fields=[
                *tracked_fields(),
                ("number", models.PositiveIntegerField(verbose_name="版本号")),
                ("status", models.CharField(choices=[("draft", "草稿"), ("published", "已发布")],
                                            default="draft", max_length=10,
                                            verbose_name="状态")),
                ("total_points", models.DecimalField(default=100, **POINTS,
                                                     verbose_name="满分")),
                ("bonus_cap", models.DecimalField(default=5, **POINTS, verbose_name="加分上限")),
                ("deduction_cap", models.DecimalField(default=10, **POINTS,
                                                      verbose_name="扣分上限")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="修订说明")),
                ("published_at", models.DateTimeField(blank=True, null=True,
                                                      verbose_name="发布时间")),
                ("published_by", models.ForeignKey(blank=True, null=True,
                                                   on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="+",
                                                   to=settings.AUTH_USER_MODEL,
                                                   verbose_name="发布人")),
                ("scheme", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                             related_name="versions",
                                             to="evaluation.scheme", verbose_name="方案")),
            ],
            options={
                "verbose_name": "方案版本", "verbose_name_plural": "方案版本",
                "ordering": ["scheme", "-number"],
                "constraints": [
                    models.UniqueConstraint(fields=("scheme", "number"),
                                            name="evaluation_version_number_unique"),
                    models.UniqueConstraint(condition=models.Q(("archived_at", None),
                                                               ("status", "draft")),
                                            fields=("scheme",), name="evaluation_one_draft"),
                ],
            },
        ),
        migrations.AddField(
            model_name="schemeitem", name="version",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="items", to="evaluation.schemeversion",
                                    verbose_name="方案版本"),
        ),
        migrations.CreateModel(
            name="ItemParameter",
            fields=[
                plain_id(),
                ("name", models.CharField(max_length=20, verbose_name="参数")),
                ("value", models.DecimalField(decimal_places=4, max_digits=10,
                                              verbose_name="取值")),
                ("item", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="parameters",
                                           to="evaluation.schemeitem", verbose_name="考评项目")),
            ],
            options={
                "verbose_name": "计分参数", "verbose_name_plural": "计分参数",
                "ordering": ["item", "pk"],
                "constraints": [models.UniqueConstraint(fields=("item", "name"),
                                                        name="evaluation_parameter_unique")],
            },
        ),
        migrations.AddField(
            model_name="evaluation", name="scheme",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="evaluations", to="evaluation.scheme",
                                    verbose_name="考评方案"),
        ),
        migrations.AddField(
            model_name="evaluation", name="version",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="evaluations", to="evaluation.schemeversion",
                                    verbose_name="所用方案版本"),
        ),
        migrations.CreateModel(
            name="ItemScore",
            fields=[
                plain_id(),
                ("achieved", models.DecimalField(blank=True, null=True, **AMOUNT,
                                                 verbose_name="实际（完成额或按期条数）")),
                ("target", models.DecimalField(blank=True, null=True, **AMOUNT,
                                               verbose_name="应达（序时计划额或应完成条数）")),
                ("value", models.DecimalField(blank=True, decimal_places=4, max_digits=12,
                                              null=True, verbose_name="完成率")),
                ("late", models.PositiveIntegerField(default=0, verbose_name="逾期或未完成条数")),
                ("points", models.DecimalField(blank=True, null=True, **POINTS,
                                               help_text="空：本期无此项考评内容，按其余项目得分率折算",
                                               verbose_name="得分")),
                ("place", models.PositiveIntegerField(blank=True, null=True,
                                                      verbose_name="组内名次（按名次计分）")),
                ("item", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                           related_name="+", to="evaluation.schemeitem",
                                           verbose_name="考评项目")),
                ("score", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                            related_name="item_scores",
                                            to="evaluation.unitscore", verbose_name="考评得分")),
            ],
            options={"verbose_name": "考评项目得分", "verbose_name_plural": "考评项目得分",
                     "ordering": ["score", "item__order", "item_id"]},
        ),
        migrations.CreateModel(
            name="ScoreFact",
            fields=[
                plain_id(),
                ("kind", models.CharField(choices=[("project", "项目"), ("milestone", "节点"),
                                                   ("report", "进度填报"),
                                                   ("action_item", "交办事项"),
                                                   ("rectification", "通报整改")],
                                          max_length=16, verbose_name="类别")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="记录编号")),
                ("on_time", models.BooleanField(verbose_name="按期")),
                ("name", models.CharField(blank=True, max_length=300, verbose_name="名称")),
                ("parent_id", models.PositiveBigIntegerField(blank=True, null=True,
                                                             verbose_name="所属项目或通报编号")),
                ("parent_name", models.CharField(blank=True, max_length=300,
                                                 verbose_name="所属项目或通报")),
                ("day", models.DateField(blank=True, null=True, verbose_name="计划日期或期限")),
                ("day_end", models.DateField(blank=True, null=True, verbose_name="期止")),
                ("done_on", models.DateField(blank=True, null=True, verbose_name="完成日期")),
                ("state", models.CharField(blank=True, max_length=20, verbose_name="状态")),
                ("planned", models.DecimalField(blank=True, null=True, **AMOUNT,
                                                verbose_name="年度计划投资（万元）")),
                ("planned_to_date", models.DecimalField(blank=True, null=True, **AMOUNT,
                                                        verbose_name="序时计划投资（万元）")),
                ("item_score", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="facts",
                                                 to="evaluation.itemscore",
                                                 verbose_name="考评项目得分")),
            ],
            options={"verbose_name": "考评依据", "verbose_name_plural": "考评依据",
                     "ordering": ["item_score", "on_time", "day", "pk"]},
        ),
    ]
