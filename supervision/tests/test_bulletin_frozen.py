"""Issued means immutable, below the UI too: an issued bulletin, its lines, its rectification
requests and an issued meeting pack refuse every write — the model's save() and delete(),
the queryset's update(), delete() and bulk writes, and (PostgreSQL) raw SQL by trigger.
Responses are filed against a frozen request; corrections are new documents; lines and
requests keep their change history."""

import unittest
from datetime import time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import ObjectChange
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import Bulletin, BulletinLine, Meeting, MeetingPack, Rectification
from supervision.models.bulletins import RectificationResponse
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

POSTGRES = connection.vendor == "postgresql"


@on_mid_may_2026
class FrozenBulletinTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # three red projects: lines for 甲局 and 乙局
        today = timezone.localdate()
        bureau = cls.cast.supervision
        cls.issued = actions.do_issue_bulletin(
            actions.do_draft_bulletin(period_start=today - timedelta(7), period_end=today,
                                      acting_user=bureau),
            rectification_deadline=today + timedelta(10), acting_user=bureau)
        cls.draft = actions.do_draft_bulletin(period_start=today - timedelta(7), period_end=today,
                                              acting_user=bureau)
        cls.meeting = Meeting.objects.create(
            plan=cls.cast.plan, kind=MeetingKind.MONTHLY_MEETING, date=today, start_time=time(9),
            title="月度工作例会")
        office = cls.cast.office_admin
        cls.pack = actions.do_issue_pack(actions.do_generate_pack(cls.meeting, acting_user=office),
                                         acting_user=office)

    def refused(self):
        return self.assertRaises(PermissionDenied)

    # --- through the ORM -------------------------------------------------------------

    def test_the_bulletin_refuses_save_update_and_delete(self):
        b = Bulletin.objects.get(pk=self.issued.pk)
        b.title = "改过的标题"
        with self.refused():
            b.save()
        with self.refused():
            b.delete()
        with self.refused():
            Bulletin.objects.filter(pk=b.pk).update(title="改过的标题")
        with self.refused():  # any issued row among those touched refuses the whole update
            Bulletin.objects.all().update(intro="")
        with self.refused():
            Bulletin.objects.filter(pk=b.pk).delete()
        with self.refused():
            Bulletin.objects.bulk_update([b], ["title"])
        with self.refused():
            Bulletin.objects.tracked_bulk_update([b], ["title"])
        self.assertEqual(Bulletin.objects.get(pk=b.pk).title, self.issued.title)
        # A draft is still a draft.
        self.assertEqual(Bulletin.objects.filter(pk=self.draft.pk).update(intro="草稿可改"), 1)

    def test_its_lines_refuse_every_write(self):
        line = self.issued.lines.first()
        line.text = "改"
        with self.refused():
            line.save()
        with self.refused():
            line.delete()
        with self.refused():
            BulletinLine.objects.filter(pk=line.pk).update(text="改")
        with self.refused():
            BulletinLine.objects.filter(bulletin=self.issued).delete()
        with self.refused():
            BulletinLine.objects.filter(bulletin=self.issued).remove_from_draft()
        with self.refused():  # nothing is added to an issued bulletin ...
            BulletinLine.objects.create(bulletin=self.issued, section=line.section,
                                        unit=line.unit, text="补一条")
        with self.refused():
            BulletinLine.objects.bulk_create([BulletinLine(
                bulletin=self.issued, section=line.section, unit=line.unit, text="补一条")])
        draft_line = self.draft.lines.first()
        with self.refused():  # ... nor moved into one
            BulletinLine.objects.filter(pk=draft_line.pk).update(bulletin=self.issued)
        draft_line.bulletin = self.issued
        with self.refused():
            draft_line.save()
        self.assertEqual(self.issued.lines.count(), 2)
        with self.assertRaises(ValidationError):
            actions.do_edit_bulletin(self.issued, acting_user=self.cast.supervision,
                                     line_texts={line.pk: "改"})

    def test_its_rectification_requests_refuse_every_write_but_take_responses(self):
        rect = Rectification.objects.get(bulletin=self.issued, unit=self.cast.unit_a)
        rect.unit = self.cast.unit_b
        with self.refused():
            rect.save()
        with self.refused():
            rect.delete()
        with self.refused():
            Rectification.objects.filter(pk=rect.pk).update(unit=self.cast.unit_b)
        with self.refused():
            Rectification.objects.filter(bulletin=self.issued).delete()
        with self.refused():
            Rectification.objects.create(bulletin=self.issued, unit=self.cast.town)
        # The unit answers and the bureau reviews, in rows of their own.
        rect = Rectification.objects.get(pk=rect.pk)
        actions.do_submit_rectification(rect, text="已制定整改方案", acting_user=self.cast.reporter_a)
        actions.do_review_rectification(rect, accept=False, note="措施不具体",
                                        acting_user=self.cast.supervision)
        actions.do_submit_rectification(rect, text="补充了责任人和时间表",
                                        acting_user=self.cast.reporter_a)
        actions.do_review_rectification(rect, accept=True, acting_user=self.cast.supervision)
        rect = Rectification.objects.with_responses().get(pk=rect.pk)
        self.assertEqual([(r.text, r.status) for r in rect.response_list],
                         [("已制定整改方案", "returned"), ("补充了责任人和时间表", "accepted")])
        self.assertEqual((rect.status, rect.on_time, rect.unit_id),
                         ("accepted", True, self.cast.unit_a.pk))
        self.assertEqual(list(Rectification.objects.filter(bulletin=self.issued).owed()
                              .values_list("unit__name", flat=True)), ["乙局"])

    def test_an_issued_meeting_pack_refuses_every_write(self):
        pack = MeetingPack.objects.get(pk=self.pack.pk)
        pack.notes = "改"
        with self.refused():
            pack.save()
        with self.refused():
            pack.delete()
        with self.refused():
            MeetingPack.objects.filter(pk=pack.pk).update(notes="改")
        with self.refused():
            MeetingPack.objects.filter(pk=pack.pk).delete()
        self.assertEqual(MeetingPack.objects.get(pk=pack.pk).notes, self.pack.notes)

    def test_a_new_instance_with_an_issued_pk_is_refused(self):
        # save() of an instance built with a stored pk is an UPDATE of that row.
        forged = Bulletin(pk=self.issued.pk, title="篡改", period_start=self.issued.period_start,
                          period_end=self.issued.period_end)
        with self.refused():
            forged.save()
        pack = self.pack
        with self.refused():
            MeetingPack(pk=pack.pk, meeting=pack.meeting, notes="篡改").save()
        line = self.issued.lines.first()
        with self.refused():  # even when the forged row names a draft as its bulletin
            BulletinLine(pk=line.pk, bulletin=self.draft, section=line.section, unit=line.unit,
                         text="篡改").save()
        rect = Rectification.objects.filter(bulletin=self.issued).first()
        with self.refused():
            Rectification(pk=rect.pk, bulletin=self.draft, unit=self.cast.town).save()
        self.assertEqual(Bulletin.objects.get(pk=self.issued.pk).title, self.issued.title)
        self.assertEqual(BulletinLine.objects.get(pk=line.pk).text, line.text)
        self.assertEqual(Rectification.objects.get(pk=rect.pk).bulletin_id, self.issued.pk)

    def test_bulk_upserts_are_refused(self):
        # An upsert rewrites the stored row whatever it is: a draft-status copy of an issued
        # bulletin would have made it a draft again, a line would have left its bulletin.
        draft_copy = Bulletin(pk=self.issued.pk, title="篡改", status="draft",
                              period_start=self.issued.period_start,
                              period_end=self.issued.period_end)
        for flags in ({"update_conflicts": True, "update_fields": ["title", "status"],
                       "unique_fields": ["id"]}, {"ignore_conflicts": True}):
            with self.subTest(flags=list(flags)), self.refused():
                Bulletin.objects.bulk_create([draft_copy], **flags)
        line = self.issued.lines.first()
        with self.refused():
            BulletinLine.objects.bulk_create(
                [BulletinLine(pk=line.pk, bulletin=self.draft, section=line.section,
                              unit=line.unit, text="篡改")],
                update_conflicts=True, update_fields=["bulletin", "text"], unique_fields=["id"])
        with self.refused():
            MeetingPack.objects.bulk_create([MeetingPack(pk=self.pack.pk, meeting=self.meeting)],
                                            ignore_conflicts=True)
        stored = Bulletin.objects.get(pk=self.issued.pk)
        self.assertEqual((stored.status, stored.title), ("issued", self.issued.title))
        self.assertEqual(BulletinLine.objects.get(pk=line.pk).bulletin_id, self.issued.pk)

    # --- below the ORM (PostgreSQL) ------------------------------------------------------

    def raw(self, sql, params):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    @unittest.skipUnless(POSTGRES, "the triggers are PostgreSQL's (migration 0010); SQLite relies "
                                   "on the model and queryset guards tested above")
    def test_raw_sql_is_refused_by_the_database(self):
        line = self.issued.lines.first()
        rect = Rectification.objects.filter(bulletin=self.issued).first()
        refused = [
            ("UPDATE supervision_bulletin SET title = 'x' WHERE id = %s", [self.issued.pk]),
            ("DELETE FROM supervision_bulletin WHERE id = %s", [self.issued.pk]),
            ("UPDATE supervision_bulletinline SET text = 'x' WHERE id = %s", [line.pk]),
            ("DELETE FROM supervision_bulletinline WHERE id = %s", [line.pk]),
            ("INSERT INTO supervision_bulletinline (bulletin_id, section, unit_id, text, facts, "
             "\"order\", created_at, updated_at) VALUES (%s, 'red_projects', %s, 'x', '{}', 9, "
             "now(), now())", [self.issued.pk, line.unit_id]),
            ("UPDATE supervision_bulletinline SET bulletin_id = %s WHERE id = %s",
             [self.issued.pk, self.draft.lines.first().pk]),
            ("UPDATE supervision_rectification SET unit_id = %s WHERE id = %s",
             [self.cast.town.pk, rect.pk]),
            ("DELETE FROM supervision_rectification WHERE id = %s", [rect.pk]),
            ("UPDATE supervision_meetingpack SET notes = 'x' WHERE id = %s", [self.pack.pk]),
            ("DELETE FROM supervision_meetingpack WHERE id = %s", [self.pack.pk]),
        ]
        for sql, params in refused:
            with self.subTest(sql=sql.split(" WHERE")[0]), self.assertRaises(DatabaseError):
                self.raw(sql, params)
        # Drafts are not guarded: the transition to issued is the last write allowed.
        self.raw("UPDATE supervision_bulletin SET intro = 'x' WHERE id = %s", [self.draft.pk])
        self.raw("UPDATE supervision_bulletinline SET text = 'x' WHERE bulletin_id = %s",
                 [self.draft.pk])
        self.assertEqual(Bulletin.objects.get(pk=self.draft.pk).intro, "x")
        self.assertEqual(Bulletin.objects.get(pk=self.issued.pk).title, self.issued.title)

    # --- corrections and history -------------------------------------------------------

    def test_a_correction_is_a_new_document_referring_to_the_old(self):
        bureau = self.cast.supervision
        correction = actions.do_correct_bulletin(self.issued, acting_user=bureau)
        self.assertEqual((correction.corrects, correction.status), (self.issued, "draft"))
        self.assertEqual(actions.do_correct_bulletin(self.issued, acting_user=bureau), correction)
        self.assertEqual([line.text for line in correction.lines.all()],
                         [line.text for line in self.issued.lines.all()])
        with self.assertRaises(ValidationError):
            actions.do_correct_bulletin(self.draft, acting_user=bureau)
        with self.refused():
            actions.do_correct_bulletin(self.issued, acting_user=self.cast.office_admin)
        line = correction.lines.first()
        actions.do_edit_bulletin(correction, acting_user=bureau, line_texts={line.pk: "更正后的内容"})
        correction = actions.do_issue_bulletin(
            correction, rectification_deadline=timezone.localdate() + timedelta(10),
            acting_user=bureau)
        self.assertEqual(correction.number, self.issued.number + 1)
        from supervision.tests.test_bulletin_document import docx_texts

        _, texts = docx_texts(correction.docx.open("rb").read())
        self.assertIn(f"{self.issued.number_label}《{self.issued.title}》有误，现予更正，"
                      "原通报同时废止。", texts)
        self.client.force_login(bureau)
        old_page = self.client.get(self.issued.get_absolute_url())
        self.assertContains(old_page, f'href="{correction.get_absolute_url()}"')
        self.assertContains(old_page, "已更正")
        new_page = self.client.get(correction.get_absolute_url())
        self.assertContains(new_page, f'href="{self.issued.get_absolute_url()}"')
        self.assertContains(new_page, f"本通报更正 <a href=\"{self.issued.get_absolute_url()}\">")
        self.issued.refresh_from_db()
        self.assertEqual(self.issued.status, "issued")  # the old one is as it was

    def test_lines_and_requests_keep_their_history(self):
        bureau = self.cast.supervision
        first, second = self.draft.lines.all()[:2]
        actions.do_edit_bulletin(self.draft, acting_user=bureau,
                                 line_texts={first.pk: "改写后的内容"}, remove_lines=[second.pk])
        self.assertFalse(BulletinLine.objects.filter(pk=second.pk).exists())
        line_ct = ContentType.objects.get_for_model(BulletinLine)
        changes = ObjectChange.objects.filter(content_type=line_ct)
        edited = changes.get(object_id=first.pk, action="update")
        self.assertEqual((edited.before["text"], edited.after["text"]), (first.text, "改写后的内容"))
        removed = changes.get(object_id=second.pk, action="archive")
        self.assertEqual((removed.before["text"], removed.after), (second.text, None))
        rect = Rectification.objects.filter(bulletin=self.issued, unit=self.cast.unit_a).get()
        response = actions.do_submit_rectification(rect, text="已整改",
                                                   acting_user=self.cast.reporter_a)
        self.assertTrue(ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(RectificationResponse),
            object_id=response.pk, action="create").exists())
        self.assertTrue(ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Rectification),
            object_id=rect.pk, action="create").exists())
        # The bulletin's history page tells the lines' story with its own.
        self.client.force_login(bureau)
        page = self.client.get(self.draft.get_history_url())
        self.assertContains(page, "改写后的内容")
        self.assertContains(page, "通报内容：")
        # A unit reads the history of a bulletin naming it without other units' responses.
        actions.do_submit_rectification(
            Rectification.objects.get(bulletin=self.issued, unit=self.cast.unit_b),
            text="乙局的整改情况", acting_user=self.cast.reporter_b)
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.issued.get_history_url())
        self.assertContains(page, "整改反馈：甲局 整改反馈")
        self.assertNotContains(page, "整改反馈：乙局 整改反馈")
