"""The old columns go: caps moved to versions, parameters and scores to rows of their own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0003_convert_schemes_and_scores'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='evaluation',
            options={'ordering': ['-period_end', '-pk'], 'verbose_name': '阶段考评', 'verbose_name_plural': '阶段考评'},
        ),
        migrations.AlterModelOptions(
            name='schemeitem',
            options={'ordering': ['version', 'order', 'pk'], 'verbose_name': '考评项目', 'verbose_name_plural': '考评项目'},
        ),
        migrations.AlterModelOptions(
            name='unitscore',
            options={'ordering': ['evaluation', 'group', 'rank'], 'verbose_name': '考评得分', 'verbose_name_plural': '考评得分'},
        ),
        migrations.RemoveField(
            model_name='evaluation',
            name='bonus_cap',
        ),
        migrations.RemoveField(
            model_name='evaluation',
            name='deduction_cap',
        ),
        migrations.RemoveField(
            model_name='evaluation',
            name='preset',
        ),
        migrations.RemoveField(
            model_name='schemeitem',
            name='old_evaluation',
        ),
        migrations.RemoveField(
            model_name='schemeitem',
            name='params',
        ),
        migrations.RemoveField(
            model_name='unitscore',
            name='items',
        ),
        migrations.AlterField(
            model_name='adjustment',
            name='evaluation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='adjustments', to='evaluation.evaluation', verbose_name='阶段考评'),
        ),
        migrations.AlterField(
            model_name='evaluation',
            name='scheme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='evaluation.scheme', verbose_name='考评方案'),
        ),
        migrations.AlterField(
            model_name='evaluation',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='evaluation.schemeversion', verbose_name='所用方案版本'),
        ),
        migrations.AlterField(
            model_name='schemeitem',
            name='fact',
            field=models.CharField(choices=[('investment', '投资完成率（对序时计划）'), ('milestones', '节点按期完成率'), ('reports', '进度按时报送率'), ('action_items', '交办事项按期办结率'), ('rectification', '整改按期反馈率')], max_length=20, verbose_name='考评指标'),
        ),
        migrations.AlterField(
            model_name='schemeitem',
            name='points',
            field=models.DecimalField(decimal_places=2, max_digits=6, verbose_name='分值（权重）'),
        ),
        migrations.AlterField(
            model_name='schemeitem',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='evaluation.schemeversion', verbose_name='方案版本'),
        ),
        migrations.AlterField(
            model_name='unitscore',
            name='evaluation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='evaluation.evaluation', verbose_name='阶段考评'),
        ),
        migrations.AlterField(
            model_name='unitscore',
            name='group',
            field=models.CharField(choices=[('city_dept', '市直部门'), ('town', '乡镇办(街道)'), ('community', '社区(村)'), ('other', '其他单位')], max_length=16, verbose_name='分组'),
        ),
    ]
