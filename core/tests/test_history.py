"""Change history: who, when, before, after, grouped per request, also from commands."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from core.choices import ChangeAction, ChangeSource
from core.history import change_context
from core.management.base import TrackedCommand
from core.models import ObjectChange
from org import actions
from org.models import Unit
from tests.base import CastTestCase


def changes_of(obj):
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(obj),
                                       object_id=obj.pk).order_by("id")


class HistoryTests(CastTestCase):
    def test_update_records_before_and_after_and_actor(self):
        unit = self.cast.unit_a
        with change_context(ChangeSource.WEB, user=self.cast.office_admin):
            actions.do_update_unit(unit, short_name="甲", acting_user=self.cast.office_admin)
        change = changes_of(unit).last()
        self.assertEqual(change.action, ChangeAction.UPDATE)
        self.assertEqual(change.user, self.cast.office_admin)
        self.assertEqual(change.before["short_name"], "")
        self.assertEqual(change.after["short_name"], "甲")
        self.assertEqual([label for label, *_ in change.changed_fields()], ["简称"])

    def test_changes_in_one_request_share_a_request_id(self):
        self.client.force_login(self.cast.office_admin)
        self.client.post(f"/admin/plans/plan/{self.cast.plan.pk}/change/", {
            "name": "三年行动计划（修订）", "short_name": "", "kind": "project_ledger",
            "start_year": 2024, "end_year": 2026, "status": "draft", "description": "",
            "categories-TOTAL_FORMS": 1, "categories-INITIAL_FORMS": 0,
            "categories-0-code": "HX", "categories-0-name": "城市核心板块", "categories-0-sort_order": 0,
            "tasks-TOTAL_FORMS": 0, "tasks-INITIAL_FORMS": 0,
            "programmes-TOTAL_FORMS": 0, "programmes-INITIAL_FORMS": 0,
        })
        plan_change = changes_of(self.cast.plan).last()
        self.assertEqual(plan_change.after["name"], "三年行动计划（修订）")
        self.assertEqual(plan_change.user, self.cast.office_admin)
        self.assertEqual(plan_change.source, ChangeSource.WEB)
        same_request = ObjectChange.objects.filter(request_id=plan_change.request_id)
        self.assertEqual({c.content_type.model for c in same_request}, {"plan", "category"})

    def test_a_command_run_as_a_user_is_attributed_to_both(self):
        class RenameCommand(TrackedCommand):
            def handle_tracked(self, *args, **options):
                Unit.objects.filter(name="甲局").first().restore()
                actions.do_update_unit(Unit.objects.get(name="甲局"), short_name="命令改")

        call_command(RenameCommand(), "--as-user", "office_admin")
        change = changes_of(self.cast.unit_a).last()
        self.assertEqual(change.source, ChangeSource.COMMAND)
        self.assertEqual(change.user, self.cast.office_admin)
        self.assertIn("命令", change.actor)
        self.assertIn("office_admin", change.actor)

    def test_writes_outside_any_context_name_the_process(self):
        unit = actions.do_create_unit(name="无上下文单位", kind="other")
        change = changes_of(unit).get()
        self.assertEqual(change.source, ChangeSource.SYSTEM)
        self.assertIn("@", change.actor)  # os-user@command line
        self.assertIsNone(change.user)

    def test_bulk_update_is_recorded_row_by_row(self):
        Unit.objects.filter(pk__in=[self.cast.unit_a.pk, self.cast.unit_b.pk]).update(sort_order=9)
        self.assertEqual(changes_of(self.cast.unit_a).last().after["sort_order"], 9)
        self.assertEqual(changes_of(self.cast.unit_b).last().after["sort_order"], 9)

    def test_records_are_archived_never_deleted(self):
        with self.assertRaises(PermissionDenied):
            self.cast.unit_b.delete()
        with self.assertRaises(PermissionDenied):
            Unit.objects.filter(pk=self.cast.unit_b.pk).delete()
        self.cast.unit_b.archive()
        self.assertEqual(changes_of(self.cast.unit_b).last().action, ChangeAction.ARCHIVE)
        self.assertTrue(Unit.objects.filter(pk=self.cast.unit_b.pk).exists())

    def test_history_tab_shows_who_changed_what(self):
        with change_context(ChangeSource.WEB, user=self.cast.office_admin):
            actions.do_update_unit(self.cast.unit_a, short_name="甲简称")
        self.client.force_login(self.cast.reporter_a)
        html = self.client.get(f"/org/units/{self.cast.unit_a.pk}/history/").content.decode()
        self.assertIn("office_admin", html)
        self.assertIn("甲简称", html)
        self.assertIn("简称", html)

    def test_password_hash_never_enters_history(self):
        self.cast.citizen.set_password("Another#Pass2024")
        self.cast.citizen.save()
        for change in changes_of(self.cast.citizen):
            self.assertNotIn("password", change.after or {})


class BulkHistoryTests(CastTestCase):
    def test_tracked_bulk_update_writes_rows_and_history(self):
        a, b = self.cast.unit_a, self.cast.unit_b
        a.short_name, b.short_name = "甲简", "乙简"
        with change_context(ChangeSource.IMPORT, user=self.cast.office_admin):
            Unit.objects.tracked_bulk_update([a, b], ["short_name"])
        self.assertEqual(Unit.objects.get(pk=a.pk).short_name, "甲简")
        change = changes_of(b).last()
        self.assertEqual((change.before["short_name"], change.after["short_name"]), ("", "乙简"))
        self.assertEqual((change.source, change.user), (ChangeSource.IMPORT, self.cast.office_admin))
