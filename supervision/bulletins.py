"""督查通报: the draft's findings from the data, and the issued document as a 公文 in the
GB/T 9704-2012 layout — .docx with python-docx, PDF with WeasyPrint and a CJK font — both
built from the same blocks and the same page geometry, so the two files say the same thing
on the same grid.
"""

import io
import math
import re
from collections import defaultdict
from datetime import UTC, date

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
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


def overdue_words(days: int) -> str:
    """How late, in words: 超期N天, or 今日到期 on the day itself (never “超期0天”)."""
    return f"超期{days}天" if days > 0 else "今日到期"


def period_label(start: date, end: date) -> str:
    """A reporting period as people say it: 11月16日—11月22日 (the year when it crosses one)."""
    if start.year != end.year:
        return f"{dates.cn_date(start)}—{dates.cn_date(end)}"
    return f"{dates.cn_month_day(start)}—{dates.cn_month_day(end)}"


def report_label(project_name: str, start: date, end: date) -> str:
    """A report named by its project and period: 古槐大道改造 11月16日—11月22日填报."""
    return f"{project_name} {period_label(start, end)}填报"


# The dimensions whose red colour is a reason the project is red (projects.status).
RED_DIMENSIONS = ("milestones", "investment", "reporting", "procedures")


def red_reasons(status) -> list[str]:
    """Why a project is red, as its status says: the reasons of its red dimensions (its
    yellow ones are not why it is red) after the overall ones (停工); all reasons when no
    dimension is marked red."""
    reasons = list(status.reasons.get("overall", []))
    for dim in RED_DIMENSIONS:
        if getattr(status, dim) == Colour.RED:
            reasons += status.reasons.get(dim, [])
    return reasons or status.all_reasons()


def _red_project_lines():
    red = defaultdict(list)
    for status in (ProjectStatus.objects.filter(overall=Colour.RED, project__archived_at=None)
                   .select_related("project__lead_unit").order_by("project__code", "pk")):
        red[status.project.lead_unit].append(status)
    lines = []
    for unit, statuses in sorted(red.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        # Each project with the reasons its status gives, kept in the line: the issued
        # bulletin reads the same after the colour changes.
        listed = [{"pk": s.project_id, "name": s.project.name, "code": s.project.code,
                   "reasons": red_reasons(s)} for s in statuses]
        lines.append({"section": BulletinSection.RED_PROJECTS, "unit": unit,
                      "text": f"{unit.name}：红灯项目{len(statuses)}个，具体如下：",
                      "facts": {"projects": [s.project_id for s in statuses],
                                "project_list": listed}})
    return lines


def _overdue_milestone_lines(as_of):
    late = defaultdict(list)
    for m in (Milestone.objects.filter(planned_date__lt=as_of, actual_date__isnull=True,
                                       archived_at=None, project__archived_at=None)
              .select_related("project__lead_unit")):
        late[m.project.lead_unit].append(m)
    lines = []
    for unit, ms in sorted(late.items(), key=lambda kv: (-len(kv[1]), kv[0].name)):
        ms.sort(key=lambda m: (m.planned_date, m.project.code, m.pk))
        worst = max((as_of - m.planned_date).days for m in ms)
        # Each milestone by name, with its planned date: what the document prints is kept
        # in the line, so an issued bulletin reads the same after the milestone changes.
        listed = [{"pk": m.pk, "project_id": m.project_id, "project": m.project.name,
                   "name": m.name, "planned": m.planned_date.isoformat(),
                   "days": (as_of - m.planned_date).days} for m in ms]
        longest = f"最长{overdue_words(worst)}，" if worst > 0 else ""
        lines.append({"section": BulletinSection.OVERDUE_MILESTONES, "unit": unit,
                      "text": f"{unit.name}：{len(ms)}个节点超期未完成，{longest}具体如下：",
                      "facts": {"milestones": [m.pk for m in ms], "milestone_list": listed}})
    return lines


def _missing_report_lines(period_start, period_end):
    missing = defaultdict(list)
    for r in (ProgressReport.objects.filter(periods.reports_due_in(period_start, period_end),
                                            status=ReportStatus.MISSING)
              .select_related("project__lead_unit").order_by("project__code", "period_start")):
        missing[r.project.lead_unit].append(r)
    lines = []
    for unit, reports in sorted(missing.items(),
                                key=lambda kv: (-len({r.project_id for r in kv[1]}),
                                                -len(kv[1]), kv[0].name)):
        projects = list(dict.fromkeys(r.project for r in reports))  # in code order, once
        # Projects are counted as projects; periods only when some project missed several.
        count = f"{len(projects)}个项目"
        if len(reports) > len(projects):
            count += f"共{len(reports)}期"
        lines.append({"section": BulletinSection.MISSING_REPORTS, "unit": unit,
                      "text": f"{unit.name}：{count}未按时报送进度"
                              f"（{_names(p.name for p in projects)}）。",
                      "facts": {"reports": [r.pk for r in reports],
                                "report_list": [{"pk": r.pk, "project_id": r.project_id,
                                                 "project": r.project.name,
                                                 "start": r.period_start.isoformat(),
                                                 "end": r.period_end.isoformat()}
                                                for r in reports]}})
    return lines


def draft_lines(period_start, period_end) -> list[dict]:
    """Findings per unit and section, each with the ids of the facts behind it."""
    # Lateness is counted up to the period's end, or today if the period has not ended:
    # a milestone due later this week is not overdue yet.
    as_of = min(period_end, dates.today())
    lines = _red_project_lines() + _overdue_milestone_lines(as_of)
    lines += _missing_report_lines(period_start, period_end)
    overdue = defaultdict(list)
    for item in (ActionItem.objects.active().filter(deadline__lt=as_of)
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


def numbered_headings(sections, commendations=False) -> dict[str, str]:
    """一、二、… over the parts a bulletin has: the clerk's 通报表扬 (key "commendations")
    first, the sections in the order of SECTION_HEADINGS, then the 工作要求 (key
    "requirements"): no gaps when a part is empty."""
    sections = set(sections)
    present = (["commendations"] if commendations else []) + \
        [s for s in SECTION_HEADINGS if s in sections] + ["requirements"]
    names = {**SECTION_HEADINGS, "commendations": "通报表扬", "requirements": "工作要求"}
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
    late = "已" + overdue_words(m["days"]) if m["days"] > 0 else overdue_words(m["days"])
    return f"{m['project']}“{m['name']}”，计划{planned}完成，{late}。"


ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def cn_dates_in(text: str) -> str:
    """2026-04-30 in a status reason → 2026年4月30日, as a 公文 writes dates."""
    return ISO_DAY.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


def red_project_text(p: dict) -> str:
    """One red project as the document lists it: name, code, the reasons of its status."""
    code = f"（{p['code']}）" if p.get("code") else ""
    reasons = "；".join(cn_dates_in(r).rstrip("。；") for r in p.get("reasons", []))
    return f"{p['name']}{code}：{reasons}。" if reasons else f"{p['name']}{code}。"


def site_link(path: str) -> str:
    """An absolute link for a document (empty when SITE_URL is not set: text only)."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base.startswith("http") else ""


def _body(bulletin):
    """The 正文 as blocks: {"kind": text|heading|item, "text", "link"} — intro, the clerk's
    通报表扬, a heading per section with its lines (red projects with their reasons and
    overdue milestones listed one by one), the 工作要求, the deadline."""
    def block(kind, text, link=""):
        return {"kind": kind, "text": text, "link": link}

    def project_link(pk):
        return site_link(reverse("projects:project_detail", args=[pk]))

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
    praise = bulletin.commendation_lines
    headings = numbered_headings(by_section, commendations=bool(praise))
    if praise:
        blocks.append(block("heading", headings["commendations"]))
        blocks += [block("text", t) for t in praise]
    for section in SECTION_HEADINGS:
        if by_section.get(section):
            blocks.append(block("heading", headings[section]))
            for line in by_section[section]:
                blocks.append(block("text", line.text))
                for i, p in enumerate(line.red_projects, start=1):
                    blocks.append(block("item", f"{i}. {red_project_text(p)}",
                                        project_link(p["pk"])))
                for i, m in enumerate(line.overdue_milestones, start=1):
                    blocks.append(block("item", f"{i}. {milestone_text(m)}",
                                        project_link(m["project_id"])))
    if bulletin.requirements:
        numbered = by_section or praise
        blocks.append(block("heading", headings["requirements"] if numbered else "工作要求"))
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


def cc_text(names) -> str:
    """抄送 (GB/T 9704 7.4.2): 抄送：A，B。 — empty when there is no one to copy."""
    names = [n.strip() for n in names if n.strip()]
    return f"抄送：{'，'.join(names)}。" if names else ""


def document(bulletin, *, preview_number="", preview_on=None) -> dict:
    """Everything both files print, in order, with the local 成文日期 and 印发日期.

    An issued bulletin prints what was written into it at issue (number, issuer, 抄送,
    印发机关); a draft is previewed with the number and day it would take if issued now
    (`preview_number`, `preview_on`) and today's settings.
    """
    issuer = bulletin.issuer or settings.BULLETIN_ISSUER
    when = bulletin.issued_at or preview_on
    signed = dates.cn_date(when) if when else ""
    issuer_left, date_left = signature_layout(issuer, signed)
    masthead = settings.BULLETIN_MASTHEAD
    if bulletin.is_issued:
        cc, printer = bulletin.cc, bulletin.printer or issuer
    else:
        cc, printer = cc_text(settings.BULLETIN_CC), settings.BULLETIN_PRINTER or issuer
    return {
        "masthead": masthead,
        # As large as one line of the 版心 allows, at most 初号 (42 pt): 醒目、庄重 (7.2.4).
        "masthead_pt": min(42, math.floor(TYPE_AREA_MM[0] * PT_PER_MM / max(len(masthead), 1))),
        "number": bulletin.number_label if bulletin.number else preview_number,
        "title": bulletin.title,
        "recipients": bulletin.recipients or recipients(bulletin),
        "blocks": _body(bulletin),
        "issuer": issuer, "date": signed,
        "issuer_left": issuer_left, "date_left": date_left,
        # 版记 (7.4): 抄送 (omitted when empty), 印发机关 left, 印发日期 right.
        "cc": cc, "printer": printer, "printed": f"{signed}印发" if signed else "",
        "preview": not bulletin.is_issued and bool(preview_on),
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
    # In the schema's order (ECMA-376 17.3.1.26): after keepNext…numPr, before shd, spacing.
    paragraph._p.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:snapToGrid", "w:spacing", "w:ind", "w:jc", "w:rPr")


def render_docx(bulletin, **preview) -> bytes:
    d = document(bulletin, **preview)
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
    # The 版记 floats to the foot of the page it is anchored on: placed before the date,
    # it is anchored on the date's paragraph, which the chain above keeps on the last page.
    _banji_table(doc, d)
    _paragraph(doc, d["date"], indent=False, left_chars=d["date_left"])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


BANJI_PT = 14                 # 4号 (GB/T 9704 7.4.2, 7.4.3)
# 分隔线 (7.4.1): the first and last thick (0.35 mm), those between thin (0.25 mm); Word
# gives border widths in eighths of a point.
BANJI_THICK, BANJI_THIN = round(0.35 * PT_PER_MM * 8), round(0.25 * PT_PER_MM * 8)


def _el(tag, **attrs):
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def _banji_table(doc, d):
    """版记 (GB/T 9704 7.4) as a one-column table floated to the bottom of the 版心 on the
    last page: a thick line, 抄送 (if any), a thin line, 印发机关 left and 印发日期 right
    (each one character in from the edge), and a thick line on the 版心's lower edge."""
    width_twips = round(TYPE_AREA_MM[0] * PT_PER_MM * 20)
    rows = ([d["cc"]] if d["cc"] else []) + [None]
    table = doc.add_table(rows=len(rows), cols=1)
    # tblPr's children in the schema's order (ECMA-376 17.4.60): Word refuses others.
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    tbl_pr.append(_el("w:tblpPr", leftFromText=0, rightFromText=0, topFromText=0,
                      bottomFromText=0, vertAnchor="margin", horzAnchor="margin",
                      tblpXSpec="center", tblpYSpec="bottom"))
    tbl_pr.append(_el("w:tblOverlap", val="never"))
    tbl_pr.append(_el("w:tblW", w=width_twips, type="dxa"))
    tbl_pr.append(_el("w:jc", val="center"))
    borders = _el("w:tblBorders")
    for edge, size in (("top", BANJI_THICK), ("left", 0), ("bottom", BANJI_THICK),
                       ("right", 0), ("insideH", BANJI_THIN), ("insideV", 0)):
        borders.append(_el(f"w:{edge}", val="single" if size else "nil", sz=size, space=0,
                           color="000000"))
    tbl_pr.append(borders)
    tbl_pr.append(_el("w:tblLayout", type="fixed"))
    margins = _el("w:tblCellMar")
    for edge in ("left", "right"):
        margins.append(_el(f"w:{edge}", w=0, type="dxa"))
    tbl_pr.append(margins)
    if look is not None:
        tbl_pr.append(look)
    table._tbl.tblGrid.find(qn("w:gridCol")).set(qn("w:w"), str(width_twips))
    one_char = Pt(BANJI_PT)
    for row, text in zip(table.rows, rows, strict=True):
        row.cells[0].width = Mm(TYPE_AREA_MM[0])
        p = row.cells[0].paragraphs[0]
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PITCH_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.right_indent = one_char                                  # 右空一字
        # 4号, off the 3号 grid; placed where the schema wants it (before spacing, ind).
        p._p.get_or_add_pPr().insert_element_before(
            _el("w:snapToGrid", val=0), "w:spacing", "w:ind", "w:jc", "w:rPr")
        if text:  # 抄送：…, wrapped lines aligned after the colon (7.4.2)
            fmt.left_indent = one_char * 4
            fmt.first_line_indent = -one_char * 3
            _font(p.add_run(text), BODY_FONT, BANJI_PT)
        else:     # 印发机关 左空一字, 印发日期 右空一字 (7.4.3)
            fmt.left_indent = one_char
            fmt.tab_stops.add_tab_stop(Mm(TYPE_AREA_MM[0]) - one_char,
                                       alignment=WD_TAB_ALIGNMENT.RIGHT)
            _font(p.add_run(f"{d['printer']}\t{d['printed']}"), BODY_FONT, BANJI_PT)
    return table


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


def render_pdf(bulletin, **preview) -> bytes:
    """The PDF; `preview` (preview_number, preview_on) renders a draft as it would be issued,
    marked 签发前预览 on every page."""
    from core.pdf import html_to_pdf

    d = document(bulletin, **preview)
    blocks = d["blocks"]
    html = render_to_string("supervision/bulletin_print.html", {
        "d": d, "body": blocks[:-1], "last": blocks[-1] if blocks else None,
        "margins": MARGINS_MM, "body_pt": BODY_PT, "title_pt": TITLE_PT,
        "number_pt": PAGE_NUMBER_PT, "line_pt": LINE_PITCH_PT, "char_pt": round(CHAR_PITCH_PT, 3),
        "letter_spacing_pt": LETTER_SPACING_PT, "masthead_top_mm": MASTHEAD_TOP_MM,
        "rule_gap_mm": RULE_GAP_MM, "red": RED, "lang": "zh-Hans", "banji_pt": BANJI_PT,
        "banji_thick_pt": round(BANJI_THICK / 8, 2), "banji_thin_pt": round(BANJI_THIN / 8, 2)})
    return html_to_pdf(html)  # fetches only our static files (core/pdf.py)
