"""A new fact: 案件按期结案率 (cases.facts), whose rows behind a score are cases."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0006_score_not_taking_part"),
    ]

    operations = [
        migrations.AlterField(
            model_name="schemeitem",
            name="fact",
            field=models.CharField(choices=[("investment", "投资完成率（对序时计划）"), ("milestones", "节点按期完成率"), ("reports", "进度按时报送率"), ("action_items", "交办事项按期办结率"), ("rectification", "整改按期反馈率"), ("cases_on_time", "案件按期结案率")], max_length=20, verbose_name="考评指标"),
        ),
        migrations.AlterField(
            model_name="scorefact",
            name="kind",
            field=models.CharField(choices=[("project", "项目"), ("milestone", "节点"), ("report", "进度填报"), ("action_item", "交办事项"), ("rectification", "通报整改"), ("case", "案件")], max_length=16, verbose_name="类别"),
        ),
    ]
