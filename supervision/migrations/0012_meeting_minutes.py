"""会议纪要 (issue 16 item 6): the minutes of a held meeting and their decisions.

Issued minutes are frozen like an issued meeting pack (supervision/models/base.py and
migration 0010): on PostgreSQL BEFORE row triggers refuse
- UPDATE or DELETE of minutes whose stored status is 'issued' (the update that issues a
  draft sees the old status and passes: the last write), through 0010's
  supervision_refuse_issued();
- INSERT, UPDATE or DELETE of a decision under issued minutes (the decisions are linked to
  their action items before the minutes' status changes).
SQLite relies on the model and queryset guards.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PG_UP = """
CREATE OR REPLACE FUNCTION supervision_refuse_under_issued_minutes() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF EXISTS (SELECT 1 FROM supervision_meetingminutes
               WHERE id = OLD.minutes_id AND status = 'issued') THEN
      RAISE EXCEPTION '% % belongs to issued minutes and cannot be changed',
        TG_TABLE_NAME, OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF EXISTS (SELECT 1 FROM supervision_meetingminutes
               WHERE id = NEW.minutes_id AND status = 'issued') THEN
      RAISE EXCEPTION 'nothing can be added to issued minutes %', NEW.minutes_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER supervision_meetingminutes_frozen
  BEFORE UPDATE OR DELETE ON supervision_meetingminutes
  FOR EACH ROW EXECUTE FUNCTION supervision_refuse_issued();
CREATE TRIGGER supervision_minutesdecision_frozen
  BEFORE INSERT OR UPDATE OR DELETE ON supervision_minutesdecision
  FOR EACH ROW EXECUTE FUNCTION supervision_refuse_under_issued_minutes();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS supervision_minutesdecision_frozen ON supervision_minutesdecision;
DROP TRIGGER IF EXISTS supervision_meetingminutes_frozen ON supervision_meetingminutes;
DROP FUNCTION IF EXISTS supervision_refuse_under_issued_minutes();
"""


def _run(sql_by_vendor):
    def apply(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE uses %
    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0001_initial"),
        ("supervision", "0011_bulletin_drafting"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MeetingMinutes",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("archived_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="归档时间")),
                ("attendees", models.TextField(blank=True, help_text="出席、列席的领导和单位，每行一项", verbose_name="参会人员")),
                ("summary", models.TextField(blank=True, help_text="会议听取、研究的事项，每段一行", verbose_name="会议概要")),
                ("status", models.CharField(choices=[("draft", "草稿"), ("issued", "已印发")], default="draft", max_length=8, verbose_name="状态")),
                ("issued_at", models.DateTimeField(blank=True, null=True, verbose_name="印发时间")),
                ("docx", models.FileField(blank=True, upload_to="minutes/", verbose_name="会议纪要（docx）")),
                ("created_by", models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="创建人")),
                ("issued_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="印发人")),
                ("meeting", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="minutes", to="supervision.meeting", verbose_name="会议")),
            ],
            options={
                "verbose_name": "会议纪要",
                "verbose_name_plural": "会议纪要",
            },
        ),
        migrations.CreateModel(
            name="MinutesDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("archived_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="归档时间")),
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="序号")),
                ("text", models.CharField(max_length=200, verbose_name="议定事项")),
                ("deadline", models.DateField(verbose_name="完成时限")),
                ("action_item", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="decision", to="supervision.actionitem", verbose_name="交办事项")),
                ("created_by", models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="创建人")),
                ("minutes", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="decisions", to="supervision.meetingminutes", verbose_name="会议纪要")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.unit", verbose_name="责任单位")),
            ],
            options={
                "verbose_name": "议定事项",
                "verbose_name_plural": "议定事项",
                "ordering": ["minutes", "order", "pk"],
            },
        ),
        migrations.RunPython(_run({"postgresql": PG_UP}), _run({"postgresql": PG_DOWN})),
    ]
