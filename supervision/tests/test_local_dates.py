"""Every date a person reads is the local day: documents issued, exports written and audit
rows shown at 01:30 in Beijing (still the day before in UTC) carry the Beijing day."""

import io
from datetime import datetime, time

import time_machine
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from core.models import AuditEvent
from projects.ledger_export import export_queryset
from projects.models import Project
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import Meeting
from tests.base import SHANGHAI, CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

EARLY_MORNING = datetime(2026, 11, 29, 1, 30, tzinfo=SHANGHAI)


@on_mid_may_2026
class LocalDayTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_a_pack_issued_at_half_past_one_is_dated_that_day(self):
        meeting = Meeting.objects.create(
            plan=self.cast.plan, kind=MeetingKind.MONTHLY_MEETING, date=timezone.localdate(),
            start_time=time(9), title="月度工作例会")
        office = self.cast.office_admin
        pack = actions.do_generate_pack(meeting, acting_user=office)
        with time_machine.travel(EARLY_MORNING, tick=False):
            pack = actions.do_issue_pack(pack, acting_user=office)
        texts = [p.text for p in Document(io.BytesIO(pack.docx.open("rb").read())).paragraphs]
        self.assertIn("2026年11月29日印发", texts)
        self.assertIn("2026年5月20日", texts[1])  # the meeting day, written the same way

    def test_the_ledger_export_is_dated_the_local_day(self):
        with time_machine.travel(EARLY_MORNING, tick=False):
            data = export_queryset(Project.objects.all(), title="项目台账")
        title = load_workbook(io.BytesIO(data)).active["A1"].value
        self.assertEqual(title, "项目台账（截至2026年11月29日）")

    def test_an_audit_row_reads_in_local_time(self):
        event = AuditEvent(time=EARLY_MORNING, username="duchaju", event_type="login")
        self.assertTrue(str(event).startswith("2026-11-29 01:30:00 duchaju"))
