"""Indexes for the unit's case list (bench/cases_pages.py): the (unit, state) index grows a
deadline column so the tab counts are index-only, and a second index has the page's exact
order (deadline_at ASC NULLS LAST, reported_at DESC, id), so a page is 20 index entries."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_stats")]
    operations = [
        migrations.RemoveIndex(model_name="case", name="cases_case_unit_state"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["handling_unit", "state", "deadline_at"],
                               name="cases_case_unit_state_due"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["handling_unit", "deadline_at", "-reported_at", "id"],
                               name="cases_case_unit_queue"),
        ),
    ]
