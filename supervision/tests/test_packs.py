"""会议材料: generated from the period's data, editable as a draft, frozen when issued."""

import io
from datetime import time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document

from projects import engine
from projects.actions import do_submit_report
from projects.models import Project
from supervision import actions
from supervision.choices import MeetingKind, MeetingStatus
from supervision.models import Meeting
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class PackTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        today = timezone.localdate()
        cls.meeting = Meeting.objects.create(
            plan=cls.cast.plan, kind=MeetingKind.QUARTERLY_ONSITE, date=today, start_time=time(9),
            title="季度现场推进会", location="项目现场")
        do_submit_report(cls.ledger.project_b, acting_user=cls.cast.reporter_b,
                         investment_period=Decimal("10"), progress_percent=5,
                         problems=[("电力迁改滞后", "供电公司")])

    def test_pack_contents_and_freeze(self):
        with self.assertRaises(PermissionDenied):
            actions.do_generate_pack(self.meeting, acting_user=self.cast.reporter_a)
        pack = actions.do_generate_pack(self.meeting, acting_user=self.cast.office_admin)
        c = pack.content
        self.assertEqual({r["project"] for r in c["changed"]},
                         {"甲路综合改造工程", "乙区污水处理厂", "丙街道老旧小区改造"})
        self.assertEqual(c["problems"][0]["problem"], "电力迁改滞后")
        self.assertEqual([s["project"] for s in c["route"]], ["甲路综合改造工程"])  # located
        actions.do_edit_pack(pack, notes="要求各单位月底前追回进度", acting_user=self.cast.office_admin)
        actions.do_issue_pack(pack, acting_user=self.cast.office_admin)
        frozen = dict(pack.content)
        # Data changes after the issue: a catching-up report, a recompute ...
        do_submit_report(self.ledger.project_a, acting_user=self.cast.reporter_a,
                         investment_period=Decimal("1150"), progress_percent=40)
        engine.recompute(Project.objects.all())
        pack.refresh_from_db()
        self.assertEqual(pack.content, frozen)  # ... the issued pack does not move
        with self.assertRaises(ValidationError):
            actions.do_generate_pack(self.meeting, acting_user=self.cast.office_admin)
        with self.assertRaises(ValidationError):
            actions.do_edit_pack(pack, notes="x", acting_user=self.cast.office_admin)
        doc = Document(io.BytesIO(pack.docx.open("rb").read()))
        text = "\n".join(p.text for p in doc.paragraphs)
        self.assertIn("季度现场推进会会议材料", text)
        self.assertIn("七、现场观摩路线", text)
        self.assertIn("要求各单位月底前追回进度", text)

    def test_pages(self):
        self.client.force_login(self.cast.office_admin)
        url = f"/supervision/meetings/{self.meeting.pk}/"
        self.client.post(f"{url}pack/generate/")
        page = self.client.get(url)
        self.assertContains(page, "一、总体情况")
        self.assertContains(page, "三、亮灯转差的项目")
        self.assertContains(page, "<svg")  # the route map of the on-site meeting
        self.client.post(f"{url}pack/issue/")
        self.assertEqual(self.client.get(f"{url}pack.docx").status_code, 200)
        self.client.force_login(self.cast.reporter_a)
        self.assertEqual(self.client.post(f"{url}pack/generate/").status_code, 403)
        self.assertContains(self.client.get(url), "已印发")

    def test_period_runs_from_the_previous_meeting(self):
        from supervision.packs import pack_period

        earlier = Meeting.objects.create(
            plan=self.cast.plan, kind=MeetingKind.QUARTERLY_ONSITE, title="上季度",
            date=self.meeting.date - timedelta(days=90), start_time=time(9))
        self.assertEqual(pack_period(self.meeting),
                         (earlier.date + timedelta(days=1), self.meeting.date))


@on_mid_may_2026
class PackPeriodTests(CastTestCase):
    def test_a_cancelled_meeting_does_not_end_the_previous_period(self):
        from supervision.packs import pack_period

        today = timezone.localdate()
        kind = dict(plan=self.cast.plan, kind=MeetingKind.MONTHLY_MEETING, start_time=time(15),
                    title="月度工作例会")
        held = Meeting.objects.create(date=today - timedelta(days=60), **kind)
        cancelled = Meeting.objects.create(date=today - timedelta(days=30), **kind)
        meeting = Meeting.objects.create(date=today + timedelta(days=2), **kind)
        # (a past meeting can no longer be cancelled through the action: set it directly)
        Meeting.objects.filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED)
        self.assertEqual(pack_period(meeting), (held.date + timedelta(days=1), meeting.date))
        with self.assertRaises(ValidationError):
            actions.do_generate_pack(Meeting.objects.get(pk=cancelled.pk),
                                     acting_user=self.cast.office_admin)
