import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """领导批示: an action item may be a city leader's instruction on a project."""

    dependencies = [
        ("org", "0001_initial"),
        ("supervision", "0012_meeting_minutes"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitem",
            name="instructed_by",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="instructions", to="org.cityleader",
                                    verbose_name="批示领导"),
        ),
    ]
