"""推进时序: Gantt charts of one project's milestones or of a portfolio, as SVG.

Drawn on the server so the same picture goes to the page, the PDF and the PNG.
Every name in it is user data (projects, milestones): each goes through django's
escape(), which also escapes quotes, because a name ends up inside attributes too
(aria-label) and xml.sax.saxutils.escape leaves `"` as is — a project named
`Q" onload="alert(1)//` would add an attribute and run script.
Diamonds: ◇ grey = baseline date, ◆ = current planned date (red when overdue and
not done), ● green = actual completion; the dashed line is today.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape

from projects.choices import COLOUR_HEX

LABEL_W, ROW_H, TOP, RIGHT_PAD = 260, 24, 46, 20
WIDTH = 1280


@dataclass
class Row:
    label: str
    bar: tuple[date, date] | None  # planned start → finish
    colour: str                    # status colour of the bar
    marks: list[tuple[date | None, date, date | None, str]]  # (baseline, planned, actual, name)


def _axis(rows, today):
    dates = [today]
    for row in rows:
        if row.bar:
            dates += list(row.bar)
        for baseline, planned, actual, _ in row.marks:
            dates += [d for d in (baseline, planned, actual) if d]
    start, end = min(dates), max(dates)
    start = date(start.year, start.month, 1)
    end = (date(end.year, end.month, 28) + timedelta(days=8)).replace(day=1)
    return start, end


def render_svg(rows: list[Row], *, title: str, today: date) -> str:
    start, end = _axis(rows, today) if rows else (today, today + timedelta(days=30))
    span = max((end - start).days, 1)
    plot_w = WIDTH - LABEL_W - RIGHT_PAD
    height = TOP + ROW_H * max(len(rows), 1) + 30

    def x(d):
        return LABEL_W + (d - start).days / span * plot_w

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="Noto Sans CJK SC, Microsoft YaHei, '
           f'sans-serif" font-size="12" role="img" aria-label="{escape(title)}">',
           f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
           f'<text x="12" y="20" font-size="16" font-weight="bold">{escape(title)}</text>']
    month = start
    while month <= end:  # month grid and labels
        mx = x(month)
        out.append(f'<line x1="{mx:.1f}" y1="{TOP - 12}" x2="{mx:.1f}" y2="{height - 24}" '
                   f'stroke="#e5e7eb"/>')
        if month.month in (1, 4, 7, 10) or span < 400:
            out.append(f'<text x="{mx + 2:.1f}" y="{TOP - 16}" fill="#6b7280" font-size="11">'
                       f'{month:%Y-%m}</text>')
        month = (month + timedelta(days=32)).replace(day=1)
    for i, row in enumerate(rows):
        y = TOP + i * ROW_H
        if i % 2:
            out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW_H}" fill="#f9fafb"/>')
        out.append(f'<text x="8" y="{y + 16}">{escape(row.label[:22])}</text>')
        if row.bar:
            bx, ex = x(row.bar[0]), x(row.bar[1])
            out.append(f'<rect x="{bx:.1f}" y="{y + 7}" width="{max(ex - bx, 2):.1f}" height="10" '
                       f'rx="3" fill="{COLOUR_HEX.get(row.colour, "#9ca3af")}" opacity="0.35"/>')
        for baseline, planned, actual, name in row.marks:
            out += _marks(x, y, baseline, planned, actual, name, today)
    tx = x(today)
    out.append(f'<line x1="{tx:.1f}" y1="{TOP - 8}" x2="{tx:.1f}" y2="{height - 24}" '
               f'stroke="#2563eb" stroke-width="1.5" stroke-dasharray="5 4"/>')
    out.append(f'<text x="{tx + 3:.1f}" y="{height - 10}" fill="#2563eb" font-size="11">'
               f'今天 {today:%Y-%m-%d}</text>')
    out.append(f'<text x="{WIDTH - 12}" y="{height - 10}" text-anchor="end" fill="#6b7280" '
               f'font-size="11">◇ 基线　◆ 当前计划（红色为超期未完成）　● 实际完成</text>')
    out.append("</svg>")
    return "".join(out)


def _diamond(cx, cy, r, fill, stroke):
    return (f'<polygon points="{cx:.1f},{cy - r} {cx + r:.1f},{cy} {cx:.1f},{cy + r} '
            f'{cx - r:.1f},{cy}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>')


def _marks(x, y, baseline, planned, actual, name, today):
    cy = y + ROW_H / 2
    out = []
    if baseline and baseline != planned:
        out.append(_diamond(x(baseline), cy, 5, "#fff", "#9ca3af"))
        out.append(f'<line x1="{x(baseline):.1f}" y1="{cy}" x2="{x(planned):.1f}" y2="{cy}" '
                   f'stroke="#9ca3af" stroke-dasharray="2 2"/>')
    late = actual is None and planned < today
    colour = "#dc2626" if late else "#374151"
    out.append(_diamond(x(planned), cy, 6, colour, colour))
    out.append(f'<title>{escape(name)}：计划 {planned:%Y-%m-%d}'
               f'{"，实际 " + actual.strftime("%Y-%m-%d") if actual else ""}</title>')
    if actual:
        out.append(f'<circle cx="{x(actual):.1f}" cy="{cy}" r="4" fill="#16a34a"/>')
    return out


def project_rows(project) -> list[Row]:
    """One row per milestone of a project."""
    colour = getattr(getattr(project, "status", None), "overall", "grey")
    return [Row(f"{m.seq}. {m.name}", None, colour,
                [(m.baseline_date, m.planned_date, m.actual_date, m.name)])
            for m in project.milestones.active().order_by("seq")]


def portfolio_rows(projects) -> list[Row]:
    """One row per project: its planned span and its milestones as diamonds."""
    from projects.models import Milestone

    marks: dict[int, list] = {}
    for m in Milestone.objects.filter(project__in=[p.pk for p in projects],
                                      archived_at=None).order_by("seq"):
        marks.setdefault(m.project_id, []).append(
            (m.baseline_date, m.planned_date, m.actual_date, m.name))
    rows = []
    for p in projects:
        bar = (p.start_date, p.finish_date) if p.start_date and p.finish_date else None
        colour = getattr(getattr(p, "status", None), "overall", "grey")
        rows.append(Row(p.name, bar, colour, marks.get(p.pk, [])))
    return rows
