from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="responsible_name",
            field=models.CharField(blank=True, help_text="台账中填写、人员目录中尚无的责任人姓名；关联人员后清空", max_length=50, verbose_name="责任人（未关联人员）"),
        ),
    ]
