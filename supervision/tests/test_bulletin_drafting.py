"""Drafting a 督查通报 a clerk can trust: a warning for a period already covered, edits that
survive 签发, a preview and a confirmation before it, the clerk's own paragraphs, red projects
with their reasons, words that read right, and the 版记 — read back from the .docx
(python-docx) and the PDF (pdftotext), the files people receive."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from projects import actions as project_actions
from projects import engine
from projects.choices import ReportStatus
from projects.models import ProgressReport, Project
from supervision import actions
from supervision.actions.bulletins import OverlappingBulletin
from supervision.bulletins import cn_dates_in, milestone_text, overdue_words, period_label, render_pdf
from supervision.models import Bulletin
from supervision.tests.test_bulletin_document import pdf_pages
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "bulletin_drafting"
PRAISE = "甲局克服雨季影响，甲路综合改造工程提前完成管线迁改，予以通报表扬。"
REQUIREMENT = "各单位要于每周五前完成进度填报，逾期未报的由督查局约谈分管负责人。"


def docx_of(bulletin):
    return Document(io.BytesIO(bulletin.docx.open("rb").read()))


def pdf_lines(data: bytes) -> list[str]:
    return [line["text"] for page in pdf_pages(data) for line in page]


def pdf_body(data: bytes) -> str:
    """The PDF's text run together without page numbers and spaces (pdftotext reads the
    grid's letter-spacing after “1.” as nothing or a space, depending on the line)."""
    return "".join(t for t in pdf_lines(data) if not re.fullmatch(r"—\s*\d+\s*—", t)).replace(" ", "")


@on_mid_may_2026
class BulletinDraftingTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        today = timezone.localdate()
        cls.late = project_actions.do_add_milestone(
            cls.ledger.project_b, name="设备安装调试", planned_date=today - timedelta(days=20))
        # The nightly job: a MISSING row for each closed period nobody filed, then colours.
        engine.record_missing_reports()
        engine.recompute(Project.objects.all())
        cls.week = (today - timedelta(days=7), today)

    def setUp(self):
        self.client.force_login(self.cast.supervision)

    def draft(self, period=None, **kwargs):
        start, end = period or self.week
        return actions.do_draft_bulletin(period_start=start, period_end=end,
                                         acting_user=self.cast.supervision, **kwargs)

    def set_deadline(self, bulletin, days=10):
        actions.do_edit_bulletin(bulletin, acting_user=self.cast.supervision,
                                 rectification_deadline=timezone.localdate() + timedelta(days))

    def issue(self, bulletin):
        self.set_deadline(bulletin)
        return actions.do_issue_bulletin(bulletin, acting_user=self.cast.supervision)

    def confirm_and_issue(self, bulletin):
        """The clerk's way: the confirmation page, then 确认签发 with what it showed."""
        page = self.client.get(reverse("supervision:bulletin_confirm", args=[bulletin.pk]))
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            reverse("supervision:bulletin_step", args=[bulletin.pk, "issue"]),
            {"confirmed": "1", "expected_number": page.context["number_label"],
             "digest": page.context["digest"]})
        self.assertRedirects(response, bulletin.get_absolute_url(), fetch_redirect_response=False)
        return Bulletin.objects.get(pk=bulletin.pk)

    # --- 1. a period already covered ---------------------------------------------------

    def test_drafting_a_covered_period_warns_and_names_the_bulletin(self):
        url = reverse("supervision:bulletin_list")
        start, end = (d.isoformat() for d in self.week)
        first = self.client.post(url, {"period_start": start, "period_end": end})
        existing = Bulletin.objects.get()
        self.assertRedirects(first, existing.get_absolute_url(), fetch_redirect_response=False)
        # The same days again (overlapping by one day is enough): a warning, no draft.
        later = (self.week[1] + timedelta(days=6)).isoformat()
        page = self.client.post(url, {"period_start": end, "period_end": later})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'data-testid="overlap-warning"')
        self.assertContains(page, f'href="{existing.get_absolute_url()}"')
        self.assertContains(page, existing.title)
        self.assertContains(page, 'name="allow_overlap"')
        self.assertEqual(Bulletin.objects.count(), 1)
        # The clerk goes on deliberately.
        again = self.client.post(url, {"period_start": end, "period_end": later,
                                       "allow_overlap": "1"})
        self.assertEqual(Bulletin.objects.count(), 2)
        self.assertRedirects(again, Bulletin.objects.latest("pk").get_absolute_url(),
                             fetch_redirect_response=False)
        # A period next to it, not on it: no warning.
        after = self.week[1] + timedelta(days=30)
        self.draft((after, after + timedelta(days=6)), allow_overlap=False)

    def test_an_issued_bulletin_warns_and_a_voided_one_does_not(self):
        original = self.issue(self.draft())
        with self.assertRaises(OverlappingBulletin) as caught:
            self.draft(allow_overlap=False)
        self.assertEqual(caught.exception.bulletins, [original])
        self.assertIn(original.number_label, caught.exception.messages[0])
        # Corrected: the original is void (原通报同时废止), only the correction counts.
        correction = self.issue(actions.do_correct_bulletin(original,
                                                            acting_user=self.cast.supervision))
        self.assertEqual(list(Bulletin.objects.overlapping(*self.week)), [correction])

    # --- 2. edits survive 签发 ----------------------------------------------------------

    def test_every_edit_of_the_draft_is_what_is_issued(self):
        bulletin = self.draft()
        line = bulletin.lines.get(section="red_projects", unit=self.cast.unit_a)
        deadline = timezone.localdate() + timedelta(days=12)
        response = self.client.post(
            reverse("supervision:bulletin_step", args=[bulletin.pk, "edit"]),
            {"title": "关于近期重点项目推进情况的通报", "intro": "现将有关情况通报如下：",
             f"line_{line.pk}": "甲局：红灯项目1个，须于月底前整改到位。",
             "commendations": PRAISE, "requirements": REQUIREMENT,
             "deadline": deadline.isoformat(), "then": "confirm"})
        # Saved, then on to the confirmation (nothing typed is lost on the way).
        self.assertRedirects(response, reverse("supervision:bulletin_confirm", args=[bulletin.pk]),
                             fetch_redirect_response=False)
        issued = self.confirm_and_issue(bulletin)
        self.assertTrue(issued.is_issued)
        self.assertEqual((issued.title, issued.intro, issued.commendations, issued.requirements,
                          issued.rectification_deadline),
                         ("关于近期重点项目推进情况的通报", "现将有关情况通报如下：", PRAISE,
                          REQUIREMENT, deadline))
        self.assertEqual(issued.lines.get(pk=line.pk).text, "甲局：红灯项目1个，须于月底前整改到位。")
        texts = [p.text for p in docx_of(issued).paragraphs]
        pdf = "".join(pdf_lines(issued.pdf.open("rb").read()))
        for expected in ("关于近期重点项目推进情况的通报", "甲局：红灯项目1个，须于月底前整改到位。",
                         PRAISE, REQUIREMENT, f"请被通报单位于{deadline.year}年{deadline.month}月"
                         f"{deadline.day}日前通过平台报送整改情况。"):
            with self.subTest(expected=expected):
                self.assertIn(expected, texts)
                self.assertIn(expected, pdf)

    def test_a_line_id_that_is_not_an_id_is_refused_for_what_it_is(self):
        """`remove=abc` used to be answered 日期格式不正确 (any ValueError was a bad date);
        '²' passes isdigit() and fails int(). Each is refused by name and nothing is saved;
        a bad date is still called one."""
        bulletin = self.draft()
        line = bulletin.lines.first()
        url = reverse("supervision:bulletin_step", args=[bulletin.pk, "edit"])
        cases = [
            ({"remove": "abc"}, "要删除的通报条目编号不正确"),
            ({"remove": ["²"]}, "要删除的通报条目编号不正确"),
            ({"remove": [str(line.pk), "١"]}, "要删除的通报条目编号不正确"),
            ({"line_x": "改写"}, "通报条目编号不正确"),
            ({"line_²": "改写"}, "通报条目编号不正确"),
            ({"deadline": "2026-13-01"}, "日期格式不正确"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.client.post(url, {"title": "不应保存的标题", **data}, follow=True)
                self.assertEqual(response.status_code, 200)
                shown = [str(m) for m in response.context["messages"]]
                self.assertEqual(len(shown), 1, shown)
                self.assertIn(message, shown[0])
                if message != "日期格式不正确":
                    self.assertNotIn("日期", shown[0])
        bulletin.refresh_from_db()
        self.assertNotEqual(bulletin.title, "不应保存的标题")
        self.assertTrue(bulletin.lines.filter(pk=line.pk).exists())

    def test_issue_reads_the_stored_draft_not_the_callers_copy(self):
        bulletin = self.draft()
        stale = Bulletin.objects.get(pk=bulletin.pk)  # a copy taken before the last edit
        actions.do_edit_bulletin(bulletin, acting_user=self.cast.supervision, title="改后的标题",
                                 requirements=REQUIREMENT,
                                 rectification_deadline=timezone.localdate() + timedelta(9))
        issued = actions.do_issue_bulletin(stale, acting_user=self.cast.supervision)
        self.assertEqual((issued.title, issued.requirements), ("改后的标题", REQUIREMENT))
        self.assertEqual(stale.title, "改后的标题")  # the caller's copy says what was issued
        self.assertIn("改后的标题", [p.text for p in docx_of(issued).paragraphs])

    # --- 3. preview and confirmation ---------------------------------------------------

    def test_confirmation_shows_the_document_and_the_number_it_takes(self):
        earlier = self.issue(self.draft())
        bulletin = self.draft(allow_overlap=True)
        self.set_deadline(bulletin)
        page = self.client.get(reverse("supervision:bulletin_confirm", args=[bulletin.pk]))
        self.assertContains(page, "签发后不可修改")
        year = timezone.localdate().year
        self.assertEqual(earlier.number_label, f"示督通〔{year}〕1号")
        self.assertContains(page, f'data-testid="issue-number">示督通〔{year}〕2号<')
        self.assertContains(page, 'data-testid="bulletin-preview"')
        self.assertContains(page, bulletin.title)
        self.assertContains(page, "乙区污水处理厂“设备安装调试”")
        self.assertContains(page, 'name="confirmed"')
        # The PDF preview: rendered, marked, not stored.
        preview = self.client.get(reverse("supervision:bulletin_preview", args=[bulletin.pk]))
        self.assertEqual(preview["Content-Type"], "application/pdf")
        text = pdf_lines(preview.content)
        self.assertEqual(text.count("签发前预览"), text.count("非正式文件"))
        self.assertEqual(text.count("签发前预览"), len(pdf_pages(preview.content)))  # each page
        text = "".join(text)
        self.assertIn(f"示督通〔{year}〕2号", text)
        bulletin.refresh_from_db()
        self.assertFalse(bulletin.is_issued or bulletin.pdf)
        # Only the bureau previews a draft.
        self.client.force_login(self.cast.reporter_a)
        for name in ("bulletin_confirm", "bulletin_preview"):
            with self.subTest(name=name):
                response = self.client.get(reverse(f"supervision:{name}", args=[bulletin.pk]))
                self.assertIn(response.status_code, (403, 404))

    def test_issue_without_confirmation_is_refused(self):
        bulletin = self.draft()
        self.set_deadline(bulletin)
        issue = reverse("supervision:bulletin_step", args=[bulletin.pk, "issue"])
        confirm = reverse("supervision:bulletin_confirm", args=[bulletin.pk])
        for form in ({"deadline": "2026-06-01"},  # the old one-click form
                     {"confirmed": "1"},          # the checkbox without the page's number/draft
                     {"expected_number": "示督通〔2026〕1号", "digest": bulletin.draft_digest()}):
            with self.subTest(form=form):
                response = self.client.post(issue, form)
                self.assertRedirects(response, confirm, fetch_redirect_response=False)
                bulletin.refresh_from_db()
                self.assertFalse(bulletin.is_issued)
        # Confirmed, but the draft changed after the preview: confirm again.
        page = self.client.get(reverse("supervision:bulletin_confirm", args=[bulletin.pk]))
        actions.do_edit_bulletin(bulletin, acting_user=self.cast.supervision, title="另一个标题")
        self.client.post(issue, {"confirmed": "1", "expected_number": page.context["number_label"],
                                 "digest": page.context["digest"]})
        bulletin.refresh_from_db()
        self.assertFalse(bulletin.is_issued)
        # Confirmed, but another bulletin took the number shown meanwhile: confirm again.
        page = self.client.get(reverse("supervision:bulletin_confirm", args=[bulletin.pk]))
        self.issue(self.draft(allow_overlap=True))
        self.client.post(issue, {"confirmed": "1", "expected_number": page.context["number_label"],
                                 "digest": page.context["digest"]})
        bulletin.refresh_from_db()
        self.assertFalse(bulletin.is_issued)
        # Confirmed with what the page shows now: issued, with the number shown.
        issued = self.confirm_and_issue(bulletin)
        self.assertEqual(issued.number, 2)
        # Afterwards the confirmation leads to the issued bulletin; no preview of it.
        self.assertRedirects(self.client.get(confirm), issued.get_absolute_url(),
                             fetch_redirect_response=False)
        preview = self.client.get(reverse("supervision:bulletin_preview", args=[issued.pk]))
        self.assertEqual(preview.status_code, 404)
        self.client.post(issue, {"confirmed": "1", "expected_number": "示督通〔2026〕3号",
                                 "digest": issued.draft_digest()})
        self.assertEqual(Bulletin.objects.get(pk=issued.pk).number, 2)  # issued once

    # --- 4. the clerk's own paragraphs --------------------------------------------------

    def test_commendations_and_requirements_are_printed_in_their_place(self):
        bulletin = self.draft()
        actions.do_edit_bulletin(bulletin, acting_user=self.cast.supervision,
                                 commendations=PRAISE + "\n乙局主动认领问题，整改迅速。",
                                 requirements=REQUIREMENT)
        issued = self.issue(bulletin)
        texts = [p.text for p in docx_of(issued).paragraphs if p.text]
        # 导语, 一、通报表扬 and its paragraphs, the findings, then 工作要求 at the end.
        praise = texts.index("一、通报表扬")
        self.assertEqual(texts[praise + 1:praise + 3], [PRAISE, "乙局主动认领问题，整改迅速。"])
        self.assertEqual(texts[praise + 3], "二、红灯项目")
        self.assertLess(texts.index(bulletin.intro), praise)
        requirements = next(i for i, t in enumerate(texts) if t.endswith("、工作要求"))
        self.assertEqual(texts[requirements + 1], REQUIREMENT)
        self.assertGreater(requirements, texts.index("二、红灯项目"))
        pdf = "".join(pdf_lines(issued.pdf.open("rb").read()))
        order = [pdf.index(t) for t in ("一、通报表扬", PRAISE, "二、红灯项目", "、工作要求", REQUIREMENT)]
        self.assertEqual(order, sorted(order))
        page = self.client.get(issued.get_absolute_url())
        self.assertContains(page, "<h3>一、通报表扬</h3>", html=False)
        self.assertContains(page, PRAISE)

    # --- 5. red projects with their reasons --------------------------------------------

    def test_red_projects_are_named_with_the_reasons_of_their_status(self):
        project = self.ledger.project_b
        status = project.status
        self.assertEqual(status.overall, "red")
        bulletin = self.draft()
        line = bulletin.lines.get(section="red_projects", unit=self.cast.unit_b)
        listed = {p["name"]: p for p in line.red_projects}
        self.assertEqual(set(listed), {"乙区污水处理厂", "丙街道老旧小区改造"})
        reasons = listed["乙区污水处理厂"]["reasons"]
        self.assertTrue(reasons)
        self.assertTrue(any("设备安装调试" in r for r in reasons), reasons)
        for r in reasons:  # only what makes it red
            self.assertTrue(any(r in status.reasons.get(dim, []) for dim in status.reasons), r)
        issued = self.issue(bulletin)
        # In the document, dates as a 公文 writes them.
        expected = f"乙区污水处理厂（{project.code}）：{cn_dates_in('；'.join(reasons))}。"
        self.assertIn("计划2026年4月30日，已超期20天", expected)
        texts = [p.text for p in docx_of(issued).paragraphs]
        self.assertTrue(any(t.endswith(expected) and t.startswith(("1. ", "2. "))
                            for t in texts), texts)
        self.assertIn(expected, pdf_body(issued.pdf.open("rb").read()))
        page = self.client.get(issued.get_absolute_url()).content.decode()
        self.assertIn(f'<a href="{project.get_absolute_url()}">乙区污水处理厂</a>（{project.code}）：'
                      f"{'；'.join(reasons)}", page)
        # The issued list keeps what it said after the colour changes.
        project_actions.do_complete_milestone(self.late, timezone.localdate())
        self.assertEqual(issued.lines.get(pk=line.pk).red_projects, line.red_projects)

    # --- 6. words that read right ------------------------------------------------------

    def test_missing_reports_count_projects_and_periods(self):
        week = self.draft()
        two_weeks = self.draft((self.week[0] - timedelta(days=7), self.week[1]))
        for bulletin, periods in ((week, 1), (two_weeks, 2)):
            with self.subTest(periods=periods):
                text = bulletin.lines.get(section="missing_reports", unit=self.cast.unit_b).text
                count = "2个项目" + (f"共{2 * periods}期" if periods > 1 else "")
                self.assertEqual(text, f"乙局：{count}未按时报送进度（乙区污水处理厂、丙街道老旧小区改造）。")
                self.assertNotRegex(text, r"：\d+期")

    def test_overdue_is_never_zero_days(self):
        self.assertEqual(overdue_words(0), "今日到期")
        self.assertEqual(overdue_words(3), "超期3天")
        zero = {"project": "甲路综合改造工程", "name": "竣工验收", "planned": "2026-05-20", "days": 0}
        self.assertEqual(milestone_text(zero),
                         "甲路综合改造工程“竣工验收”，计划2026年5月20日完成，今日到期。")
        # A period that has not ended: lateness up to today, so a milestone due today or
        # later this week is not overdue, and no count says “超期0天”.
        today = timezone.localdate()
        project_actions.do_add_milestone(self.ledger.project_a, name="竣工验收", planned_date=today)
        project_actions.do_add_milestone(self.ledger.project_a, name="绿化移交",
                                         planned_date=today + timedelta(days=3))
        bulletin = self.draft((today - timedelta(days=2), today + timedelta(days=4)))
        texts = [line.text for line in bulletin.lines.all()]
        listed = [m["name"] for line in bulletin.lines.all() for m in line.overdue_milestones]
        self.assertEqual(listed, ["设备安装调试"])
        self.assertIn("乙局：1个节点超期未完成，最长超期20天，具体如下：", texts)
        issued = self.issue(bulletin)
        everything = "".join(p.text for p in docx_of(issued).paragraphs)
        everything += "".join(pdf_lines(issued.pdf.open("rb").read()))
        self.assertNotRegex(everything, r"超期0天")

    def test_evidence_is_labelled_by_project_and_period(self):
        bulletin = self.draft()
        page = self.client.get(bulletin.get_absolute_url()).content.decode()
        reports = ProgressReport.objects.filter(
            pk__in=bulletin.lines.get(section="missing_reports", unit=self.cast.unit_b)
            .facts["reports"])
        self.assertTrue(reports)
        for r in reports:
            label = f"{r.project.name} {period_label(r.period_start, r.period_end)}填报"
            self.assertRegex(label, r"^\S+ \d+月\d+日—\d+月\d+日填报$")
            self.assertIn(f'<a href="{r.get_absolute_url()}">{label}</a>', page)
        self.assertNotRegex(page, r"依据：[^<]*<a [^>]*>[^<]*#\d+")
        self.assertNotIn("填报#", page)
        self.assertEqual(period_label(date(2026, 12, 28), date(2027, 1, 3)),
                         "2026年12月28日—2027年1月3日")
        # A report gone since keeps the label the line was drafted with.
        line = bulletin.lines.get(section="missing_reports", unit=self.cast.unit_b)
        first = reports.order_by("project__code", "period_start").first()
        label = f"{first.project.name} {period_label(first.period_start, first.period_end)}填报"
        ProgressReport.objects.filter(pk=first.pk).update(status=ReportStatus.MISSING)
        self.assertIn(label, [r["project"] + " " + period_label(date.fromisoformat(r["start"]),
                                                               date.fromisoformat(r["end"])) + "填报"
                              for r in line.facts["report_list"]])

    # --- 7. the 版记 ---------------------------------------------------------------------

    @override_settings(BULLETIN_CC=["市委办公室", "市人大常委会办公室", "市政协办公室"],
                       BULLETIN_PRINTER="示范市人民政府督查局综合科")
    def test_banji_closes_the_last_page_in_both_files(self):
        bulletin = self.draft()
        actions.do_edit_bulletin(bulletin, acting_user=self.cast.supervision,
                                 commendations=PRAISE, requirements=REQUIREMENT)
        issued = self.issue(bulletin)
        self.write_artifacts(issued, "banji")
        cc = "抄送：市委办公室，市人大常委会办公室，市政协办公室。"
        printed = f"{issued.issued_at.astimezone(timezone.get_current_timezone()):%Y年%-m月%-d日}印发"
        self.assertEqual(printed, "2026年5月20日印发")
        self.assertEqual((issued.cc, issued.printer), (cc, "示范市人民政府督查局综合科"))
        # .docx: a table floated to the foot of the 版心, thick lines above and below, a
        # thin one between 抄送 and 印发机关/日期.
        doc = docx_of(issued)
        table = doc.tables[-1]
        self.assertEqual([row.cells[0].text for row in table.rows],
                         [cc, "示范市人民政府督查局综合科\t2026年5月20日印发"])
        pos = table._tbl.tblPr.find(qn("w:tblpPr"))
        self.assertEqual((pos.get(qn("w:vertAnchor")), pos.get(qn("w:tblpYSpec"))),
                         ("margin", "bottom"))
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        sizes = {edge: int(borders.find(qn(f"w:{edge}")).get(qn("w:sz")))
                 for edge in ("top", "insideH", "bottom")}
        self.assertEqual(sizes, {"top": 8, "insideH": 6, "bottom": 8})
        self.assertEqual(table.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt, 14)  # 4号
        # Elements in the order the schema wants them (Word refuses a file otherwise).
        tbl_children = [el.tag.split("}")[1] for el in table._tbl.tblPr]
        self.assertEqual(tbl_children, ["tblpPr", "tblOverlap", "tblW", "jc", "tblBorders",
                                        "tblLayout", "tblCellMar", "tblLook"])
        for p in [*table.rows[0].cells[0].paragraphs, *doc.paragraphs[:8]]:
            tags = [el.tag.split("}")[1] for el in p._p.pPr] if p._p.pPr is not None else []
            for before, after in (("pBdr", "spacing"), ("snapToGrid", "spacing"),
                                  ("tabs", "snapToGrid"), ("spacing", "ind")):
                if before in tags and after in tags:
                    self.assertLess(tags.index(before), tags.index(after), tags)
        # After the 署名, before the 成文日期 it is anchored on: on the last page.
        body = list(doc.element.body)
        self.assertEqual(body.index(table._tbl) + 1,
                         body.index(doc.paragraphs[-1]._p))
        self.assertEqual(doc.paragraphs[-1].text, "2026年5月20日")
        # PDF: the last page ends with 抄送 and 印发机关/印发日期, at the foot of the 版心.
        last = pdf_pages(issued.pdf.open("rb").read())[-1]
        body = [line for line in last if not line["text"].startswith("—")]
        self.assertEqual([line["text"] for line in body[-3:]],
                         [cc, "示范市人民政府督查局综合科", "2026年5月20日印发"])
        foot_of_type_area = (297 - 35) / 25.4 * 72
        self.assertLess(foot_of_type_area - body[-1]["top"], 40)
        self.assertGreater(body[-1]["top"] - body[-4]["top"], 40)  # below the date, not next to it

    def test_without_cc_the_banji_has_no_cc_line(self):
        issued = self.issue(self.draft())
        table = docx_of(issued).tables[-1]
        self.assertEqual([row.cells[0].text for row in table.rows],
                         ["示范市人民政府督查局\t2026年5月20日印发"])
        lines = pdf_lines(issued.pdf.open("rb").read())
        self.assertFalse([t for t in lines if t.startswith("抄送")])
        self.assertIn("2026年5月20日印发", lines)

    def write_artifacts(self, bulletin, name):
        """The files as issued and a preview, for looking at (test-artifacts/, not kept)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{name}.docx").write_bytes(bulletin.docx.open("rb").read())
        (ARTIFACTS / f"{name}.pdf").write_bytes(bulletin.pdf.open("rb").read())
        draft = self.draft(allow_overlap=True)
        (ARTIFACTS / f"{name}-preview.pdf").write_bytes(render_pdf(
            draft, preview_number="示督通〔2026〕9号", preview_on=timezone.now()))
