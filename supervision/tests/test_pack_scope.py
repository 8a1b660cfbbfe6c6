"""Meeting packs by reader: drafts only for the office and the bureau; an issued pack read in
the reader's own part (page and .docx), every download audited (issue 9 item 4).

The cast's part of the pack, row by row (ledger_cast: project_a is unit A's with leader L,
project_b unit B's, project_shared unit B's with unit A cooperating; only project_a is
located, so only it is on the on-site route):

- the office (admin, staff) and the bureau: the whole pack;
- unit A (reporter, head): project_a and project_shared, unit A's action item;
- unit B: project_b and project_shared, project_b's problem, unit B's action item;
- city leader L (分包 unit A, leads project_a): project_a and unit A's action item —
  a leader reads their 分包's part, as they read the ledger (SPEC: "own assignments, read").
"""

import io
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone
from docx import Document

from core.models import AuditEvent
from projects.actions import do_submit_report
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import Meeting, MeetingPack
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

WHOLE_READERS = ("office_admin", "office_staff", "supervision")


@on_mid_may_2026
class PackScopeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.ledger = build_ledger(c)
        today = timezone.localdate()
        cls.meeting = Meeting.objects.create(
            plan=c.plan, kind=MeetingKind.QUARTERLY_ONSITE, date=today, start_time=time(9),
            title="季度现场推进会", location="项目现场")
        do_submit_report(cls.ledger.project_b, acting_user=c.reporter_b,
                         investment_period=Decimal("10"), progress_percent=5,
                         problems=[("电力迁改滞后", "供电公司")])
        for unit, title in ((c.unit_a, "甲局事项"), (c.unit_b, "乙局事项")):
            actions.do_create_action_item(title=title, unit=unit, acting_user=c.office_admin,
                                          deadline=today + timedelta(days=5))
        cls.pack = actions.do_generate_pack(cls.meeting, acting_user=c.office_admin)

    def expected(self):
        ledger = self.ledger
        a, b, shared = "甲路综合改造工程", "乙区污水处理厂", "丙街道老旧小区改造"
        whole = {"changed": {a, b, shared}, "problems": {"电力迁改滞后"},
                 "items": {"甲局事项", "乙局事项"}, "route": {a}}
        unit_a = {"changed": {a, shared}, "problems": set(), "items": {"甲局事项"}, "route": {a}}
        assert ledger.project_a.name == a
        return {
            "office_admin": whole, "office_staff": whole, "supervision": whole,
            "reporter_a": unit_a, "head_a": unit_a,
            "reporter_b": {"changed": {b, shared}, "problems": {"电力迁改滞后"},
                           "items": {"乙局事项"}, "route": set()},
            "city_leader": {"changed": {a}, "problems": set(), "items": {"甲局事项"},
                            "route": {a}},
        }

    @staticmethod
    def names(content):
        return {"changed": {r["project"] for r in content["changed"]},
                "problems": {r["problem"] for r in content["problems"]},
                "items": {r["title"] for r in content["items"]},
                "route": {r["project"] for r in content.get("route", [])}}

    def url(self, tail=""):
        return f"/supervision/meetings/{self.meeting.pk}/{tail}"

    def test_a_draft_is_seen_by_the_office_and_the_bureau_only(self):
        for member in self.expected():
            user = getattr(self.cast, member)
            with self.subTest(member=member):
                self.client.force_login(user)
                page = self.client.get(self.url())
                whole = member in WHOLE_READERS
                self.assertEqual(page.context["pack"], self.pack if whole else None)
                self.assertEqual(set(MeetingPack.objects.visible_to(user)),
                                 {self.pack} if whole else set())
                if not whole:
                    self.assertNotContains(page, "电力迁改滞后")
                    self.assertNotContains(page, "草稿")
                    listed = self.client.get("/supervision/meetings/")
                    self.assertNotContains(listed, "草稿材料")
                self.assertEqual(self.client.get(self.url("pack.docx")).status_code, 404)
        self.client.force_login(self.cast.citizen)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_an_issued_pack_is_read_in_the_readers_own_part(self):
        actions.do_issue_pack(self.pack, acting_user=self.cast.office_admin)
        for member, want in self.expected().items():
            user = getattr(self.cast, member)
            with self.subTest(member=member):
                self.client.force_login(user)
                page = self.client.get(self.url())
                self.assertEqual(self.names(page.context["content"]), want)
                hidden = {n for part in self.expected()["office_admin"].values() for n in part} \
                    - {n for part in want.values() for n in part}
                for name in hidden:
                    self.assertNotContains(page, name)
                # The Word file: the frozen one for the whole pack, the reader's part otherwise.
                response = self.client.get(self.url("pack.docx"))
                self.assertEqual(response.status_code, 200)
                text = "\n".join(p.text for p in Document(io.BytesIO(
                    b"".join(response.streaming_content) if response.streaming
                    else response.content)).paragraphs)
                for name in {n for part in want.values() for n in part}:
                    self.assertIn(name, text)
                for name in hidden:
                    self.assertNotIn(name, text)
                self.assertEqual("涉及" in text, member not in WHOLE_READERS)
        audited = AuditEvent.objects.filter(event_type="file_download", object_id=str(self.pack.pk),
                                            object_type="supervision.MeetingPack")
        self.assertEqual(sorted(audited.values_list("username", flat=True)),
                         sorted(getattr(self.cast, m).username for m in self.expected()))
        self.assertEqual(audited.get(username="reporter_a").detail["part"], "甲局")

    def test_a_pack_issued_before_rows_named_their_units_shows_units_nothing(self):
        from supervision.packs import part_for

        content = {"changed": [{"project": "旧项目", "unit": "甲局"}], "notes": "x"}
        self.assertEqual(part_for(content, self.cast.reporter_a)["changed"], [])
        self.assertEqual(part_for(content, self.cast.supervision), content)

    def test_a_part_keeps_the_meeting_as_issued_after_a_move(self):
        from core.dates import cn_date

        actions.do_issue_pack(self.pack, acting_user=self.cast.office_admin)
        issued_day = self.meeting.date
        actions.do_move_meeting(self.meeting, date=issued_day + timedelta(days=7),
                                reason="与市政府常务会冲突", acting_user=self.cast.office_admin)
        self.client.force_login(self.cast.reporter_a)
        response = self.client.get(self.url("pack.docx"))
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn(cn_date(issued_day), text)
        self.assertNotIn(cn_date(issued_day + timedelta(days=7)), text)
        self.assertIn(f"pack-{issued_day:%Y%m%d}", response["Content-Disposition"])
