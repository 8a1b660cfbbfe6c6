"""The audit trail: append-only, hash-chained, readable only by the audit administrator."""

import io

from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.audit import record_audit, verify_chain
from core.choices import AuditEventType
from core.models import AuditEvent
from tests.base import CastTestCase


class AuditTrailTests(CastTestCase):
    def test_chain_links_every_event_and_verifies(self):
        for i in range(3):
            record_audit(AuditEventType.EXPORT, user=self.cast.office_admin, rows=i)
        events = list(AuditEvent.objects.order_by("id"))
        for prev, event in zip(events, events[1:]):
            self.assertEqual(event.prev_hash, prev.hash)
        checked, problems = verify_chain()
        self.assertEqual(problems, [])
        self.assertEqual(checked, len(events))
        out = io.StringIO()
        call_command("verify_audit_chain", stdout=out)
        self.assertIn("完整", out.getvalue())

    def test_orm_refuses_edit_and_delete(self):
        event = record_audit(AuditEventType.EXPORT, user=self.cast.office_admin)
        event.username = "someone_else"
        with self.assertRaises(PermissionDenied):
            event.save()
        with self.assertRaises(PermissionDenied):
            event.delete()
        with self.assertRaises(PermissionDenied):
            AuditEvent.objects.filter(pk=event.pk).update(username="x")
        with self.assertRaises(PermissionDenied):
            AuditEvent.objects.filter(pk=event.pk).delete()

    def test_database_refuses_a_raw_update(self):
        event = record_audit(AuditEventType.EXPORT, user=self.cast.office_admin)
        with self.assertRaises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE core_auditevent SET username = %s WHERE id = %s",
                               ["tampered", event.pk])

    def test_a_removed_event_is_detected(self):
        events = [record_audit(AuditEventType.EXPORT, user=self.cast.office_admin, n=i)
                  for i in range(3)]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
        except DatabaseError:
            # PostgreSQL's trigger refuses the delete outright: nothing to detect.
            self.assertEqual(connection.vendor, "postgresql")
            return
        _, problems = verify_chain()
        self.assertTrue(any("不连续" in p for p in problems), problems)
        with self.assertRaises(CommandError):
            call_command("verify_audit_chain", stdout=io.StringIO(), stderr=io.StringIO())

    def test_only_the_audit_administrator_reads_the_log(self):
        record_audit(AuditEventType.EXPORT, user=self.cast.office_admin)
        for member in ("office_admin", "sys_admin", "sec_admin", "supervision", "reporter_a"):
            self.client.force_login(getattr(self.cast, member))
            self.assertEqual(self.client.get("/audit/").status_code, 403, member)
        self.client.force_login(self.cast.audit_admin)
        response = self.client.get("/audit/?event=export")
        self.assertEqual(response.status_code, 200)
        self.assertIn("导出", response.content.decode())
