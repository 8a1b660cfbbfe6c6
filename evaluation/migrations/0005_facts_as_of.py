"""The day an evaluation's facts were measured on, so its pages say it truly."""

from django.db import migrations, models
from django.utils import timezone


def from_computed_at(apps, schema_editor):
    # As do_compute chose it: the period's end, or the day of computation if earlier.
    Evaluation = apps.get_model("evaluation", "Evaluation")
    for evaluation in Evaluation.objects.exclude(computed_at=None):
        evaluation.facts_as_of = min(evaluation.period_end,
                                     timezone.localdate(evaluation.computed_at))
        evaluation.save(update_fields=["facts_as_of"])


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0004_drop_old_columns'),
    ]

    operations = [
        migrations.AddField(
            model_name='evaluation',
            name='facts_as_of',
            field=models.DateField(blank=True, help_text='期末，或期间未结束时计算当天', null=True, verbose_name='数据截至'),
        ),
        migrations.RunPython(from_computed_at, migrations.RunPython.noop),
    ]
