"""督查通报: drafted from data, issued as a frozen 公文 (.docx, PDF), rectified by units."""

import io
import shutil
import subprocess
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document

from supervision import actions
from supervision.models import Bulletin, Rectification
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class BulletinTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # three red projects (no reports yet)
        today = timezone.localdate()
        cls.period = (today - timedelta(days=7), today)

    def draft(self, user=None):
        return actions.do_draft_bulletin(period_start=self.period[0], period_end=self.period[1],
                                         acting_user=user or self.cast.supervision)

    def issue(self, bulletin):
        return actions.do_issue_bulletin(
            bulletin, rectification_deadline=timezone.localdate() + timedelta(days=10),
            acting_user=self.cast.supervision)

    def test_the_draft_names_units_with_the_facts(self):
        bulletin = self.draft()
        lines = {(line.section, line.unit.name): line for line in bulletin.lines.all()}
        red_b = lines[("red_projects", "乙局")]
        self.assertIn("红灯项目2个", red_b.text)
        self.assertEqual(set(red_b.facts["projects"]),
                         {self.ledger.project_b.pk, self.ledger.project_shared.pk})
        self.assertIn(("red_projects", "甲局"), lines)
        self.client.force_login(self.cast.supervision)
        page = self.client.get(bulletin.get_absolute_url())
        self.assertContains(page, f'href="{self.ledger.project_b.get_absolute_url()}"')

    def test_only_the_bureau_drafts_and_issues(self):
        for user in (self.cast.office_admin, self.cast.reporter_a, self.cast.city_leader):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.draft(user)
        bulletin = self.draft()
        with self.assertRaises(PermissionDenied):
            actions.do_issue_bulletin(bulletin, acting_user=self.cast.office_admin,
                                      rectification_deadline=timezone.localdate() + timedelta(5))

    def test_issue_numbers_and_freezes(self):
        first = self.issue(self.draft())
        second = self.issue(self.draft())
        year = timezone.localdate().year
        self.assertEqual((first.number_label, second.number_label),
                         (f"示督通〔{year}〕1号", f"示督通〔{year}〕2号"))
        docx_before = first.docx.open("rb").read()
        # The data changes: a report arrives, the project is no longer red ...
        from projects.actions import do_submit_report

        do_submit_report(self.ledger.project_a, acting_user=self.cast.reporter_a,
                         investment_period=Decimal("1150"), progress_percent=30)
        first.refresh_from_db()
        # ... but the issued bulletin, its lines and its documents do not.
        self.assertTrue(any("甲局" in line.text for line in first.lines.all()))
        self.assertEqual(first.docx.open("rb").read(), docx_before)
        with self.assertRaises(ValidationError):
            actions.do_edit_bulletin(first, title="改", acting_user=self.cast.supervision)
        first.title = "改"
        with self.assertRaises(PermissionDenied):
            first.save()
        self.assertEqual(set(Rectification.objects.filter(bulletin=first)
                             .values_list("unit__name", flat=True)), {"甲局", "乙局"})

    def test_docx_has_the_gbt9704_page_setup(self):
        bulletin = self.issue(self.draft())
        doc = Document(io.BytesIO(bulletin.docx.open("rb").read()))
        section = doc.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
        self.assertEqual([round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                                section.left_margin, section.right_margin)],
                         [37, 35, 28, 26])
        texts = [p.text for p in doc.paragraphs]
        self.assertIn("示范市人民政府督查局文件", texts[0])
        self.assertIn(bulletin.number_label, texts)
        title = next(p for p in doc.paragraphs if p.text == bulletin.title)
        self.assertEqual(title.runs[0].font.size.pt, 22)  # 2号
        body = next(p for p in doc.paragraphs if "红灯项目" in p.text)
        self.assertEqual(body.runs[0].font.size.pt, 16)   # 3号
        self.assertEqual(body.paragraph_format.line_spacing.pt, 28.95)  # 22 lines a page
        footer = section.footer.paragraphs[0]
        self.assertIn("— ", footer.text)
        self.assertEqual(footer.runs[0].font.size.pt, 14)  # 4号 page numbers
        self.assertTrue(doc.settings.odd_and_even_pages_header_footer)

    def test_pdf_renders_chinese(self):
        bulletin = self.issue(self.draft())
        data = bulletin.pdf.open("rb").read()
        self.assertTrue(data.startswith(b"%PDF-"))
        if shutil.which("pdftotext") is None:
            self.fail("poppler-utils (pdftotext) is missing: scripts/test installs it")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b.pdf"
            path.write_bytes(data)
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout
        self.assertIn("示范市人民政府督查局文件", text)
        self.assertIn("红灯项目", text)

    def test_units_see_only_bulletins_naming_them_and_rectify_their_own(self):
        bulletin = self.issue(self.draft())
        draft = self.draft()
        self.client.force_login(self.cast.reporter_a)
        listed = set(self.client.get("/supervision/bulletins/").context["object_list"])
        self.assertEqual(listed, {bulletin})  # drafts stay with the bureau
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        page = self.client.get(bulletin.get_absolute_url())
        self.assertEqual([r.unit.name for r in page.context["rectifications"]], ["甲局"])
        rect_b = Rectification.objects.get(bulletin=bulletin, unit=self.cast.unit_b)
        self.assertEqual(self.client.post(f"/supervision/rectifications/{rect_b.pk}/submit/",
                                          {"text": "冒名反馈"}).status_code, 404)
        rect_a = Rectification.objects.get(bulletin=bulletin, unit=self.cast.unit_a)
        self.client.post(f"/supervision/rectifications/{rect_a.pk}/submit/",
                         {"text": "已制定整改方案，月底前完成"})
        rect_a.refresh_from_db()
        self.assertEqual((rect_a.status, rect_a.on_time), ("submitted", True))
        with self.assertRaises(PermissionDenied):
            actions.do_review_rectification(rect_a, accept=True, acting_user=self.cast.reporter_a)
        actions.do_review_rectification(rect_a, accept=False, note="措施不具体",
                                        acting_user=self.cast.supervision)
        actions.do_submit_rectification(rect_a, text="补充了责任人和时间表",
                                        acting_user=self.cast.head_a)
        actions.do_review_rectification(rect_a, accept=True, acting_user=self.cast.supervision)
        rect_a.refresh_from_db()
        self.assertEqual(rect_a.status, "accepted")

    def test_documents_download_audited_and_scoped(self):
        from core.models import AuditEvent

        bulletin = self.issue(self.draft())
        self.client.force_login(self.cast.reporter_b)
        response = self.client.get(f"/supervision/bulletins/{bulletin.pk}/file.docx")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(event_type="file_download", username="reporter_b")
                        .exists())
        self.client.force_login(self.cast.citizen)
        self.assertEqual(self.client.get(f"/supervision/bulletins/{bulletin.pk}/file.pdf")
                         .status_code, 404)
        self.assertEqual(Bulletin.objects.count(), 1)
