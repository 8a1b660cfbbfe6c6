"""督查通报: the draft's findings from the data, and the issued document in the
GB/T 9704 公文 layout (.docx with python-docx, PDF with WeasyPrint and a CJK font)."""

import io
from collections import defaultdict

from django.template.loader import render_to_string
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from projects.choices import Colour, ReportStatus
from projects.models import Milestone, ProgressReport, ProjectStatus
from supervision.choices import ActionItemStatus, BulletinSection
from supervision.models import ActionItem

ISSUER = "示范市人民政府督查局"
# GB/T 9704-2012: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; 22 lines
# of 28 characters; title 2号 (22 pt) 小标宋, body 3号 (16 pt) 仿宋, page numbers 4号 (14 pt).
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_FONT, BODY_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "宋体"
FALLBACKS = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋"}
LINE_PITCH_PT = 28.95  # 225 mm of text height / 22 lines (156 mm ≈ 28 characters at 16 pt)


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
    for m in (Milestone.objects.filter(planned_date__lte=period_end, actual_date__isnull=True,
                                       archived_at=None, project__archived_at=None)
              .select_related("project__lead_unit")):
        late[m.project.lead_unit].append(m)
    for unit, ms in sorted(late.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        worst = max((period_end - m.planned_date).days for m in ms)
        lines.append({"section": BulletinSection.OVERDUE_MILESTONES, "unit": unit,
                      "text": f"{unit.name}：{len(ms)}个节点超期未完成，最长超期{worst}天"
                              f"（{_names(f'{m.project.name}“{m.name}”' for m in ms)}）。",
                      "facts": {"milestones": [m.pk for m in ms]}})
    missing = defaultdict(list)
    for r in (ProgressReport.objects.filter(status=ReportStatus.MISSING,
                                            period_start__gte=period_start,
                                            period_start__lte=period_end)
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


# --- the document ---------------------------------------------------------------


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


def _paragraph(doc, text, *, font=BODY_FONT, size=16, align=None, indent=True, bold=False,
               colour=None):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold, colour)
    return p


def _page_number_footer(section):
    """Page numbers 4号 in the 公文 style: “— 1 —”, odd pages right, even pages left."""
    section.different_first_page_header_footer = False
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        _font(p.add_run("— "), NUMBER_FONT, 14)
        run = p.add_run()
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), tag)
            else:
                el = OxmlElement("w:instrText")
                el.text = text
            run._element.append(el)
        _font(run, NUMBER_FONT, 14)
        _font(p.add_run(" —"), NUMBER_FONT, 14)


def render_docx(bulletin) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section)
    _paragraph(doc, f"{ISSUER}督查通报", font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False, colour="C00000")
    _paragraph(doc, bulletin.number_label, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    rule = _paragraph(doc, "", indent=False)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    rule._p.get_or_add_pPr().append(border)
    _paragraph(doc, bulletin.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False)
    _paragraph(doc, "")
    for block in _body(bulletin):
        kind, text = block
        if kind == "heading":
            _paragraph(doc, text, font="黑体", size=16)
        else:
            _paragraph(doc, text)
    _paragraph(doc, "")
    _paragraph(doc, ISSUER, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    date = bulletin.issued_at or bulletin.updated_at
    _paragraph(doc, f"{date:%Y年%-m月%-d日}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


SECTION_HEADINGS = {
    BulletinSection.RED_PROJECTS: "一、红灯项目",
    BulletinSection.OVERDUE_MILESTONES: "二、节点超期",
    BulletinSection.MISSING_REPORTS: "三、进度未按时报送",
    BulletinSection.OVERDUE_ITEMS: "四、交办事项逾期",
}


def _body(bulletin):
    """The 公文 body as (kind, text) blocks: intro, a heading per section, lines, demands."""
    blocks = [("text", bulletin.intro)] if bulletin.intro else []
    by_section = defaultdict(list)
    for line in bulletin.lines.all():
        by_section[line.section].append(line)
    for section, heading in SECTION_HEADINGS.items():
        if by_section.get(section):
            blocks.append(("heading", heading))
            blocks += [("text", line.text) for line in by_section[section]]
    if bulletin.requirements:
        blocks.append(("heading", "工作要求"))
        blocks += [("text", t) for t in bulletin.requirements.splitlines() if t.strip()]
    if bulletin.rectification_deadline:
        blocks.append(("text", f"请被通报单位于{bulletin.rectification_deadline:%Y年%-m月%-d日}前"
                               "通过平台报送整改情况。"))
    return blocks


def render_pdf(bulletin) -> bytes:
    from core.pdf import html_to_pdf

    html = render_to_string("supervision/bulletin_print.html", {
        "b": bulletin, "issuer": ISSUER, "blocks": _body(bulletin), "margins": MARGINS_MM})
    return html_to_pdf(html)  # fetches only our static files (core/pdf.py)

