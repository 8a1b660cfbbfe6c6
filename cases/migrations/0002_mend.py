"""The mend of the cases app: 回退待审, 重复上报 and 并案, cancelled extension requests, the
extension's dispatch, and the append-only timeline.

On PostgreSQL a BEFORE UPDATE OR DELETE trigger refuses any change of a recorded case event
(as core/migrations/0003_audit_append_only.py guards the audit trail), so raw SQL cannot
rewrite a timeline either. TRUNCATE stays available to the database owner (test teardown).
SQLite has no such guard: the model and queryset guards apply there (cases/models.py).
"""

import django.db.models.deletion
from django.db import migrations, models

STATES = [("reported", "上报"), ("accepted", "受理"), ("registered", "立案"), ("rejected", "不予立案"), ("dispatched", "已派遣"), ("handling", "处置中"), ("handled", "已处置"), ("returned", "回退待审"), ("checking", "待核查"), ("checked", "核查通过"), ("rework", "返工"), ("closed", "结案"), ("hung", "挂账"), ("void", "作废")]

PG_UP = """
CREATE OR REPLACE FUNCTION cases_refuse_event_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'case event % is append-only and cannot be changed', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent
  FOR EACH ROW EXECUTE FUNCTION cases_refuse_event_change();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS cases_refuse_event_change();
"""


def _run(sql_by_vendor):
    def apply(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE uses %
    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="idempotency_key",
            field=models.CharField(blank=True, editable=False, max_length=64,
                                   verbose_name="客户端幂等键"),
        ),
        migrations.AddField(
            model_name="extensionrequest",
            name="dispatch_event",
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="cases.caseevent",
                                    verbose_name="所属派遣环节"),
        ),
        migrations.AlterField(
            model_name="case",
            name="state",
            field=models.CharField(choices=STATES, db_index=True, default="reported",
                                   max_length=12, verbose_name="状态"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="from_state",
            field=models.CharField(blank=True, choices=STATES, max_length=12,
                                   verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(choices=[
                ("report", "上报"), ("accept", "受理"), ("verify", "核实"), ("register", "立案"),
                ("reject", "不予立案"), ("dispatch", "派遣"), ("start", "签收"),
                ("handle", "处置"), ("send_check", "派发核查"), ("check_pass", "核查通过"),
                ("check_fail", "核查不通过"), ("close", "结案"), ("return", "回退"),
                ("refuse_return", "不同意回退"), ("reassign", "改派"),
                ("extension_request", "申请延期"), ("extension_approve", "批准延期"),
                ("extension_deny", "不予延期"), ("hang", "挂账"), ("unhang", "恢复办理"),
                ("supervise", "督办"), ("void", "作废"), ("join", "重复上报"),
                ("merge", "并案")], max_length=20, verbose_name="环节"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="to_state",
            field=models.CharField(choices=STATES, max_length=12, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="extensionrequest",
            name="status",
            field=models.CharField(choices=[("pending", "待审批"), ("approved", "已批准"),
                                            ("denied", "不予批准"), ("cancelled", "已撤销")],
                                   default="pending", max_length=10, verbose_name="审批状态"),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idempotency_key", ""), _negated=True),
                fields=("case", "actor", "idempotency_key"),
                name="cases_event_actor_key_unique"),
        ),
        migrations.RunPython(_run({"postgresql": PG_UP}), _run({"postgresql": PG_DOWN}),
                             elidable=False),
    ]
