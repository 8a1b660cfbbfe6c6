"""会议材料: what a meeting needs from the data of its period, as a frozen snapshot.

Every row of the snapshot names the unit, project or action item it is about (`unit_id`,
`project_id`, `item_id`), so that each reader gets their own part of the same frozen pack:
the office and the bureau the whole of it, a unit the rows of its projects and its items,
a city leader the rows of their 分包 (`part_for`).
"""

import io
import math
from datetime import date, timedelta

from django.db.models import Q
from docx import Document
from docx.shared import Mm, Pt

from core.dates import cn_date, cn_month_day
from org.models import LeaderAssignment, user_unit_ids
from org.roles import Reach, reach_of, sees_whole_city
from projects import periods
from projects.choices import Colour, ReportStatus
from projects.models import ProgressReport, Project, ReportProblem, StatusTransition
from supervision.choices import ActionItemStatus, MeetingKind, MeetingStatus
from supervision.models import ActionItem, Meeting

LABELS = dict(Colour.choices)
ROUTE_STOPS = 8


def pack_period(meeting):
    """From the day after the previous meeting of the same kind (one that was held, not
    cancelled) to the meeting day."""
    previous = (Meeting.objects.active().filter(plan=meeting.plan, kind=meeting.kind,
                                                date__lt=meeting.date)
                .exclude(status=MeetingStatus.CANCELLED).order_by("-date").first())
    start = previous.date + timedelta(days=1) if previous else meeting.date - timedelta(days=7)
    return start, meeting.date


def build_content(meeting, start, end) -> dict:
    projects = Project.objects.active().filter(plan=meeting.plan)
    changes = {}
    # A project's first computed colour is not a change; later transitions are.
    for t in (StatusTransition.objects.filter(project__in=projects, dimension="overall",
                                              as_of__gte=start, as_of__lte=end)
              .exclude(from_colour="")
              .select_related("project__lead_unit").order_by("at", "id")):
        first = changes.setdefault(t.project_id, {"from": t.from_colour, "project": t.project})
        first["to"], first["reasons"] = t.to_colour, t.reasons
    changed = [{"project": c["project"].name, "code": c["project"].code,
                "project_id": c["project"].pk, "unit_id": c["project"].lead_unit_id,
                "unit": c["project"].lead_unit.name, "from": LABELS.get(c["from"], "—"),
                "to": LABELS[c["to"]], "reasons": c["reasons"][:3]}
               for c in changes.values() if c["from"] != c["to"]]
    # The periods due in the pack's window, by the plan's reporting calendar: a period that
    # starts the day before the window is still this window's.
    reports = (ProgressReport.objects.filter(project__in=projects)
               .filter(periods.reports_due_in(start, end, plans=[meeting.plan]))
               .filter(Q(is_late=True) | Q(status=ReportStatus.MISSING))
               .select_related("project__lead_unit"))
    by_unit: dict[str, dict] = {}
    for r in reports:
        row = by_unit.setdefault(r.project.lead_unit.name, {"unit": r.project.lead_unit.name,
                                                            "unit_id": r.project.lead_unit_id,
                                                            "missing": 0, "late": 0})
        row["missing" if r.status == ReportStatus.MISSING else "late"] += 1
    problems = [{"project": p.project.name, "problem": p.description,
                 "coordinate_with": p.coordinate_with, "project_id": p.project_id,
                 "unit_id": p.project.lead_unit_id}
                for p in ReportProblem.objects.active().filter(project__in=projects,
                                                               resolved=False)
                .select_related("project")[:100]]
    items = [{"title": i.title, "unit": i.unit.name, "deadline": i.deadline.isoformat(),
              "item_id": i.pk, "unit_id": i.unit_id,
              "status": i.get_status_display(), "overdue": i.deadline < end}
             for i in ActionItem.objects.active().exclude(status=ActionItemStatus.CLOSED)
             .select_related("unit").order_by("deadline")[:100]]
    content = {"changed": changed, "reports": sorted(by_unit.values(),
                                                     key=lambda r: -(r["missing"] + r["late"])),
               "problems": problems, "items": items}
    if meeting.kind == MeetingKind.QUARTERLY_ONSITE:
        content["route"] = site_route(projects)
    return content


# Which rows of each part of the pack a reader with a partial view gets: a row whose
# project they see, whose unit is theirs, or whose action item they see. A row without
# those ids (a pack issued before they were recorded) is shown to nobody but the whole-pack
# readers: a part fails closed.
PART_KEYS = {"changed": ("project_id",), "reports": ("unit_id",), "problems": ("project_id",),
             "items": ("item_id",), "route": ("project_id",)}


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
    mine = {"project_id": set(Project.objects.visible_to(user).values_list("pk", flat=True)),
            "unit_id": units,
            "item_id": set(ActionItem.objects.visible_to(user).values_list("pk", flat=True))}
    part = {key: value for key, value in content.items() if key not in PART_KEYS}
    for key, ids in PART_KEYS.items():
        if key in content:
            part[key] = [row for row in content[key]
                         if any(row.get(i) in mine[i] for i in ids)]
    return part


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


def render_docx(pack, content=None, part=None) -> bytes:
    """The pack as a Word file: the whole of it, or (`content`, `part`) one reader's part."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    doc.styles["Normal"].font.size = Pt(14)
    meeting = meeting_as_issued(pack)
    doc.add_heading(f"{meeting['title']}会议材料", level=0)
    doc.add_paragraph(f"{_day(meeting['date'])} · {meeting['location']} · "
                      f"材料期间 {_span(pack.period_start, pack.period_end)}")
    if pack.issued_at:  # the local day: an issue at 01:30 Beijing time is that day's
        doc.add_paragraph(f"{cn_date(pack.issued_at)}印发")
    if part:
        doc.add_paragraph(f"（本件为会议材料中涉及{part}的部分。）")
    c = pack.content if content is None else content
    sections = [
        ("一、亮灯变化的项目", [f"{r['project']}（{r['unit']}）：{r['from']} → {r['to']}。"
                          f"{'；'.join(r['reasons'])}" for r in c.get("changed", [])]),
        ("二、未按时报送进度的单位", [f"{r['unit']}：未报{r['missing']}期，迟报{r['late']}期。"
                              for r in c.get("reports", [])]),
        ("三、需协调解决的问题", [f"{r['project']}：{r['problem']}"
                            f"{'（需协调：' + r['coordinate_with'] + '）' if r['coordinate_with'] else ''}"
                            for r in c.get("problems", [])]),
        ("四、未办结的交办事项", [f"{r['title']}（{r['unit']}，{_day(r['deadline'])}前，{r['status']}"
                            f"{'，已逾期' if r['overdue'] else ''}）" for r in c.get("items", [])]),
    ]
    if c.get("route"):
        sections.append(("五、现场观摩路线", [f"{s['order']}. {s['project']}（{s['colour']}）"
                                       for s in c["route"]]))
    for heading, rows in sections:
        doc.add_heading(heading, level=1)
        for row in rows or ["无。"]:
            doc.add_paragraph(row)
    if pack.notes:
        doc.add_heading("会议要点", level=1)
        for line in pack.notes.splitlines():
            if line.strip():
                doc.add_paragraph(line.strip())
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
