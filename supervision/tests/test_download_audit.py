"""Every download of a meeting pack or bulletin is in the audit trail (issue 17 item 8)."""

from datetime import time, timedelta

from django.utils import timezone

from core.models import AuditEvent
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import Meeting
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class DownloadAuditTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def downloads(self, obj):
        return list(AuditEvent.objects.filter(
            event_type="file_download", object_type=obj._meta.label,
            object_id=str(obj.pk)).values_list("username", "detail__variant"))

    def test_the_meeting_pack_download_is_audited(self):
        today = timezone.localdate()
        meeting = Meeting.objects.create(plan=self.cast.plan, kind=MeetingKind.WEEKLY_DISPATCH,
                                         date=today, start_time=time(9), title="周调度会")
        pack = actions.do_generate_pack(meeting, acting_user=self.cast.office_admin)
        actions.do_issue_pack(pack, acting_user=self.cast.office_admin)
        for user in (self.cast.office_admin, self.cast.reporter_a):
            self.client.force_login(user)
            response = self.client.get(f"/supervision/meetings/{meeting.pk}/pack.docx")
            self.assertEqual(response.status_code, 200)
        self.assertEqual(sorted(self.downloads(pack)),
                         [("office_admin", "docx"), ("reporter_a", "docx")])

    def test_both_bulletin_documents_downloads_are_audited(self):
        today = timezone.localdate()
        bulletin = actions.do_draft_bulletin(period_start=today - timedelta(days=7),
                                             period_end=today, acting_user=self.cast.supervision)
        actions.do_issue_bulletin(bulletin, rectification_deadline=today + timedelta(days=10),
                                  acting_user=self.cast.supervision)
        self.client.force_login(self.cast.city_leader)
        for kind in ("docx", "pdf"):
            response = self.client.get(f"/supervision/bulletins/{bulletin.pk}/file.{kind}")
            self.assertEqual(response.status_code, 200)
        self.assertEqual(sorted(self.downloads(bulletin)), [("leader", "docx"), ("leader", "pdf")])
