
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_file_and_token_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WorkdayOverride',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('archived_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='归档时间')),
                ('date', models.DateField(verbose_name='日期')),
                ('is_workday', models.BooleanField(help_text='勾选：上班（含调休上班）；不勾选：放假', verbose_name='是否工作日')),
                ('note', models.CharField(blank=True, help_text='如：2027年春节放假、2027年春节调休上班', max_length=100, verbose_name='说明')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
            ],
            options={
                'verbose_name': '工作日调整',
                'verbose_name_plural': '工作日调整',
                'ordering': ['-date'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('archived_at__isnull', True)), fields=('date',), name='core_workdayoverride_one_per_date')],
            },
        ),
    ]
