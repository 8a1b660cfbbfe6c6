"""督查通报: the draft's findings from the data, and the issued document as a 公文 in the
GB/T 9704-2012 layout — .docx with python-docx, PDF with WeasyPrint and a CJK font — both
built from the same blocks and the same page geometry, so the two files say the same thing
on the same grid.
"""

import io
import math
from collections import defaultdict
from datetime import UTC, date

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core import dates
from projects import periods
from projects.choices import Colour, ReportStatus
from projects.models import Milestone, ProgressReport, ProjectStatus
from supervision.choices import ActionItemStatus, BulletinSection
from supervision.models import ActionItem

# --- the page (GB/T 9704-2012, 5.2) ----------------------------------------------------
# A4; 天头 (top) 37 mm, 订口 (left) 28 mm; 版心 156 × 225 mm, so bottom 35 mm, right 26 mm.
# 22 lines of 28 characters of 3号 (16 pt) 仿宋 fill the 版心. 28 characters of 16 pt are
# 448 pt, wider than 156 mm (442.2 pt): the character pitch is 156 mm / 28 = 15.79 pt and
# the line pitch 225 mm / 22 = 28.99 pt. Word takes both from the section's document grid
# (w:docGrid); the PDF from letter-spacing and line-height (bulletin_print.html).
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TYPE_AREA_MM = (156, 225)
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
BODY_PT = 16                      # 3号
TITLE_PT = 22                     # 2号
PAGE_NUMBER_PT = 14               # 4号
PT_PER_MM = 72 / 25.4
CHAR_PITCH_PT = TYPE_AREA_MM[0] * PT_PER_MM / CHARS_PER_LINE          # 15.793
# w:linePitch in twentieths of a point, rounded down so that 22 lines fit (579 → 28.95 pt).
LINE_PITCH_TWIPS = math.floor(TYPE_AREA_MM[1] * PT_PER_MM / LINES_PER_PAGE * 20)
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20
# w:charSpace: the pitch minus the Normal font size, in 4096ths of a point (ECMA-376
# 17.6.5), rounded away from zero so that the 28th character still fits (-849).
DOC_GRID_CHAR_SPACE = math.floor((CHAR_PITCH_PT - BODY_PT) * 4096) - 1
# The PDF's letter-spacing: the same pitch, a hair tighter so rounding never wraps the 28th.
LETTER_SPACING_PT = round(CHAR_PITCH_PT - BODY_PT - 0.005, 3)
TITLE_FONT, BODY_FONT, HEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
FALLBACKS = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋"}
RED = "FF0000"  # 发文机关标志 and the separator line are red (GB/T 9704 7.2.4, 7.2.7)
MASTHEAD_TOP_MM = 35  # 发文机关标志: its top 35 mm below the top of the 版心 (7.2.4)
RULE_GAP_MM = 4       # the red separator line 4 mm below the 发文字号 (7.2.7)


def _names(items, limit=5):
    names = [str(i) for i in items]
    more = f"等{len(names)}个" if len(names) > limit else ""
    return "、".join(names[:limit]) + more


def draft_lines(period_start, period_end) -> list[dict]:
    """Findings per unit and section, each with the ids of the facts behind it."""
    lines = []
    red = defaultdict(list)
    for status in (ProjectStatus.objects.filter(overall=Colour.RED, project__archived_at=None)
                   .select_related("project__lead_unit")):
        red[status.project.lead_unit].append(status.project)
    for unit, projects in sorted(red.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        lines.append({"section": BulletinSection.RED_PROJECTS, "unit": unit,
                      "text": f"{unit.name}：红灯项目{len(projects)}个"
                              f"（{_names(p.name for p in projects)}）。",
                      "facts": {"projects": [p.pk for p in projects]}})
    late = defaultdict(list)
    for m in (Milestone.objects.filter(planned_date__lt=period_end, actual_date__isnull=True,
                                       archived_at=None, project__archived_at=None)
              .select_related("project__lead_unit")):
        late[m.project.lead_unit].append(m)
    for unit, ms in sorted(late.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        ms.sort(key=lambda m: (m.planned_date, m.project.code, m.pk))
        worst = max((period_end - m.planned_date).days for m in ms)
        # Each milestone by name, with its planned date: what the document prints is kept
        # in the line, so an issued bulletin reads the same after the milestone changes.
        listed = [{"pk": m.pk, "project_id": m.project_id, "project": m.project.name,
                   "name": m.name, "planned": m.planned_date.isoformat(),
                   "days": (period_end - m.planned_date).days} for m in ms]
        lines.append({"section": BulletinSection.OVERDUE_MILESTONES, "unit": unit,
                      "text": f"{unit.name}：{len(ms)}个节点超期未完成，最长超期{worst}天，"
                              "具体如下：",
                      "facts": {"milestones": [m.pk for m in ms], "milestone_list": listed}})
    missing = defaultdict(list)
    for r in (ProgressReport.objects.filter(periods.reports_due_in(period_start, period_end),
                                            status=ReportStatus.MISSING)
              .select_related("project__lead_unit")):
        missing[r.project.lead_unit].append(r)
    for unit, reports in sorted(missing.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        lines.append({"section": BulletinSection.MISSING_REPORTS, "unit": unit,
                      "text": f"{unit.name}：{len(reports)}期项目进度未按时报送。",
                      "facts": {"reports": [r.pk for r in reports]}})
    overdue = defaultdict(list)
    for item in (ActionItem.objects.active().filter(deadline__lt=period_end)
                 .exclude(status=ActionItemStatus.CLOSED).select_related("unit")):
        overdue[item.unit].append(item)
    for unit, items in sorted(overdue.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        lines.append({"section": BulletinSection.OVERDUE_ITEMS, "unit": unit,
                      "text": f"{unit.name}：{len(items)}项交办事项逾期未办结"
                              f"（{_names(i.title for i in items)}）。",
                      "facts": {"action_items": [i.pk for i in items]}})
    from supervision.escalation import criticised_lines  # confirmed 通报 steps of the ladder

    return lines + criticised_lines()




# --- what the document says (shared by the .docx, the PDF and the page) -----------------

SECTION_HEADINGS = {
    BulletinSection.RED_PROJECTS: "红灯项目",
    BulletinSection.OVERDUE_MILESTONES: "节点超期",
    BulletinSection.MISSING_REPORTS: "进度未按时报送",
    BulletinSection.OVERDUE_ITEMS: "交办事项逾期",
    BulletinSection.CRITICISED: "通报批评",
}
NUMERALS = "一二三四五六七八九十"


def numbered_headings(sections) -> dict[str, str]:
    """一、二、… over the sections a bulletin has, in the order of SECTION_HEADINGS, then
    the 工作要求 (key "requirements"): no gaps when a section is empty."""
    sections = set(sections)
    present = [s for s in SECTION_HEADINGS if s in sections] + ["requirements"]
    names = {**SECTION_HEADINGS, "requirements": "工作要求"}
    return {s: f"{NUMERALS[i]}、{names[s]}" for i, s in enumerate(present)}


def recipients(bulletin) -> str:
    """主送机关 (GB/T 9704 7.3.2): the configured list, or the units the bulletin names —
    units of one kind joined by 、, kinds by ，— ending with a full-width colon."""
    if settings.BULLETIN_RECIPIENTS:
        return "，".join(settings.BULLETIN_RECIPIENTS) + "："
    from org.models import Unit

    units = Unit.objects.filter(bulletin_lines__bulletin=bulletin).distinct()
    by_kind: dict[str, list[str]] = {}
    for unit in units:  # Unit's ordering: kind, sort_order, name
        by_kind.setdefault(unit.kind, []).append(unit.name)
    return "，".join("、".join(names) for names in by_kind.values()) + "：" if by_kind else ""


def milestone_text(m: dict) -> str:
    """One overdue milestone as the document lists it."""
    planned = dates.cn_date(date.fromisoformat(m["planned"]))
    return f"{m['project']}“{m['name']}”，计划{planned}完成，已超期{m['days']}天。"


def site_link(path: str) -> str:
    """An absolute link for a document (empty when SITE_URL is not set: text only)."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base.startswith("http") else ""


def _body(bulletin):
    """The 正文 as blocks: {"kind": text|heading|item, "text", "link"} — intro, a heading per
    section, its lines (overdue milestones listed one by one), requirements, the deadline."""
    def block(kind, text, link=""):
        return {"kind": kind, "text": text, "link": link}

    blocks = []
    if bulletin.corrects_id:
        old = bulletin.corrects
        blocks.append(block("text", f"{old.number_label}《{old.title}》有误，现予更正，"
                                    "原通报同时废止。"))
    if bulletin.intro:
        blocks.append(block("text", bulletin.intro))
    by_section = defaultdict(list)
    for line in bulletin.lines.all():
        by_section[line.section].append(line)
    headings = numbered_headings(by_section)
    for section in SECTION_HEADINGS:
        if by_section.get(section):
            blocks.append(block("heading", headings[section]))
            for line in by_section[section]:
                blocks.append(block("text", line.text))
                for i, m in enumerate(line.overdue_milestones, start=1):
                    path = reverse("projects:project_detail", args=[m["project_id"]])
                    blocks.append(block("item", f"{i}. {milestone_text(m)}", site_link(path)))
    if bulletin.requirements:
        blocks.append(block("heading", headings["requirements"] if by_section else "工作要求"))
        blocks += [block("text", t) for t in bulletin.requirement_lines]
    if bulletin.rectification_deadline:
        blocks.append(block("text", f"请被通报单位于{dates.cn_date(bulletin.rectification_deadline)}"
                                    "前通过平台报送整改情况。"))
    return blocks


def _width_in_chars(text: str) -> float:
    """Width on the grid: a CJK character is one, an ASCII digit or letter half (半角)."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def signature_layout(issuer: str, date_text: str) -> tuple[float, float]:
    """Left indents (in characters) of the 署名 and the 成文日期 (GB/T 9704 7.3.5.2): the
    署名 right-spaced two characters, the date starting two characters right of the 署名's
    first; a date longer than that is right-spaced two and the 署名 moves left with it."""
    right = CHARS_PER_LINE - 2
    issuer_left = right - _width_in_chars(issuer)
    date_left = issuer_left + 2
    if date_left + _width_in_chars(date_text) > right:
        date_left = right - _width_in_chars(date_text)
        issuer_left = date_left - 2
    return max(issuer_left, 0), max(date_left, 0)


def document(bulletin) -> dict:
    """Everything both files print, in order, with the local 成文日期."""
    issuer = bulletin.issuer or settings.BULLETIN_ISSUER
    signed = dates.cn_date(bulletin.issued_at) if bulletin.issued_at else ""
    issuer_left, date_left = signature_layout(issuer, signed)
    masthead = settings.BULLETIN_MASTHEAD
    return {
        "masthead": masthead,
        # As large as one line of the 版心 allows, at most 初号 (42 pt): 醒目、庄重 (7.2.4).
        "masthead_pt": min(42, math.floor(TYPE_AREA_MM[0] * PT_PER_MM / max(len(masthead), 1))),
        "number": bulletin.number_label if bulletin.number else "",
        "title": bulletin.title,
        "recipients": bulletin.recipients or recipients(bulletin),
        "blocks": _body(bulletin),
        "issuer": issuer, "date": signed,
        "issuer_left": issuer_left, "date_left": date_left,
    }


# --- the .docx ---------------------------------------------------------------------------


def _font(run, name, size_pt, bold=False, colour=None):
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = FALLBACKS.get(name, name)  # Latin text
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)  # Word falls back to its own CJK font if missing
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)


def _ind_chars(paragraph, **chars):
    """Indents counted in grid characters (w:firstLineChars, w:leftChars: hundredths), which
    Word lays on the document grid; the point values beside them serve other readers."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for key, value in chars.items():
        ind.set(qn(f"w:{key}"), str(round(value * 100)))


def _paragraph(doc, text, *, font=BODY_FONT, size=BODY_PT, align=None, indent=True,
               colour=None, lines=1, left_chars=0.0, keep_with_next=False, link=""):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT * lines)  # whole grid lines
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True
    if indent:
        fmt.first_line_indent = Pt(CHAR_PITCH_PT * 2)  # 首行缩进两字
        _ind_chars(p, firstLineChars=2)
    if left_chars:
        fmt.left_indent = Pt(CHAR_PITCH_PT * left_chars)
        _ind_chars(p, leftChars=left_chars)
    if keep_with_next:
        fmt.keep_with_next = fmt.keep_together = True
    if align is not None:
        p.alignment = align
    if text:
        run = p.add_run(text)
        _font(run, font, size, colour=colour)
        if link:
            _hyperlink(p, run, link)
    return p


def _hyperlink(paragraph, run, url):
    """Make `run` a link to `url` (an external relationship of the document). The text keeps
    the body's font and colour: a 公文 prints links as plain text."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run._r.addprevious(link)
    link.append(run._r)


def _doc_grid(section):
    """28 characters × 22 lines: w:docGrid type linesAndChars on the section."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(DOC_GRID_CHAR_SPACE))


def _page_number_footer(section):
    """页码 (7.5): 4号半角宋体 “— 1 —”, 7 mm below the 版心; odd pages right, even pages
    left, one character in from the edge of the 版心."""
    section.different_first_page_header_footer = False
    # The footer's top line 7 mm below the 版心: the footer distance is measured to its foot.
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7) - Pt(PAGE_NUMBER_PT)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(PAGE_NUMBER_PT)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            fmt.left_indent = Pt(PAGE_NUMBER_PT)
        _font(p.add_run("— "), NUMBER_FONT, PAGE_NUMBER_PT)
        run = p.add_run()
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), tag)
            else:
                el = OxmlElement("w:instrText")
                el.text = text
            run._element.append(el)
        _font(run, NUMBER_FONT, PAGE_NUMBER_PT)
        _font(p.add_run(" —"), NUMBER_FONT, PAGE_NUMBER_PT)


def _red_rule(paragraph):
    """The red separator line (7.2.7), as the paragraph's bottom border 4 mm below it."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    gap_pt = round(RULE_GAP_MM * PT_PER_MM)
    for key, value in (("val", "single"), ("sz", "12"), ("space", str(gap_pt)),
                       ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def render_docx(bulletin) -> bytes:
    d = document(bulletin)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)  # the grid's charSpace is relative to the Normal size
    _font_style(normal, BODY_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    _doc_grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = d["title"], d["issuer"], d["issuer"]
    if bulletin.issued_at:  # core properties are stored in UTC (W3CDTF with Z)
        props.created = props.modified = bulletin.issued_at.astimezone(UTC).replace(tzinfo=None)

    masthead = _paragraph(doc, d["masthead"], font=TITLE_FONT, size=d["masthead_pt"],
                          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED, lines=2)
    masthead.paragraph_format.space_before = Mm(MASTHEAD_TOP_MM)
    _paragraph(doc, "", indent=False, lines=2)                        # 空二行
    number = _paragraph(doc, d["number"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(number)
    _paragraph(doc, "", indent=False, lines=2)                        # 空二行
    _paragraph(doc, d["title"], font=TITLE_FONT, size=TITLE_PT,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)                                 # 空一行
    if d["recipients"]:
        _paragraph(doc, d["recipients"], indent=False)                # 居左顶格
    blocks = d["blocks"]
    for i, b in enumerate(blocks):
        # A heading stays with what follows it; the last paragraph with the 署名 and date,
        # so they are never alone on a page.
        heading = b["kind"] == "heading"
        _paragraph(doc, b["text"], font=HEADING_FONT if heading else BODY_FONT,
                   keep_with_next=heading or i == len(blocks) - 1, link=b["link"])
    _paragraph(doc, "", indent=False, keep_with_next=True)            # 空一行
    _paragraph(doc, d["issuer"], indent=False, left_chars=d["issuer_left"], keep_with_next=True)
    _paragraph(doc, d["date"], indent=False, left_chars=d["date_left"])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _font_style(style, name):
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), FALLBACKS.get(name, name))
    fonts.set(qn("w:hAnsi"), FALLBACKS.get(name, name))


# --- the PDF -----------------------------------------------------------------------------


def render_pdf(bulletin) -> bytes:
    from core.pdf import html_to_pdf

    d = document(bulletin)
    blocks = d["blocks"]
    html = render_to_string("supervision/bulletin_print.html", {
        "d": d, "body": blocks[:-1], "last": blocks[-1] if blocks else None,
        "margins": MARGINS_MM, "body_pt": BODY_PT, "title_pt": TITLE_PT,
        "number_pt": PAGE_NUMBER_PT, "line_pt": LINE_PITCH_PT, "char_pt": round(CHAR_PITCH_PT, 3),
        "letter_spacing_pt": LETTER_SPACING_PT, "masthead_top_mm": MASTHEAD_TOP_MM,
        "rule_gap_mm": RULE_GAP_MM, "red": RED, "lang": "zh-Hans"})
    return html_to_pdf(html)  # fetches only our static files (core/pdf.py)
