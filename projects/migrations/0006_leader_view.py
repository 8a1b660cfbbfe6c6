import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """我的分包: the lead unit's current measures (措施) on a project, with who and when."""

    dependencies = [
        ("projects", "0005_unit_filing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="measures",
            field=models.TextField(blank=True, help_text="责任单位正在采取的措施（由责任单位填写）",
                                   verbose_name="当前措施"),
        ),
        migrations.AddField(
            model_name="project",
            name="measures_at",
            field=models.DateTimeField(blank=True, editable=False, null=True,
                                       verbose_name="措施更新时间"),
        ),
        migrations.AddField(
            model_name="project",
            name="measures_by",
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="措施填写人"),
        ),
    ]
