"""会议纪要 after the meeting (issue 16 item 6): the office writes the minutes of a held
meeting (attendees, a summary, decisions each with a responsible unit and a deadline);
issuing them gives every decision to its unit as an action item and freezes the minutes —
model, queryset and (PostgreSQL) database refuse every later write; the .docx is a 纪要
with local dates."""

import io
import threading
import unittest
from datetime import datetime, time, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import (
    DatabaseError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.test import TransactionTestCase
from django.utils import timezone
from docx import Document

from core.dates import cn_date
from supervision.actions.meetings import do_issue_minutes, do_save_minutes
from supervision.choices import ActionItemSource, MeetingKind
from supervision.models import ActionItem, Meeting, MeetingMinutes, MinutesDecision
from tests.base import SHANGHAI, CastTestCase, on_mid_may_2026
from tests.cast import build_cast

POSTGRES = connection.vendor == "postgresql"


@on_mid_may_2026
class MinutesTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        today = timezone.localdate()
        cls.meeting = Meeting.objects.create(
            plan=c.plan, kind=MeetingKind.MONTHLY_MEETING, date=today - timedelta(days=1),
            start_time=time(15), title="月度工作例会", location="市政府第一会议室")
        cls.decisions = [
            {"text": "甲路综合改造工程月底前完成管线迁改", "unit": c.unit_a,
             "deadline": today + timedelta(days=10)},
            {"text": "乙区污水处理厂协调供电公司完成电力迁改", "unit": c.unit_b,
             "deadline": today + timedelta(days=20)},
        ]

    def save(self, **kwargs):
        fields = {"attendees": "领导甲副市长\n甲局、乙局主要负责人",
                  "summary": "会议听取了重点项目进展汇报。", "decisions": self.decisions,
                  "acting_user": self.cast.office_admin, **kwargs}
        return do_save_minutes(self.meeting, **fields)

    def issued(self):
        return do_issue_minutes(self.save(), acting_user=self.cast.office_admin)


class MinutesTests(MinutesTestCase):
    def test_issuing_gives_each_decision_to_its_unit_as_an_action_item(self):
        minutes = self.issued()
        items = list(ActionItem.objects.filter(meeting=self.meeting).order_by("deadline"))
        self.assertEqual([(i.title, i.unit, i.deadline, i.source, i.issued_by) for i in items], [
            (d["text"], d["unit"], d["deadline"], ActionItemSource.MEETING, self.cast.office_admin)
            for d in self.decisions])
        self.assertIn("议定事项第1项", items[0].detail)
        self.assertEqual([d.action_item for d in minutes.decisions.order_by("order")], items)
        self.assertEqual(minutes.status, "issued")
        # The unit sees its own item in its list, like any other action item.
        self.assertEqual(list(ActionItem.objects.visible_to(self.cast.reporter_a)
                              .filter(meeting=self.meeting)), [items[0]])
        with self.assertRaises(ValidationError):
            do_issue_minutes(minutes, acting_user=self.cast.office_admin)
        self.assertEqual(ActionItem.objects.filter(meeting=self.meeting).count(), 2)

    def test_who_and_when(self):
        with self.assertRaises(PermissionDenied):
            self.save(acting_user=self.cast.reporter_a)
        future = Meeting.objects.create(
            plan=self.cast.plan, kind=MeetingKind.MONTHLY_MEETING,
            date=timezone.localdate() + timedelta(days=3), start_time=time(15), title="下次例会")
        with self.assertRaises(ValidationError):
            do_save_minutes(future, attendees="x", summary="y", decisions=[],
                            acting_user=self.cast.office_admin)
        with self.assertRaises(ValidationError) as refused:
            self.save(decisions=[{"text": "没有责任单位的事项", "unit": None,
                                  "deadline": timezone.localdate()}])
        self.assertIn("第1项议定事项没有责任单位。", refused.exception.messages)
        minutes = self.save()
        with self.assertRaises(PermissionDenied):
            do_issue_minutes(minutes, acting_user=self.cast.reporter_a)
        self.assertFalse(ActionItem.objects.exists())

    def test_a_deadline_passed_before_the_issue_refuses_the_whole_issue(self):
        minutes = self.save(decisions=[self.decisions[1], {
            "text": "三天内报送方案", "unit": self.cast.unit_a,
            "deadline": timezone.localdate() + timedelta(days=1)}])
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            with self.assertRaises(ValidationError) as refused:
                do_issue_minutes(minutes, acting_user=self.cast.office_admin)
        self.assertIn("第2项", refused.exception.messages[0])
        self.assertFalse(ActionItem.objects.exists())  # nothing half-issued
        self.assertEqual(MeetingMinutes.objects.get(pk=minutes.pk).status, "draft")

    def test_the_docx_is_a_jiyao_with_local_dates(self):
        # 01:30 on 21 May in Beijing is still 20 May in UTC: the document says the 21st.
        with time_machine.travel(datetime(2026, 5, 21, 1, 30, tzinfo=SHANGHAI)):
            minutes = self.issued()
        text = "\n".join(p.text for p in Document(io.BytesIO(minutes.docx.open("rb").read()))
                         .paragraphs)
        self.assertIn("月度工作例会会议纪要", text)
        self.assertIn(f"{cn_date(self.meeting.date)}，", text)
        self.assertIn("参会人员：领导甲副市长；甲局、乙局主要负责人。", text)
        self.assertIn("二、议定事项", text)
        self.assertIn(f"（一）甲路综合改造工程月底前完成管线迁改。责任单位：甲局；"
                      f"完成时限：{cn_date(self.decisions[0]['deadline'])}前。", text)
        self.assertIn("（二）乙区污水处理厂协调供电公司完成电力迁改。责任单位：乙局", text)
        self.assertIn("2026年5月21日印发", text)
        self.assertIn("抄送：甲局、乙局。", text)

    def test_pages_download_and_scope(self):
        url = self.meeting.get_absolute_url()
        self.client.force_login(self.cast.office_admin)
        form = {"attendees": "领导甲", "summary": "听取汇报",
                "decision_text": ["事项一", "", "事项三"],
                "decision_unit": [str(self.cast.unit_a.pk), "", str(self.cast.unit_b.pk)],
                "decision_deadline": ["2026-06-01", "", "2026-06-30"]}
        self.client.post(f"{url}minutes/save/", form)
        minutes = MeetingMinutes.objects.get(meeting=self.meeting)
        self.assertEqual(list(minutes.decisions.values_list("order", "text", "unit__name")),
                         [(1, "事项一", "甲局"), (2, "事项三", "乙局")])
        page = self.client.get(url)
        self.assertContains(page, 'data-testid="minutes-form"')
        self.assertContains(page, "印发后交办")
        preview = self.client.get(f"{url}minutes.docx")  # the office's preview of the draft
        doc = Document(io.BytesIO(preview.content))
        self.assertIn("草稿", doc.sections[0].header.paragraphs[0].text)
        self.assertIn("（一）事项一。责任单位：甲局", "\n".join(p.text for p in doc.paragraphs))
        self.assertContains(self.client.get("/supervision/meetings/?when=all"), "草稿纪要")
        # The draft is the office's: a unit neither sees it nor downloads anything.
        self.client.force_login(self.cast.reporter_a)
        self.assertNotContains(self.client.get("/supervision/meetings/?when=all"), "纪要")
        self.assertNotContains(self.client.get(url), "事项一")
        self.assertEqual(self.client.get(f"{url}minutes.docx").status_code, 404)
        self.assertEqual(self.client.post(f"{url}minutes/issue/").status_code, 403)
        self.client.force_login(self.cast.office_admin)
        self.client.post(f"{url}minutes/issue/")  # not confirmed: nothing happens
        self.assertFalse(ActionItem.objects.filter(meeting=self.meeting).exists())
        self.client.post(f"{url}minutes/issue/", {"confirm": "1"})
        self.assertEqual(ActionItem.objects.filter(meeting=self.meeting).count(), 2)
        # Issued: every reader of the meeting reads it and downloads the .docx (audited).
        for member in ("reporter_a", "city_leader", "supervision"):
            with self.subTest(member=member):
                self.client.force_login(getattr(self.cast, member))
                self.assertContains(self.client.get("/supervision/meetings/?when=all"),
                                    "已印发纪要")
                page = self.client.get(url)
                self.assertContains(page, "事项一")
                self.assertNotContains(page, 'data-testid="minutes-form"')
                self.assertEqual(self.client.get(f"{url}minutes.docx").status_code, 200)
        from core.models import AuditEvent

        downloads = AuditEvent.objects.filter(event_type="file_download",
                                              object_type="supervision.MeetingMinutes")
        self.assertEqual(sorted(downloads.values_list("username", "detail__variant")), [
            ("leader", "docx"), ("office_admin", "draft-docx"), ("reporter_a", "docx"),
            ("supervision", "docx")])
        self.client.force_login(self.cast.office_admin)
        self.client.post(f"{url}minutes/save/", {**form, "summary": "改"})
        self.assertEqual(MeetingMinutes.objects.get(pk=minutes.pk).summary, "听取汇报")


    def test_a_decision_unit_that_is_not_an_id_names_the_row_instead_of_failing(self):
        """'²' passes isdigit() and then fails int() (it was a 500); '١' is a digit to
        int(). Neither is a unit: the row is refused by number and nothing is saved."""
        url = f"{self.meeting.get_absolute_url()}minutes/save/"
        self.client.force_login(self.cast.office_admin)
        for raw in ("²", "١", " 1", "x", "1" * 30):
            with self.subTest(unit=raw):
                response = self.client.post(url, {
                    "attendees": "领导甲", "summary": "听取汇报", "decision_text": ["事项一"],
                    "decision_unit": [raw], "decision_deadline": ["2026-06-01"]}, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "第1项议定事项没有责任单位")
        self.assertFalse(MeetingMinutes.objects.exists())

    def test_generating_meetings_for_a_plan_that_is_not_an_id_is_a_bad_request(self):
        self.client.force_login(self.cast.office_admin)
        for raw in ("²", "", "x"):
            with self.subTest(plan=raw):
                response = self.client.post("/supervision/meetings/", {"plan": raw})
                self.assertEqual(response.status_code, 400)
                self.assertIn("请选择工作计划", response.content.decode())

    def test_saving_again_rewrites_the_one_draft(self):
        first = self.save()
        second = self.save(summary="改过的概要", decisions=self.decisions[:1])
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(MeetingMinutes.objects.get().summary, "改过的概要")
        self.assertEqual(MinutesDecision.objects.filter(minutes=second).count(), 1)


@on_mid_may_2026
@unittest.skipUnless(POSTGRES,
                     "needs two real connections with row locks: PostgreSQL. SQLite's test "
                     "database is one in-memory connection and IMMEDIATE transactions let one "
                     "writer in at a time, so there is no race to test there.")
class ConcurrentFirstSaveTests(TransactionTestCase):
    """Two clerks saving the first draft of the same minutes at the same moment, each on
    their own connection: the meeting's row is locked first, so one creates the minutes and
    the other, once the first has committed, rewrites them (it used to insert a second row
    and fail on the unique meeting: a 500)."""

    def setUp(self):
        self.cast = build_cast()
        self.meeting = Meeting.objects.create(
            plan=self.cast.plan, kind=MeetingKind.MONTHLY_MEETING,
            date=timezone.localdate() - timedelta(days=1), start_time=time(15),
            title="月度工作例会", location="市政府第一会议室")

    def test_two_first_saves_at_once_both_end_well(self):
        deadline = timezone.localdate() + timedelta(days=10)
        drafts = {
            "甲": [{"text": "甲写的事项", "unit": self.cast.unit_a, "deadline": deadline}],
            "乙": [{"text": "乙写的事项一", "unit": self.cast.unit_b, "deadline": deadline},
                  {"text": "乙写的事项二", "unit": self.cast.unit_a, "deadline": deadline}],
        }
        barrier = threading.Barrier(len(drafts))
        saved, errors = {}, []

        def clerk(name):
            try:
                barrier.wait(timeout=30)
                minutes = do_save_minutes(self.meeting, attendees=f"{name}记录的参会人员",
                                          summary=f"{name}记录的概要", decisions=drafts[name],
                                          acting_user=self.cast.office_admin)
                saved[name] = minutes.pk
            except Exception as exc:  # reported below, with the thread's own traceback
                errors.append(repr(exc))
            finally:
                connections.close_all()  # this thread's connection

        threads = [threading.Thread(target=clerk, args=(name,)) for name in drafts]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        close_old_connections()
        self.assertEqual(errors, [])
        self.assertEqual(len(saved), 2)
        minutes = MeetingMinutes.objects.get(meeting=self.meeting)
        self.assertEqual(set(saved.values()), {minutes.pk})
        # The last save is the draft, whole: its summary with its own decisions, not a mix.
        last = minutes.summary[0]
        self.assertEqual(minutes.attendees, f"{last}记录的参会人员")
        self.assertEqual(list(minutes.decisions.order_by("order").values_list("text", flat=True)),
                         [d["text"] for d in drafts[last]])


class FrozenMinutesTests(MinutesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(timezone.now()):
            cls.minutes = do_issue_minutes(cls.save_for(cls), acting_user=cls.cast.office_admin)
        other = Meeting.objects.create(
            plan=cls.cast.plan, kind=MeetingKind.WEEKLY_DISPATCH,
            date=cls.meeting.date, start_time=time(9), title="每周工作调度会")
        cls.draft = do_save_minutes(other, attendees="a", summary="b", decisions=cls.decisions,
                                    acting_user=cls.cast.office_admin)

    @staticmethod
    def save_for(cls):
        return do_save_minutes(cls.meeting, attendees="领导甲", summary="听取汇报",
                               decisions=cls.decisions, acting_user=cls.cast.office_admin)

    def refused(self):
        return self.assertRaises(PermissionDenied)

    def test_the_minutes_refuse_save_update_and_delete(self):
        m = MeetingMinutes.objects.get(pk=self.minutes.pk)
        m.summary = "改"
        with self.refused():
            m.save()
        with self.refused():
            m.delete()
        with self.refused():
            MeetingMinutes.objects.filter(pk=m.pk).update(summary="改")
        with self.refused():
            MeetingMinutes.objects.all().delete()
        with self.refused():
            MeetingMinutes(pk=m.pk, meeting=m.meeting, summary="篡改").save()
        with self.refused():
            MeetingMinutes.objects.bulk_create([MeetingMinutes(pk=m.pk, meeting=m.meeting)],
                                               ignore_conflicts=True)
        self.assertEqual(MeetingMinutes.objects.get(pk=m.pk).summary, "听取汇报")
        self.assertEqual(MeetingMinutes.objects.filter(pk=self.draft.pk).update(summary="c"), 1)

    def test_its_decisions_refuse_every_write(self):
        d = self.minutes.decisions.first()
        d.text = "改"
        with self.refused():
            d.save()
        with self.refused():
            d.delete()
        with self.refused():
            MinutesDecision.objects.filter(pk=d.pk).update(text="改")
        with self.refused():
            MinutesDecision.objects.filter(minutes=self.minutes).remove_from_draft()
        with self.refused():
            MinutesDecision.objects.create(minutes=self.minutes, text="补一条", unit=d.unit,
                                           deadline=d.deadline)
        draft_decision = self.draft.decisions.first()
        with self.refused():  # nor moved into issued minutes
            MinutesDecision.objects.filter(pk=draft_decision.pk).update(minutes=self.minutes)
        self.assertEqual(self.minutes.decisions.count(), 2)

    def raw(self, sql, params):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    @unittest.skipUnless(POSTGRES, "the triggers are PostgreSQL's (migration 0012); SQLite relies "
                                   "on the model and queryset guards tested above")
    def test_raw_sql_is_refused_by_the_database(self):
        d = self.minutes.decisions.first()
        refused = [
            ("UPDATE supervision_meetingminutes SET summary = 'x' WHERE id = %s",
             [self.minutes.pk]),
            ("DELETE FROM supervision_meetingminutes WHERE id = %s", [self.minutes.pk]),
            ("UPDATE supervision_minutesdecision SET text = 'x' WHERE id = %s", [d.pk]),
            ("DELETE FROM supervision_minutesdecision WHERE id = %s", [d.pk]),
            ("INSERT INTO supervision_minutesdecision (minutes_id, \"order\", text, unit_id, "
             "deadline, created_at, updated_at) VALUES (%s, 9, 'x', %s, '2026-06-01', now(), "
             "now())", [self.minutes.pk, d.unit_id]),
            ("UPDATE supervision_minutesdecision SET minutes_id = %s WHERE id = %s",
             [self.minutes.pk, self.draft.decisions.first().pk]),
        ]
        for sql, params in refused:
            with self.subTest(sql=sql.split(" WHERE")[0]), self.assertRaises(DatabaseError):
                self.raw(sql, params)
        self.raw("UPDATE supervision_meetingminutes SET summary = 'x' WHERE id = %s",
                 [self.draft.pk])
        self.raw("UPDATE supervision_minutesdecision SET text = 'x' WHERE minutes_id = %s",
                 [self.draft.pk])
        self.assertEqual(MeetingMinutes.objects.get(pk=self.draft.pk).summary, "x")
        self.assertEqual(MeetingMinutes.objects.get(pk=self.minutes.pk).summary, "听取汇报")
