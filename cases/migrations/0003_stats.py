"""Performance (绩效评价): the daily roll-up, its watermark, the 综合指标值 weights with
their defaults, and the indexes the live part of the figures reads (events since the
watermark; cases closed in a period)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seed_weights(apps, schema_editor):
    from cases.models_stats import DEFAULT_WEIGHTS

    Weight = apps.get_model("cases", "PerformanceWeight")
    for metric, weight in DEFAULT_WEIGHTS.items():
        Weight.objects.get_or_create(metric=str(metric), defaults={"weight": weight})


# Open cases (every state but 结案/不予立案/作废), as cases.choices has them today: the
# performance page's live part reads only these, from the index alone. A state added later
# is simply not covered (the planner then reads the table; figures stay right).
OPEN = ("reported", "accepted", "registered", "dispatched", "handling", "handled", "returned",
        "checking", "checked", "rework", "hung")
OPEN_COLUMNS = ("state", "grid_id", "segment_id", "source", "type_version_id", "reported_at",
                "registered_at", "deadline_at")


def open_index(apps, schema_editor):
    states = ", ".join(f"'{s}'" for s in OPEN)
    if schema_editor.connection.vendor == "postgresql":
        columns = f"(handling_unit_id) INCLUDE ({', '.join(OPEN_COLUMNS)})"
    else:  # SQLite has no INCLUDE
        columns = f"(handling_unit_id, {', '.join(OPEN_COLUMNS)})"
    schema_editor.execute(f"CREATE INDEX cases_case_open_perf ON cases_case {columns} "
                          f"WHERE state IN ({states})")


def drop_open_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX cases_case_open_perf")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_mend'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseRollupState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('watermark', models.DateTimeField(blank=True, null=True, verbose_name='统计截至')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
            ],
            options={
                'verbose_name': '案件统计进度',
                'verbose_name_plural': '案件统计进度',
            },
        ),
        migrations.CreateModel(
            name='CaseDayStat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='日期')),
                ('dimension', models.CharField(choices=[('unit', '处置单位'), ('grid', '单元网格'), ('segment', '路段'), ('type', '案件类型'), ('source', '案件来源')], max_length=10, verbose_name='维度')),
                ('key', models.CharField(blank=True, help_text='单位/网格/路段/类型的编号，或来源代码；空为未指定', max_length=20, verbose_name='维度取值')),
                ('reported', models.PositiveIntegerField(default=0, verbose_name='上报数')),
                ('registered', models.PositiveIntegerField(default=0, verbose_name='立案数')),
                ('closed', models.PositiveIntegerField(default=0, verbose_name='结案数')),
                ('closed_on_time', models.PositiveIntegerField(default=0, verbose_name='按期结案数')),
                ('handling_minutes', models.PositiveBigIntegerField(default=0, verbose_name='处置用时合计（工作分钟）')),
                ('handling_cases', models.PositiveIntegerField(default=0, verbose_name='计入处置用时的案件数')),
                ('dispatched', models.PositiveIntegerField(default=0, verbose_name='派遣数')),
                ('handled', models.PositiveIntegerField(default=0, verbose_name='处置数')),
                ('reworked', models.PositiveIntegerField(default=0, verbose_name='返工数')),
                ('extended', models.PositiveIntegerField(default=0, verbose_name='延期数')),
                ('returned', models.PositiveIntegerField(default=0, verbose_name='回退数')),
            ],
            options={
                'verbose_name': '案件日统计',
                'verbose_name_plural': '案件日统计',
                'indexes': [models.Index(fields=['dimension', 'day'], name='cases_daystat_dim_day')],
                'constraints': [models.UniqueConstraint(fields=('dimension', 'key', 'day'), name='cases_daystat_unique')],
            },
        ),
        migrations.CreateModel(
            name='PerformanceWeight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('archived_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间')),
                ('metric', models.CharField(choices=[('on_time_rate', '按期结案率'), ('close_rate', '结案率'), ('register_rate', '立案率'), ('rework_rate', '返工率'), ('extension_rate', '延期率'), ('return_rate', '回退率')], max_length=20, unique=True, verbose_name='指标')),
                ('weight', models.DecimalField(decimal_places=2, help_text='各指标权重之和一般为100；权重为0的指标不计入。', max_digits=5, verbose_name='权重（%）')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
            ],
            options={
                'verbose_name': '绩效评价权重',
                'verbose_name_plural': '绩效评价权重',
                'ordering': ['metric'],
            },
        ),
        migrations.RunPython(seed_weights, migrations.RunPython.noop),
        # Not in the models' Meta (cases/models.py belongs to the case workflow): the live
        # part of cases.performance reads events since the roll-up's watermark, and the
        # drill-down lists a period's closed cases.
        migrations.RunSQL(
            "CREATE INDEX cases_caseevent_at_perf ON cases_caseevent (at)",
            "DROP INDEX cases_caseevent_at_perf"),
        migrations.RunSQL(
            "CREATE INDEX cases_case_closed_at_perf ON cases_case (closed_at)",
            "DROP INDEX cases_case_closed_at_perf"),
        migrations.RunPython(open_index, drop_open_index),
    ]
