"""Database-level guard: an issued bulletin, its lines and rectification requests, and an
issued meeting pack, can no longer be changed (as core/migrations/0003_audit_append_only.py
guards the audit trail).

PostgreSQL refuses, by BEFORE row triggers:
- UPDATE or DELETE of a bulletin or meeting pack whose stored status is 'issued' (the
  update that issues a draft sees the old status 'draft' and passes: the last write);
- INSERT, UPDATE or DELETE of a bulletin line or rectification request under an issued
  bulletin (the requests are written before the bulletin's status changes).
TRUNCATE stays available to the database owner (test teardown). SQLite has no such
guard: its test flush deletes row by row; the model and queryset guards apply there
(supervision/models/base.py).
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION supervision_refuse_issued() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'issued' THEN
    RAISE EXCEPTION '% % is issued and cannot be changed', TG_TABLE_NAME, OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION supervision_refuse_under_issued_bulletin() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF EXISTS (SELECT 1 FROM supervision_bulletin
               WHERE id = OLD.bulletin_id AND status = 'issued') THEN
      RAISE EXCEPTION '% % belongs to an issued bulletin and cannot be changed',
        TG_TABLE_NAME, OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF EXISTS (SELECT 1 FROM supervision_bulletin
               WHERE id = NEW.bulletin_id AND status = 'issued') THEN
      RAISE EXCEPTION 'nothing can be added to issued bulletin %', NEW.bulletin_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER supervision_bulletin_frozen BEFORE UPDATE OR DELETE ON supervision_bulletin
  FOR EACH ROW EXECUTE FUNCTION supervision_refuse_issued();
CREATE TRIGGER supervision_meetingpack_frozen BEFORE UPDATE OR DELETE ON supervision_meetingpack
  FOR EACH ROW EXECUTE FUNCTION supervision_refuse_issued();
CREATE TRIGGER supervision_bulletinline_frozen
  BEFORE INSERT OR UPDATE OR DELETE ON supervision_bulletinline
  FOR EACH ROW EXECUTE FUNCTION supervision_refuse_under_issued_bulletin();
CREATE TRIGGER supervision_rectification_frozen
  BEFORE INSERT OR UPDATE OR DELETE ON supervision_rectification
  FOR EACH ROW EXECUTE FUNCTION supervision_refuse_under_issued_bulletin();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS supervision_rectification_frozen ON supervision_rectification;
DROP TRIGGER IF EXISTS supervision_bulletinline_frozen ON supervision_bulletinline;
DROP TRIGGER IF EXISTS supervision_meetingpack_frozen ON supervision_meetingpack;
DROP TRIGGER IF EXISTS supervision_bulletin_frozen ON supervision_bulletin;
DROP FUNCTION IF EXISTS supervision_refuse_under_issued_bulletin();
DROP FUNCTION IF EXISTS supervision_refuse_issued();
"""


def _run(sql_by_vendor):
    def apply(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE uses %
    return apply


class Migration(migrations.Migration):
    dependencies = [("supervision", "0009_bulletin_responses_counter_corrections")]

    operations = [
        migrations.RunPython(_run({"postgresql": PG_UP}), _run({"postgresql": PG_DOWN})),
    ]
