"""The issued 督查通报 read back as the files people receive: the .docx with python-docx, the
PDF with poppler (pdftotext, pdftoppm) — 公文 elements, local 成文日期, the 28 × 22 grid."""

import io
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path

import time_machine
from django.test import override_settings
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from projects import actions as project_actions
from supervision import actions
from supervision.bulletins import (
    CHAR_PITCH_PT,
    CHARS_PER_LINE,
    LINE_PITCH_PT,
    LINES_PER_PAGE,
    MARGINS_MM,
    PT_PER_MM,
)
from tests.base import SHANGHAI, CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

# 01:30 in Beijing on 29 November 2026: still 28 November in UTC.
EARLY_MORNING = datetime(2026, 11, 29, 1, 30, tzinfo=SHANGHAI)
# A paragraph of body text with no punctuation, so no line-breaking rule moves a character:
# every full line of it holds exactly as many characters as the grid allows.
PLAIN = "各被通报单位要高度重视逐项分析原因制定整改措施明确责任人和完成时限" * 6


def pdf_pages(data: bytes) -> list[list[dict]]:
    """Each page's text lines from pdftotext -bbox-layout: text, top (pt), left (pt)."""
    if shutil.which("pdftotext") is None:
        raise AssertionError("poppler-utils (pdftotext) is missing: scripts/test installs it")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.pdf"
        path.write_bytes(data)
        xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"],
                               capture_output=True, text=True, check=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(xhtml)
    pages = []
    for page in root.iter(f"{{{ns['x']}}}page"):
        lines = []
        for line in page.iter(f"{{{ns['x']}}}line"):
            words = list(line.iter(f"{{{ns['x']}}}word"))
            lines.append({"text": "".join(w.text or "" for w in words),
                          "top": float(line.get("yMin")), "left": float(line.get("xMin")),
                          "right": float(line.get("xMax"))})
        pages.append(lines)
    return pages


def docx_texts(data: bytes) -> tuple[Document, list[str]]:
    doc = Document(io.BytesIO(data))
    return doc, [p.text for p in doc.paragraphs]


@on_mid_may_2026
class BulletinDocumentTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # three red projects (no reports yet)
        today = timezone.localdate()
        cls.late = project_actions.do_add_milestone(
            cls.ledger.project_b, name="设备安装调试", planned_date=today - timedelta(days=20))
        cls.period = (today - timedelta(days=7), today)

    def draft(self):
        return actions.do_draft_bulletin(period_start=self.period[0], period_end=self.period[1],
                                         acting_user=self.cast.supervision)

    def issue(self, bulletin, deadline=None):
        return actions.do_issue_bulletin(
            bulletin, rectification_deadline=deadline or timezone.localdate() + timedelta(10),
            acting_user=self.cast.supervision)

    def long_draft(self, paragraphs=8):
        """A draft whose lines are long plain paragraphs: several full pages of body text."""
        bulletin = self.draft()
        texts = {line.pk: PLAIN for line in bulletin.lines.all()}
        extra = "\n".join([PLAIN] * paragraphs)
        actions.do_edit_bulletin(bulletin, acting_user=self.cast.supervision, line_texts=texts,
                                 requirements=extra)
        return bulletin

    # --- the .docx -----------------------------------------------------------------

    @override_settings(BULLETIN_ISSUER="测试市城市建设督查局", BULLETIN_MASTHEAD="测试市城市建设督查局文件",
                       BULLETIN_CODE="测督通", BULLETIN_RECIPIENTS=[])
    def test_docx_carries_every_element_of_the_gongwen_in_order(self):
        bulletin = self.issue(self.draft())
        doc, texts = docx_texts(bulletin.docx.open("rb").read())
        year = timezone.localdate().year
        filled = [(i, t) for i, t in enumerate(texts) if t]
        order = [t for _, t in filled]
        # 发文机关标志 (red), 发文字号 over the red rule, 标题, 主送机关, 正文, 署名, 成文日期.
        self.assertEqual(order[:4], ["测试市城市建设督查局文件", f"测督通〔{year}〕1号", bulletin.title,
                                     "乙局、甲局："])
        self.assertEqual(order[-2:], ["测试市城市建设督查局", "2026年5月20日"])
        masthead = doc.paragraphs[filled[0][0]]
        self.assertEqual(str(masthead.runs[0].font.color.rgb), "FF0000")
        number = doc.paragraphs[filled[1][0]]
        rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
        self.assertEqual((rule.get(qn("w:val")), rule.get(qn("w:color"))), ("single", "FF0000"))
        title = doc.paragraphs[filled[2][0]]
        self.assertEqual(title.runs[0].font.size.pt, 22)  # 2号
        # Overdue milestones by name with their planned dates, not as a count.
        self.assertIn("1. 乙区污水处理厂“设备安装调试”，计划2026年4月30日完成，已超期20天。", texts)
        # The record says what the file says.
        self.assertEqual((bulletin.issuer, bulletin.recipients, bulletin.number_label),
                         ("测试市城市建设督查局", "乙局、甲局：", f"测督通〔{year}〕1号"))

    def test_docx_page_is_the_28_by_22_grid(self):
        bulletin = self.issue(self.draft())
        doc, texts = docx_texts(bulletin.docx.open("rb").read())
        section = doc.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
        margins = [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                         section.left_margin, section.right_margin)]
        self.assertEqual(margins, [37, 35, 28, 26])  # 版心 156 × 225 mm
        grid = section._sectPr.find(qn("w:docGrid"))
        self.assertEqual(grid.get(qn("w:type")), "linesAndChars")
        line_pitch, char_space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
        self.assertEqual((line_pitch, char_space), (579, -849))
        # What Word makes of it: characters per line from the Normal size plus charSpace
        # (ECMA-376 17.6.5), lines per page from the line pitch.
        normal_pt = doc.styles["Normal"].font.size.pt
        self.assertEqual(normal_pt, 16)  # 3号
        text_width_pt = section.page_width.pt - section.left_margin.pt - section.right_margin.pt
        text_height_pt = section.page_height.pt - section.top_margin.pt - section.bottom_margin.pt
        self.assertEqual(int(text_width_pt / (normal_pt + char_space / 4096)), 28)
        self.assertEqual(int(text_height_pt / (line_pitch / 20)), 22)
        body = next(p for p in doc.paragraphs if "红灯项目2个" in p.text)
        self.assertEqual(body.runs[0].font.size.pt, 16)
        self.assertEqual(body.paragraph_format.line_spacing.pt, line_pitch / 20)
        footer = section.footer.paragraphs[0]
        self.assertEqual((footer.text[:2], footer.runs[0].font.size.pt), ("— ", 14))  # 4号
        self.assertTrue(doc.settings.odd_and_even_pages_header_footer)

    def test_docx_keeps_the_signature_with_the_last_paragraph(self):
        bulletin = self.issue(self.draft())
        doc, _ = docx_texts(bulletin.docx.open("rb").read())
        paragraphs = doc.paragraphs
        last_body = next(i for i, p in enumerate(paragraphs) if p.text.startswith("请被通报单位于"))
        # Last paragraph, the blank line, the 署名: each kept with the next, down to the date.
        self.assertEqual([p.text for p in paragraphs[last_body + 2:]],
                         ["示范市人民政府督查局", "2026年5月20日"])
        for p in paragraphs[last_body:-1]:
            self.assertTrue(p.paragraph_format.keep_with_next, p.text)
            self.assertTrue(p.paragraph_format.keep_together, p.text)
        # Headings stay with what follows them.
        heading = next(p for p in paragraphs if p.text == "一、红灯项目")
        self.assertTrue(heading.paragraph_format.keep_with_next)

    # --- the PDF -----------------------------------------------------------------------

    @override_settings(BULLETIN_ISSUER="测试市城市建设督查局", BULLETIN_MASTHEAD="测试市城市建设督查局文件",
                       BULLETIN_CODE="测督通", SITE_URL="https://cj.example.gov.cn")
    def test_pdf_carries_the_same_gongwen(self):
        bulletin = self.issue(self.draft())
        data = bulletin.pdf.open("rb").read()
        lines = [line["text"] for page in pdf_pages(data) for line in page]
        year = timezone.localdate().year
        self.assertEqual(lines[:3], ["测试市城市建设督查局文件", f"测督通〔{year}〕1号",
                                     "关于2026年5月13日至5月20日高品质城市建"])
        self.assertIn("乙局、甲局：", lines)
        self.assertLess(lines.index("乙局、甲局："), lines.index("一、红灯项目"))
        text = "".join(lines)
        self.assertIn("乙区污水处理厂“设备安装调试”，计划2026年4月30日完成，已超期20天。", text)
        body = [t for t in lines if not t.startswith("—")]
        # 署名 and 成文日期, then the 版记 at the foot of the page (印发机关 = the issuer).
        self.assertEqual(body[-4:], ["测试市城市建设督查局", "2026年5月20日",
                                     "测试市城市建设督查局", "2026年5月20日印发"])
        # The milestone links to its project at the configured address.
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b.pdf"
            path.write_bytes(data)
            xml = subprocess.run(["pdftohtml", "-xml", "-stdout", "-i", str(path)],
                                 capture_output=True, text=True, check=True).stdout
        self.assertIn(f'href="https://cj.example.gov.cn/projects/{self.ledger.project_b.pk}/"',
                      xml)

    def test_pdf_masthead_and_rule_are_red(self):
        from PIL import Image

        bulletin = self.issue(self.draft())
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b.pdf"
            path.write_bytes(bulletin.pdf.open("rb").read())
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path),
                            str(Path(tmp) / "p")], check=True)
            image = Image.open(next(Path(tmp).glob("p*.png"))).convert("RGB")
        width, height = image.size

        def red_rows():
            rows = set()
            for y in range(height // 2):
                for x in range(0, width, 2):
                    r, g, b = image.getpixel((x, y))
                    if r > 180 and g < 90 and b < 90:
                        rows.add(y)
                        break
            return sorted(rows)

        rows = red_rows()
        self.assertTrue(rows, "no red on the upper half of page 1")
        # Two red bands: the masthead, then (after the 发文字号) the thin separator line.
        bands = [[rows[0]]]
        for y in rows[1:]:
            (bands[-1] if y - bands[-1][-1] <= 2 else bands.append([y]) or bands[-1]).append(y)
        self.assertEqual(len(bands), 2, bands)
        self.assertLessEqual(bands[1][-1] - bands[1][0], 2)  # a line, not text
        # The masthead starts 35 mm below the top of the 版心 (37 + 35 mm from the edge).
        self.assertAlmostEqual(bands[0][0] / 60 * 25.4, 72, delta=4)

    def test_pdf_page_is_the_28_by_22_grid(self):
        bulletin = self.issue(self.long_draft())
        pages = pdf_pages(bulletin.pdf.open("rb").read())
        self.assertGreaterEqual(len(pages), 4)
        left_pt = MARGINS_MM["left"] * PT_PER_MM
        right_pt = (210 - MARGINS_MM["right"]) * PT_PER_MM
        plain = set(PLAIN)
        full = [line for page in pages for line in page
                if set(line["text"]) <= plain and abs(line["left"] - left_pt) < 1]
        # A line of body text starting at the margin holds 28 characters and no more.
        self.assertGreater(len(full), 40)
        self.assertEqual(max(len(line["text"]) for line in full), CHARS_PER_LINE)
        self.assertGreater(sum(len(line["text"]) == CHARS_PER_LINE for line in full), 30)
        self.assertTrue(all(line["right"] <= right_pt + 1 for line in full))
        # A first line, indented two characters, holds 26.
        indented = [line for page in pages for line in page
                    if set(line["text"]) <= plain
                    and abs(line["left"] - left_pt - 2 * CHAR_PITCH_PT) < 1]
        self.assertEqual(max(len(line["text"]) for line in indented), CHARS_PER_LINE - 2)
        # Pages of body text: 22 lines, 28.95 pt apart; none holds more.
        counts = []
        for page in pages[1:-1]:
            body = sorted(line["top"] for line in page if not line["text"].startswith("—"))
            counts.append(len(body))
            gaps = [round(b - a, 2) for a, b in zip(body, body[1:], strict=False)]
            # (a 黑体 heading's glyph box sits a tenth of a point off its line; its line doesn't)
            self.assertTrue(all(abs(g - LINE_PITCH_PT) < 0.3 for g in gaps), gaps)
        self.assertEqual(max(counts), LINES_PER_PAGE, counts)

    def test_pdf_keeps_the_signature_with_the_last_paragraph(self):
        # However the body falls, the page with the 署名 and date also carries the end of
        # the last paragraph; a heading never ends a page.
        for paragraphs in (5, 6, 7):
            with self.subTest(paragraphs=paragraphs):
                bulletin = self.long_draft(paragraphs)
                # Rendered, not issued: nothing is stored.
                bulletin.issued_at = timezone.now()
                bulletin.rectification_deadline = timezone.localdate() + timedelta(10)
                from supervision.bulletins import render_pdf

                pages = pdf_pages(render_pdf(bulletin))
                signed = next(p for p in pages if any(line["text"] == "示范市人民政府督查局"
                                                      for line in p))
                self.assertTrue(any(line["text"].startswith("请被通报单位于") for line in signed))
                for page in pages:
                    body = [line["text"] for line in page if not line["text"].startswith("—")]
                    self.assertFalse(re.match(r"^[一二三四五六七八九十]、", body[-1]), body[-1])

    # --- the local date ---------------------------------------------------------------

    def test_issued_at_half_past_one_is_dated_that_day_in_both_files(self):
        bulletin = self.draft()
        with time_machine.travel(EARLY_MORNING, tick=False):
            self.assertEqual(timezone.now().date(), date(2026, 11, 28))  # UTC is still behind
            bulletin = self.issue(bulletin, deadline=date(2026, 12, 9))
        _, texts = docx_texts(bulletin.docx.open("rb").read())
        self.assertEqual(texts[-1], "2026年11月29日")
        pdf_text = "".join(line["text"] for page in pdf_pages(bulletin.pdf.open("rb").read())
                           for line in page)
        self.assertIn("2026年11月29日", pdf_text)
        self.assertNotIn("2026年11月28日", pdf_text)
        self.client.force_login(self.cast.supervision)
        self.assertContains(self.client.get(bulletin.get_absolute_url()),
                            "2026年11月29日 01:30 印发")

    def test_new_years_morning_numbers_in_the_new_year(self):
        first = self.issue(self.draft())
        with time_machine.travel(datetime(2027, 1, 1, 1, 30, tzinfo=SHANGHAI), tick=False):
            bulletin = self.issue(self.draft(), deadline=date(2027, 1, 11))
        self.assertEqual((first.year, bulletin.year, bulletin.number), (2026, 2027, 1))
        self.assertEqual(bulletin.number_label, "示督通〔2027〕1号")
        _, texts = docx_texts(bulletin.docx.open("rb").read())
        self.assertEqual(texts[-1], "2027年1月1日")

    # --- 主送 and the page --------------------------------------------------------------

    @override_settings(BULLETIN_RECIPIENTS=["各区人民政府", "市直各部门"])
    def test_recipients_may_be_configured(self):
        bulletin = self.issue(self.draft())
        _, texts = docx_texts(bulletin.docx.open("rb").read())
        self.assertIn("各区人民政府，市直各部门：", texts)
        lines = [line["text"] for page in pdf_pages(bulletin.pdf.open("rb").read())
                 for line in page]
        self.assertIn("各区人民政府，市直各部门：", lines)

    @override_settings(SITE_URL="https://cj.example.gov.cn")
    def test_docx_links_each_overdue_milestone_to_its_project(self):
        bulletin = self.issue(self.draft())
        doc = Document(io.BytesIO(bulletin.docx.open("rb").read()))
        targets = {rel.target_ref for rel in doc.part.rels.values() if rel.is_external}
        url = "https://cj.example.gov.cn" + self.ledger.project_b.get_absolute_url()
        self.assertIn(url, targets)
        linked = [el for el in doc.element.body.iter(qn("w:hyperlink"))]
        texts = ["".join(t.text for t in el.iter(qn("w:t"))) for el in linked]
        self.assertTrue(any("乙区污水处理厂“设备安装调试”" in t for t in texts), texts)

    def test_page_lists_overdue_milestones_by_name_with_dates_and_links(self):
        bulletin = self.draft()
        self.client.force_login(self.cast.supervision)
        page = self.client.get(bulletin.get_absolute_url()).content.decode()
        url = self.ledger.project_b.get_absolute_url()
        self.assertIn(f'<a href="{url}">乙区污水处理厂“设备安装调试”</a>，计划2026年4月30日完成，'
                      "已超期20天", page)
        self.assertNotIn("超期节点", page)  # no bare count
        # Red projects are named and linked too (not “项目#12”).
        self.assertIn(f'<a href="{self.ledger.project_a.get_absolute_url()}">甲路综合改造工程</a>',
                      page)
        # The issued line keeps what it printed, whatever the milestone says later.
        self.issue(bulletin)
        project_actions.do_complete_milestone(self.late, timezone.localdate())
        page = self.client.get(bulletin.get_absolute_url()).content.decode()
        self.assertIn("乙区污水处理厂“设备安装调试”</a>，计划2026年4月30日完成，已超期20天", page)
