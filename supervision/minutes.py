"""会议纪要 as a document of its own: what the page shows and what the .docx prints.

The layout follows the 纪要 form of the 公文 (GB/T 9704-2012 §10.3 leaves 纪要 to each
office's own masthead): a red masthead 「…会议纪要」 with a red rule, the title, the
meeting's time and place, the attendees, the summary, then the decisions numbered （一）（二）…
each with its responsible unit and deadline, and a 版记 with the 印发 date. Every date is
the local day (core/dates.py).
"""

import io
from datetime import UTC

from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.dates import cn_date

NUMERALS = "一二三四五六七八九十"
RED = RGBColor(0xFF, 0x00, 0x00)
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
BODY_PT, TITLE_PT, MASTHEAD_PT = 16, 22, 36


def numeral(n: int) -> str:
    """一 … 十, 十一 … 九十九 (the decisions of one meeting never reach a hundred)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else NUMERALS[tens - 1]}十{NUMERALS[ones - 1] if ones else ''}"


def issuer() -> str:
    return f"{settings.CITY_NAME}城市建设领导小组办公室"


def decision_text(d, n: int) -> str:
    """（一）… under the heading 二、议定事项, with the unit and the deadline."""
    return (f"（{numeral(n)}）{d.text.rstrip('。')}。责任单位：{d.unit.name}；"
            f"完成时限：{cn_date(d.deadline)}前。")


def document(minutes, decisions) -> dict:
    """What the minutes say, in order (the .docx and the page read the same)."""
    meeting = minutes.meeting
    place = f"在{meeting.location}" if meeting.location else ""
    return {
        "masthead": f"{settings.CITY_NAME}城市建设会议纪要",
        "title": f"{meeting.title}会议纪要",
        "opening": (f"{cn_date(meeting.date)}，{meeting.plan.name}{meeting.title}{place}召开。"
                    "现将会议主要内容和议定事项纪要如下："),
        "attendees": [line.strip() for line in minutes.attendees.splitlines() if line.strip()],
        "summary": [line.strip() for line in minutes.summary.splitlines() if line.strip()],
        "decisions": [decision_text(d, n) for n, d in enumerate(decisions, start=1)],
        "issuer": issuer(),
        "issued": f"{cn_date(minutes.issued_at)}印发" if minutes.issued_at else "（未印发）",
    }


def _run(paragraph, text, *, font=BODY_FONT, size=BODY_PT, bold=False, colour=None):
    run = paragraph.add_run(text)
    run.font.name, run.font.size, run.bold = font, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _paragraph(doc, text, *, font=BODY_FONT, size=BODY_PT, align=None, indent=True,
               colour=None, bold=False):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)  # 首行缩进两字
    _run(p, text, font=font, size=size, colour=colour, bold=bold)
    return p


def _rule(paragraph, colour="FF0000", size="12"):
    """A line under the paragraph (the red rule under the masthead, the 版记 lines)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", size), ("space", "4"), ("color", colour)):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def render_minutes_docx(minutes, decisions, draft=False) -> bytes:
    """The minutes as a Word file; a `draft` preview says so in the header of every page."""
    d = document(minutes, decisions)
    doc = Document()
    section = doc.sections[0]
    if draft:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(header, "草稿 · 未印发 · 以印发稿为准", size=12, bold=True, colour=RED)
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    props = doc.core_properties
    props.title, props.author = d["title"], d["issuer"]
    if minutes.issued_at:  # core properties are stored in UTC
        props.created = props.modified = minutes.issued_at.astimezone(UTC).replace(tzinfo=None)
    _paragraph(doc, d["masthead"], font=TITLE_FONT, size=MASTHEAD_PT,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED)
    head = _paragraph(doc, f"{d['issuer']}　　{cn_date(minutes.issued_at or minutes.meeting.date)}",
                      align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _rule(head)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, d["title"], font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, d["opening"])
    _paragraph(doc, "参会人员：" + "；".join(d["attendees"]) + "。" if d["attendees"] else "参会人员：无。")
    _paragraph(doc, "一、会议概要", font=HEADING_FONT)
    for line in d["summary"] or ["无。"]:
        _paragraph(doc, line)
    _paragraph(doc, "二、议定事项", font=HEADING_FONT)
    for line in d["decisions"] or ["本次会议无议定事项。"]:
        _paragraph(doc, line)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, d["issuer"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    # 版记: 抄送 the responsible units, then the issuing office and the 印发 date.
    units = list(dict.fromkeys(x.unit.name for x in decisions))
    copy = _paragraph(doc, f"抄送：{'、'.join(units)}。" if units else "抄送：无。", size=14,
                      indent=False)
    _rule(copy, colour="000000", size="6")
    last = _paragraph(doc, f"{d['issuer']}　　{d['issued']}", size=14, indent=False)
    _rule(last, colour="000000", size="6")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
