"""会议材料: what a meeting needs from the data of its period, as a frozen snapshot.

Every row of the snapshot names the unit, project or action item it is about (`unit_id`,
`project_id`, `item_id`), so that each reader gets their own part of the same frozen pack:
the office and the bureau the whole of it, a unit the rows of its projects and its items,
a city leader the rows of their 分包 (`part_for`).

The pack opens with the summary figures of the plan (counts only, no names: every reader
gets them, as everyone at the meeting hears them), then lists the projects that turned
better and those that turned worse, each project written with its code.

Before the pack is issued the office, a leader or a unit may download a 征求意见稿: the
same document computed from the data at that moment, marked as a draft in its header
(`render_pack_docx(draft_at=…)`).
"""

import io
import math
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from core.dates import cn_date, cn_datetime, cn_month_day
from org.models import LeaderAssignment, user_unit_ids
from org.roles import Reach, reach_of, sees_whole_city
from projects import periods
from projects.choices import COLOUR_RANK, Colour, ReportStatus
from projects.models import (
    ProgressReport,
    Project,
    ProjectStatus,
    ProjectYearPlan,
    ReportProblem,
    StatusTransition,
)
from supervision.choices import ActionItemStatus, MeetingKind, MeetingStatus
from supervision.models import ActionItem, Meeting

LABELS = dict(Colour.choices)
ROUTE_STOPS = 8
FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
NUMERALS = "一二三四五六七八九十"
# Colours that a project can get better from or worse into (grey 未开工 and blue 已完工 are
# states: grey → green is a start, green → blue a completion, neither better nor worse).
WARNING = (Colour.YELLOW, Colour.RED)


def previous_meeting(meeting):
    """The last meeting of the same kind and plan before this one that was held (not
    cancelled), or None."""
    return (Meeting.objects.active().filter(plan=meeting.plan, kind=meeting.kind,
                                            date__lt=meeting.date)
            .exclude(status=MeetingStatus.CANCELLED).order_by("-date").first())


def pack_period(meeting):
    """From the day after the previous meeting of the same kind (one that was held, not
    cancelled) to the meeting day."""
    previous = previous_meeting(meeting)
    start = previous.date + timedelta(days=1) if previous else meeting.date - timedelta(days=7)
    return start, meeting.date


def project_label(code: str, name: str) -> str:
    """A project as the pack names it: its code, then its name (names repeat; codes don't)."""
    return f"{code} {name}" if code else name


def direction(from_colour: str, to_colour: str) -> str:
    """"better" (转好), "worse" (转差) or "other" (started, completed) for one change."""
    if to_colour in WARNING and COLOUR_RANK.get(to_colour, 0) > COLOUR_RANK.get(from_colour, 0):
        return "worse"
    if from_colour in WARNING and COLOUR_RANK.get(to_colour, 0) < COLOUR_RANK.get(from_colour, 0):
        return "better"
    return "other"


def _reasons_before(project_ids, start) -> dict[int, list[str]]:
    """Each project's reasons of the colour it had when the window opened: what an
    improvement put right."""
    found: dict[int, list[str]] = {}
    for pid, reasons in (StatusTransition.objects.filter(
            project_id__in=project_ids, dimension="overall", as_of__lt=start)
            .order_by("-as_of", "-at", "-id").values_list("project_id", "reasons")):
        found.setdefault(pid, reasons or [])
    return found


def colour_changes(projects, start, end) -> list[dict]:
    """The projects whose overall colour changed in the window (first colour → last)."""
    changes = {}
    # A project's first computed colour is not a change; later transitions are.
    for t in (StatusTransition.objects.filter(project__in=projects, dimension="overall",
                                              as_of__gte=start, as_of__lte=end)
              .exclude(from_colour="")
              .select_related("project__lead_unit").order_by("as_of", "at", "id")):
        first = changes.setdefault(t.project_id, {"from": t.from_colour, "project": t.project})
        first["to"], first["reasons"] = t.to_colour, t.reasons
    changed = [c for c in changes.values() if c["from"] != c["to"]]
    before = _reasons_before([c["project"].pk for c in changed
                              if direction(c["from"], c["to"]) == "better"], start)
    return [{"project": c["project"].name, "code": c["project"].code,
             "project_id": c["project"].pk, "unit_id": c["project"].lead_unit_id,
             "unit": c["project"].lead_unit.name, "from": LABELS.get(c["from"], "—"),
             "to": LABELS[c["to"]], "direction": direction(c["from"], c["to"]),
             "reasons": c["reasons"][:3],
             "was_reasons": before.get(c["project"].pk, [])[:3]}
            for c in changed]


def colours_on(projects, day) -> Counter:
    """How many projects had each overall colour at the end of `day`, from the transitions
    (each project's last colour computed for a day up to it)."""
    last: dict[int, str] = {}
    for pid, colour in (StatusTransition.objects.filter(project__in=projects,
                                                        dimension="overall", as_of__lte=day)
                        .order_by("as_of", "at", "id").values_list("project_id", "to_colour")):
        last[pid] = colour
    return Counter(last.values())


def year_investment(projects, year: int, until) -> tuple[Decimal, Decimal]:
    """(planned, done) in 万元 for the year: the year plans, and each project's latest filed
    cumulative of the year up to `until`."""
    planned = (ProjectYearPlan.objects.filter(project__in=projects, year=year, archived_at=None)
               .aggregate(s=Sum("planned_investment"))["s"] or Decimal("0"))
    latest = (ProgressReport.objects.filter(project=OuterRef("pk"), status__in=FILED,
                                            period_start__year=year, period_start__lte=until)
              .order_by("-period_start").values("investment_year_cumulative")[:1])
    done = sum((v or Decimal("0") for v in projects.annotate(done=Subquery(latest))
                .values_list("done", flat=True)), Decimal("0"))
    cent = Decimal("0.01")  # to the cent on every database (SQLite sums lose the scale)
    return Decimal(planned).quantize(cent), Decimal(done).quantize(cent)


def summary_figures(meeting, projects, start, end, reports) -> dict:
    """The figures the pack opens with (counts and sums only; amounts kept in 万元 as text)."""
    now = Counter(ProjectStatus.objects.filter(project__in=projects)
                  .values_list("overall", flat=True))
    before = colours_on(projects, start - timedelta(days=1))
    counted = reports.aggregate(
        due=Count("pk"), filed=Count("pk", filter=Q(status__in=FILED)),
        late=Count("pk", filter=Q(is_late=True, status__in=FILED)),  # part of the filed
        missing=Count("pk", filter=Q(status=ReportStatus.MISSING)))
    items = ActionItem.objects.active().exclude(status=ActionItemStatus.CLOSED)
    planned, done = year_investment(projects, end.year, end)
    previous = previous_meeting(meeting)
    return {
        # what the red and yellow counts are compared with: the last meeting, or (the
        # first meeting of its kind) the day before the window
        "since": (f"上次会议（{cn_month_day(previous.date)}）" if previous
                  else f"{cn_month_day(start - timedelta(days=1))}"),
        "projects": projects.count(),
        "colours": {c: now.get(c, 0) for c in Colour.values},
        "red_change": now.get(Colour.RED, 0) - before.get(Colour.RED, 0),
        "yellow_change": now.get(Colour.YELLOW, 0) - before.get(Colour.YELLOW, 0),
        "reports": counted,
        "items": {"open": items.count(), "overdue": items.filter(deadline__lt=end).count()},
        "investment": {"year": end.year, "planned": str(planned), "done": str(done)},
    }


def build_content(meeting, start, end) -> dict:
    projects = Project.objects.active().filter(plan=meeting.plan)
    changed = colour_changes(projects, start, end)
    # The periods due in the pack's window, by the plan's reporting calendar: a period that
    # starts the day before the window is still this window's.
    due = (ProgressReport.objects.filter(project__in=projects)
           .filter(periods.reports_due_in(start, end, plans=[meeting.plan])))
    by_unit: dict[str, dict] = {}
    for r in (due.filter(Q(is_late=True) | Q(status=ReportStatus.MISSING))
              .select_related("project__lead_unit").order_by("project__code", "period_start")):
        row = by_unit.setdefault(r.project.lead_unit.name, {"unit": r.project.lead_unit.name,
                                                            "unit_id": r.project.lead_unit_id,
                                                            "missing": 0, "late": 0,
                                                            "projects": []})
        row["missing" if r.status == ReportStatus.MISSING else "late"] += 1
        label = project_label(r.project.code, r.project.name)
        if label not in row["projects"]:
            row["projects"].append(label)
    problems = [{"project": p.project.name, "code": p.project.code, "problem": p.description,
                 "coordinate_with": p.coordinate_with, "project_id": p.project_id,
                 "unit_id": p.project.lead_unit_id}
                for p in ReportProblem.objects.active().filter(project__in=projects,
                                                               resolved=False)
                .select_related("project").order_by("project__code", "pk")[:100]]
    items = [{"title": i.title, "unit": i.unit.name, "deadline": i.deadline.isoformat(),
              "item_id": i.pk, "unit_id": i.unit_id,
              "project": i.project.name if i.project_id else "",
              "code": i.project.code if i.project_id else "",
              "status": i.get_status_display(), "overdue": i.deadline < end}
             for i in ActionItem.objects.active().exclude(status=ActionItemStatus.CLOSED)
             .select_related("unit", "project").order_by("deadline")[:100]]
    content = {"summary": summary_figures(meeting, projects, start, end, due),
               "changed": changed,
               "reports": sorted(by_unit.values(), key=lambda r: -(r["missing"] + r["late"])),
               "problems": problems, "items": items}
    if meeting.kind == MeetingKind.QUARTERLY_ONSITE:
        content["route"] = site_route(projects)
    return content


# Which rows of each part of the pack a reader with a partial view gets: a row whose
# project they see, whose unit is theirs, or whose action item they see. A row without
# those ids (a pack issued before they were recorded) is shown to nobody but the whole-pack
# readers: a part fails closed. The summary is figures only and goes to every reader.
PART_KEYS = {"changed": ("project_id",), "reports": ("unit_id",), "problems": ("project_id",),
             "items": ("item_id",), "route": ("project_id",)}


def _rows_of(content: dict, mine: dict) -> dict:
    part = {key: value for key, value in content.items() if key not in PART_KEYS}
    for key, ids in PART_KEYS.items():
        if key in content:
            part[key] = [row for row in content[key]
                         if any(row.get(i) in mine[i] for i in ids)]
    return part


def part_for(content: dict, user) -> dict:
    """The part of a pack's frozen content that `user` may read (the whole for the office
    and the bureau; for a unit its projects and items; for a city leader their 分包)."""
    if sees_whole_city(user):
        return content
    if reach_of(user) == Reach.ASSIGNMENTS:
        units = set(LeaderAssignment.objects.visible_to(user).values_list("unit_id", flat=True))
    elif reach_of(user) == Reach.OWN_UNIT:
        units = user_unit_ids(user)
    else:
        units = set()
    return _rows_of(content, {
        "project_id": set(Project.objects.visible_to(user).values_list("pk", flat=True)),
        "unit_id": units,
        "item_id": set(ActionItem.objects.visible_to(user).values_list("pk", flat=True))})


def units_readable_by(user) -> set[int] | None:
    """The units whose part of a pack `user` may ask for by name (None: any unit)."""
    if sees_whole_city(user):
        return None
    if reach_of(user) == Reach.ASSIGNMENTS:
        return set(LeaderAssignment.objects.visible_to(user).values_list("unit_id", flat=True))
    if reach_of(user) == Reach.OWN_UNIT:
        return set(user_unit_ids(user))
    return set()


def part_for_unit(content: dict, unit) -> dict:
    """One unit's part (what its own accounts read): the rows of the projects it leads or
    works on, its units' rows and its action items. The caller has checked the reader may
    ask for this unit (`units_readable_by`)."""
    projects = Project.objects.active().filter(Q(lead_unit=unit) | Q(cooperating_units=unit))
    return _rows_of(content, {
        "project_id": set(projects.values_list("pk", flat=True)),
        "unit_id": {unit.pk},
        "item_id": set(ActionItem.objects.active().filter(unit=unit)
                       .values_list("pk", flat=True))})


def part_label(user) -> str:
    """Whose part a partial reader gets, as the document says it."""
    if reach_of(user) == Reach.ASSIGNMENTS and user.person_id:
        return f"{user.person.name}分包联系"
    return user.unit.name if user.unit_id else user.get_username()


def site_route(projects) -> list[dict]:
    """Red projects first (then yellow), visited in nearest-neighbour order from the centre."""
    stops = list(projects.exclude(min_lon=None).filter(status__overall__in=(
        Colour.RED, Colour.YELLOW)).order_by("status__overall", "code")[:ROUTE_STOPS * 3])
    stops.sort(key=lambda p: p.status.overall != Colour.RED)
    stops = stops[:ROUTE_STOPS]
    if not stops:
        return []
    lon = sum((p.min_lon + p.max_lon) / 2 for p in stops) / len(stops)
    lat = sum((p.min_lat + p.max_lat) / 2 for p in stops) / len(stops)
    here, route = (lon, lat), []
    remaining = stops[:]
    while remaining:
        nxt = min(remaining, key=lambda p: math.dist(here, ((p.min_lon + p.max_lon) / 2,
                                                             (p.min_lat + p.max_lat) / 2)))
        remaining.remove(nxt)
        here = ((nxt.min_lon + nxt.max_lon) / 2, (nxt.min_lat + nxt.max_lat) / 2)
        route.append({"order": len(route) + 1, "project": nxt.name, "code": nxt.code,
                      "project_id": nxt.pk, "unit_id": nxt.lead_unit_id,
                      "lon": round(here[0], 6), "lat": round(here[1], 6),
                      "colour": LABELS[nxt.status.overall]})
    return route


def route_svg(route, size=360) -> str:
    """A small map of the route (points in order), drawn on the server."""
    if not route:
        return ""
    xs, ys = [s["lon"] for s in route], [s["lat"] for s in route]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    span = max(maxx - minx, maxy - miny, 1e-4)

    def pt(s):
        return (20 + (s["lon"] - minx) / span * (size - 40),
                size - 20 - (s["lat"] - miny) / span * (size - 40))

    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(pt, route))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#9f1239"/><text x="{x:.1f}" '
                   f'y="{y + 4:.1f}" text-anchor="middle" fill="#fff" font-size="11">'
                   f'{s["order"]}</text>' for s, (x, y) in zip(route, map(pt, route), strict=True))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'class="route-map"><rect width="{size}" height="{size}" fill="#f1f5f9"/>'
            f'<polyline points="{path}" fill="none" stroke="#2563eb" stroke-width="2" '
            f'stroke-dasharray="6 4"/>{dots}</svg>')


def _span(start, end) -> str:
    """材料期间 as people write it: the year once, unless the span crosses one."""
    if start.year != end.year:
        return f"{cn_date(start)}—{cn_date(end)}"
    return f"{cn_month_day(start)}—{cn_month_day(end)}"


def _day(iso: str) -> str:
    """A date kept as ISO text in the frozen content, written the Chinese way."""
    return cn_date(date.fromisoformat(iso))


def meeting_snapshot(meeting) -> dict:
    """The meeting as the pack prints it, kept in the content when the pack is issued: a
    reader's part rendered later says what the frozen file says, even after a move."""
    return {"title": meeting.title, "date": meeting.date.isoformat(),
            "location": meeting.location}


def meeting_as_issued(pack) -> dict:
    """The snapshot kept at issue, or the meeting as it is now (drafts; packs issued before
    snapshots were kept)."""
    return (pack.content or {}).get("meeting") or meeting_snapshot(pack.meeting)


def money(wan) -> str:
    """An amount kept in 万元, written in 亿元 once it reaches one (10,000 万元)."""
    amount = Decimal(str(wan or 0))
    if abs(amount) >= 10000:
        return f"{amount / 10000:,.2f}亿元"
    return f"{amount:,.2f}万元"


def _change(n: int, since: str) -> str:
    if n > 0:
        return f"较{since}增加{n}个"
    if n < 0:
        return f"较{since}减少{-n}个"
    return f"与{since}持平"


def summary_lines(s: dict) -> list[str]:
    """The opening figures as sentences (the page and the Word file say the same)."""
    if not s:
        return []
    c, r, i, inv = s["colours"], s["reports"], s["items"], s["investment"]
    planned, done = Decimal(inv["planned"]), Decimal(inv["done"])
    rate = f"，完成率{done / planned * 100:.1f}%" if planned else ""
    return [
        f"纳入调度项目{s['projects']}个：红灯{c['red']}个、黄灯{c['yellow']}个、绿灯{c['green']}个、"
        f"未开工{c['grey']}个、已完工{c['blue']}个。",
        f"红灯项目{c['red']}个，{_change(s['red_change'], s.get('since', '上次会议'))}；"
        f"黄灯项目{c['yellow']}个，{_change(s['yellow_change'], s.get('since', '上次会议'))}。",
        f"材料期间应报进度{r['due']}份，已报{r['filed']}份（其中迟报{r['late']}份），"
        f"未报{r['missing']}份。",
        f"未办结交办事项{i['open']}项，其中逾期{i['overdue']}项。",
        f"{inv['year']}年计划投资{money(planned)}，已完成{money(done)}{rate}。",
    ]


def _changed_row(r: dict) -> str:
    head = (f"{project_label(r.get('code', ''), r['project'])}（{r['unit']}）："
            f"{r['from']} → {r['to']}。")
    if r.get("direction") == "better":
        was = "；".join(r.get("was_reasons") or [])
        return head + (f"此前原因：{was}。" if was else "") + (
            f"现存问题：{'；'.join(r['reasons'])}" if r["reasons"] else "")
    return head + (f"原因：{'；'.join(r['reasons'])}" if r["reasons"] else "")


def _report_row(r: dict) -> str:
    names = r.get("projects") or []
    more = f"等{len(names)}个项目" if len(names) > 5 else ""
    behind = f"（{'、'.join(names[:5])}{more}）" if names else ""
    return f"{r['unit']}：未报{r['missing']}期，迟报{r['late']}期{behind}。"


def _problem_row(r: dict) -> str:
    need = f"（需协调：{r['coordinate_with']}）" if r["coordinate_with"] else ""
    return f"{project_label(r.get('code', ''), r['project'])}：{r['problem']}{need}"


def _item_row(r: dict) -> str:
    about = (f"【{project_label(r.get('code', ''), r['project'])}】"
             if r.get("project") else "")
    return (f"{about}{r['title']}（{r['unit']}，{_day(r['deadline'])}前，{r['status']}"
            f"{'，已逾期' if r['overdue'] else ''}）")


def pack_sections(c: dict) -> list[tuple[str, list[str]]]:
    """The pack's parts in order, numbered, as (heading, rows): the summary first, then
    what turned better and what turned worse as two lists. A pack frozen before the summary
    and the split were kept has rows without a direction: they stay one list."""
    changed = c.get("changed", [])
    parts = []
    if "summary" in c:
        parts.append(("总体情况", summary_lines(c["summary"])))
    if changed and all("direction" in r for r in changed):
        parts.append(("亮灯转好的项目", [_changed_row(r) for r in changed
                                     if r["direction"] == "better"]))
        parts.append(("亮灯转差的项目", [_changed_row(r) for r in changed
                                     if r["direction"] == "worse"]))
        others = [_changed_row(r) for r in changed if r["direction"] == "other"]
        if others:
            parts.append(("开工、完工等其他变化", others))
    elif "summary" in c:
        parts += [("亮灯转好的项目", []), ("亮灯转差的项目", [])]
    else:
        parts.append(("亮灯变化的项目", [_changed_row(r) for r in changed]))
    parts += [
        ("未按时报送进度的单位", [_report_row(r) for r in c.get("reports", [])]),
        ("需协调解决的问题", [_problem_row(r) for r in c.get("problems", [])]),
        ("未办结的交办事项", [_item_row(r) for r in c.get("items", [])]),
    ]
    if c.get("route"):
        parts.append(("现场观摩路线", [
            f"{s['order']}. {project_label(s.get('code', ''), s['project'])}（{s['colour']}）"
            for s in c["route"]]))
    return [(f"{NUMERALS[n]}、{heading}", rows) for n, (heading, rows) in enumerate(parts)]


def render_docx(pack, content=None, part=None) -> bytes:
    """The pack as a Word file: the whole of it, or (`content`, `part`) one reader's part."""
    return render_pack_docx(meeting=meeting_as_issued(pack), start=pack.period_start,
                            end=pack.period_end, notes=pack.notes, issued_at=pack.issued_at,
                            content=pack.content if content is None else content, part=part)


DRAFT_MARK = "征求意见稿"


def render_pack_docx(*, meeting: dict, start, end, content: dict, notes="", issued_at=None,
                     part=None, draft_at=None) -> bytes:
    """Write the pack. With `draft_at` it is a 征求意见稿 computed at that moment: the title,
    the page header of every page and a note under the title say so, so a print-out is
    never taken for the issued pack."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    doc.styles["Normal"].font.size = Pt(14)
    if draft_at is not None:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(f"{DRAFT_MARK}（草稿）· 数据截至{cn_datetime(draft_at)} · "
                             "以印发稿为准")
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        run.bold = True
    title = f"{meeting['title']}会议材料"
    doc.add_heading(f"{title}（{DRAFT_MARK}）" if draft_at is not None else title, level=0)
    doc.add_paragraph(f"{_day(meeting['date'])} · {meeting['location']} · "
                      f"材料期间 {_span(start, end)}")
    if draft_at is not None:
        doc.add_paragraph(f"（本件为{DRAFT_MARK}，按{cn_datetime(draft_at)}的数据生成，"
                          "印发前仍会变化。）")
    elif issued_at:  # the local day: an issue at 01:30 Beijing time is that day's
        doc.add_paragraph(f"{cn_date(issued_at)}印发")
    if part:
        doc.add_paragraph(f"（本件为会议材料中涉及{part}的部分。）")
    for heading, rows in pack_sections(content):
        doc.add_heading(heading, level=1)
        for row in rows or ["无。"]:
            doc.add_paragraph(row)
    if notes:
        doc.add_heading("会议要点", level=1)
        for line in notes.splitlines():
            if line.strip():
                doc.add_paragraph(line.strip())
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
