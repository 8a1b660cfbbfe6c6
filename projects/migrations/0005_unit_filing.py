"""Unit filing (issue 16): units claim procedures done for the office to confirm; a problem
names the units to coordinate with."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('projects', '0004_review_queue'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reportproblem',
            name='coordinate_units',
            field=models.ManyToManyField(blank=True, related_name='coordination_problems', to='org.unit', verbose_name='需协调单位'),
        ),
        migrations.AlterField(
            model_name='reportproblem',
            name='coordinate_with',
            field=models.CharField(blank=True, help_text='早期填报的文字；此后按需协调单位选择', max_length=200, verbose_name='需协调单位/事项'),
        ),
        migrations.CreateModel(
            name='ProcedureClaim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('archived_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间')),
                ('done_on', models.DateField(verbose_name='办结日期')),
                ('document_no', models.CharField(max_length=100, verbose_name='批复文号')),
                ('status', models.CharField(choices=[('pending', '待确认'), ('confirmed', '已确认'), ('returned', '已退回')], db_index=True, default='pending', max_length=16, verbose_name='确认状态')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                ('decision_note', models.CharField(blank=True, max_length=200, verbose_name='确认意见')),
                ('claimed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申报人')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人')),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.attachment', verbose_name='批复文件')),
                ('procedure', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='projects.procedureitem', verbose_name='前期手续')),
            ],
            options={
                'verbose_name': '手续办结申报',
                'verbose_name_plural': '手续办结申报',
                'ordering': ['-created_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('procedure',), name='projects_procedureclaim_one_pending')],
            },
        ),
    ]
