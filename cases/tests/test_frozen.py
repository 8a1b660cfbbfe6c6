"""Frozen rows: a case's timeline is append-only, and a type version a case was opened under
cannot change — refused by the model, by bulk writes, and (PostgreSQL) by a trigger."""

from unittest import skipUnless

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from cases import actions
from cases.choices import EventType
from cases.models import CaseEvent, CaseTypeVersion
from cases.tests.test_actions import MEDIA, NOW, CaseFixtures


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class FrozenTests(CaseFixtures):
    def reported(self):
        return actions.do_report_case(acting_user=self.inspector, type_version=self.garbage,
                                      description="路边成堆垃圾", lon=113.38, lat=34.51)

    def test_a_recorded_event_cannot_be_edited(self):
        case = self.reported()
        event = case.events.get()
        event.note = "改写"
        with self.assertRaises(PermissionDenied):
            event.save()
        clone = CaseEvent(pk=event.pk, case=case, kind=EventType.CLOSE, to_state="closed")
        with self.assertRaises(PermissionDenied):
            clone.save()
        with self.assertRaises(PermissionDenied):
            event.archive()
        with self.assertRaises(PermissionDenied):
            event.delete()
        self.assertEqual(CaseEvent.objects.get(pk=event.pk).note, "")

    def test_bulk_writes_to_events_are_refused(self):
        case = self.reported()
        events = CaseEvent.objects.filter(case=case)
        with self.assertRaises(PermissionDenied):
            events.update(note="改写")
        with self.assertRaises(PermissionDenied):
            events.delete()
        with self.assertRaises(PermissionDenied):
            CaseEvent.objects.bulk_update(list(events), ["note"])
        with self.assertRaises(PermissionDenied):
            CaseEvent.objects.bulk_create([CaseEvent(case=case, kind=EventType.ACCEPT,
                                                     to_state="accepted")],
                                          ignore_conflicts=True)
        self.assertEqual(events.count(), 1)

    def test_a_used_type_version_is_frozen(self):
        unused = actions.do_new_type_version(self.cover.case_type,
                                             acting_user=self.cast.office_staff)
        unused.close_standard = "修复并复核"
        unused.save()  # nobody reported under it yet: still editable
        self.reported()
        version = CaseTypeVersion.objects.get(pk=self.garbage.pk)
        version.normal_amount = 99
        with self.assertRaises(PermissionDenied):
            version.save()
        with self.assertRaises(PermissionDenied):
            CaseTypeVersion.objects.filter(pk=version.pk).update(normal_amount=99)
        with self.assertRaises(PermissionDenied):
            CaseTypeVersion.objects.all().update(normal_amount=99)  # one used row is enough
        with self.assertRaises(PermissionDenied):
            CaseTypeVersion.objects.bulk_update([version], ["normal_amount"])
        with self.assertRaises(PermissionDenied):
            version.delete()
        self.assertEqual(CaseTypeVersion.objects.get(pk=version.pk).normal_amount, 4)
        CaseTypeVersion.objects.filter(pk=unused.pk).update(close_standard="修复")

    def test_the_office_edits_a_type_by_a_new_version(self):
        self.reported()
        client = self.login(self.cast.office_admin)
        response = client.get(f"/admin/cases/casetypeversion/{self.garbage.pk}/change/")
        self.assertContains(response, "暴露垃圾")  # a read-only view, no save button
        self.assertNotContains(response, 'name="_save"')

    @skipUnless(connection.vendor == "postgresql", "the trigger exists on PostgreSQL only")
    def test_postgresql_refuses_raw_sql_on_the_timeline(self):
        case = self.reported()
        event = case.events.get()
        table = CaseEvent._meta.db_table
        for sql in (f"UPDATE {table} SET note = 'x' WHERE id = %s",
                    f"DELETE FROM {table} WHERE id = %s"):
            with self.subTest(sql=sql), self.assertRaises(DatabaseError), \
                    transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
        self.assertEqual(CaseEvent.objects.get(pk=event.pk).note, "")
        # new steps are still written
        actions.do_accept(case, acting_user=self.cast.office_staff)
        self.assertEqual(case.events.count(), 2)
