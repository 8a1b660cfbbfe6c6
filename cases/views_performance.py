"""绩效评价 pages: the ranking table, the cases behind each figure, the heat map, the weights.

Who: the desk, the supervision bureau and city leaders see every unit; a handling unit's
staff see their own unit's figures (and, by the other dimensions, their own cases' only).
The cases behind a figure are read through Case.objects.visible_to, as every case page.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views import View

from cases import performance, permissions
from cases.choices import CaseSource
from cases.models import Case, CaseType, Grid, PerformanceWeight, RoadSegment
from cases.models_stats import DEFAULT_WEIGHTS, LOWER_IS_BETTER, Dimension, Metric
from core.audit import record_audit
from core.choices import AuditEventType
from core.spreadsheet import set_value, write_row
from org.choices import Role
from org.models import Unit

# Who reads every unit's figures (the case lists behind them stay scoped by visible_to).
CITYWIDE = frozenset({*permissions.DESK_ROLES, Role.SUPERVISION, Role.CITY_LEADER})
NO_KEY = {Dimension.UNIT: "（未派遣）", Dimension.GRID: "（无网格）",
          Dimension.SEGMENT: "（不在路段上）", Dimension.TYPE: "（无类型）",
          Dimension.SOURCE: "（未注明）"}


class BadRequest(Exception):
    """Input the page cannot use; the message is shown to the user."""


def viewer_unit(user) -> int | None:
    """None for a city-wide reader, the unit id for a unit's staff; others are refused."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("请先登录。")
    if user.role in CITYWIDE:
        return None
    if user.role in permissions.UNIT_STAFF_ROLES and user.unit_id:
        return user.unit_id
    raise PermissionDenied("当前角色无权查看绩效评价。")


def may_view(user) -> bool:
    try:
        viewer_unit(user)
    except PermissionDenied:
        return False
    return True


# --- periods ---------------------------------------------------------------------------

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<rest>\d{2}|Q[1-4]|H[12]))?$")


@dataclass
class Period:
    value: str
    label: str
    start: date | None
    end: date | None


def parse_period(value: str | None, today: date) -> Period:
    """'2026-05' a month, '2026-Q2' a quarter, '2026-H1' a half-year, '2026' a year,
    'all' all time; empty: this month."""
    value = (value or "").strip() or f"{today:%Y-%m}"
    if value == "all":
        return Period("all", "全部时间", None, None)
    match = PERIOD.match(value)
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise BadRequest("统计周期无效，应为月（2026-05）、季度（2026-Q2）、半年（2026-H1）、"
                         "年（2026）或全部。")
    year, rest = int(match["year"]), match["rest"]
    if rest is None:
        return Period(value, f"{year}年", date(year, 1, 1), date(year, 12, 31))
    if rest.startswith("Q"):
        q = int(rest[1])
        return Period(value, f"{year}年第{q}季度", date(year, 3 * q - 2, 1),
                      _month_end(year, 3 * q))
    if rest.startswith("H"):
        h = int(rest[1])
        return Period(value, f"{year}年{'上' if h == 1 else '下'}半年", date(year, 6 * h - 5, 1),
                      _month_end(year, 6 * h))
    month = int(rest)
    if not 1 <= month <= 12:
        raise BadRequest("统计周期无效：月份应为01至12。")
    return Period(value, f"{year}年{month}月", date(year, month, 1), _month_end(year, month))


def _month_end(year, month) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def period_choices(today: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's options, newest first: months, quarters, half-years, years, all."""
    months, quarters, halves, years = [], [], [], []
    y, m = today.year, today.month
    for _ in range(24):
        months.append((f"{y}-{m:02d}", f"{y}年{m}月"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    for year in (today.year, today.year - 1, today.year - 2):
        for q in (4, 3, 2, 1):
            if date(year, 3 * q - 2, 1) <= today:
                quarters.append((f"{year}-Q{q}", f"{year}年第{q}季度"))
        for h in (2, 1):
            if date(year, 6 * h - 5, 1) <= today:
                halves.append((f"{year}-H{h}", f"{year}年{'上' if h == 1 else '下'}半年"))
        years.append((str(year), f"{year}年"))
    return [("月", months), ("季度", quarters), ("半年", halves), ("年", years),
            ("全部", [("all", "全部时间")])]


def parse_dimension(value: str | None) -> str:
    value = value or Dimension.UNIT
    if value not in Dimension.values:
        raise BadRequest("统计维度无效。")
    return value


# --- the table -------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    name: str
    fig: performance.Figures
    score: float | None
    grade: str
    rank: int | None = None


def names_for(dimension: str, keys) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if dimension == Dimension.UNIT:
        found = {str(pk): name for pk, name in Unit.objects.filter(pk__in=ids)
                 .values_list("pk", "name")}
    elif dimension == Dimension.GRID:
        found = {str(g.pk): str(g) for g in Grid.objects.filter(pk__in=ids)}
    elif dimension == Dimension.SEGMENT:
        found = {str(s.pk): str(s) for s in RoadSegment.objects.filter(pk__in=ids)
                 .select_related("road")}
    elif dimension == Dimension.TYPE:
        found = {str(t.pk): str(t) for t in CaseType.objects.filter(pk__in=ids)}
    else:
        found = dict(CaseSource.choices)
    return {k: found.get(k) or (NO_KEY[dimension] if k == "" else f"#{k}") for k in keys}


def ranking(dimension: str, period: Period, unit_id: int | None) -> list[Row]:
    """Rows with a 综合指标值 first, best first and numbered; then those without one."""
    figs = performance.figures(dimension, period.start, period.end, unit_id=unit_id)
    if unit_id is not None and dimension == Dimension.UNIT:
        figs = {k: f for k, f in figs.items() if k == str(unit_id)}
    figs = {k: f for k, f in figs.items() if any(f.counters().values())}
    weights = performance.weights()
    names = names_for(dimension, figs)
    rows = []
    for key, f in figs.items():
        score = f.score(weights)
        rows.append(Row(key, names[key], f, score, performance.grade_of(score)))
    scored = sorted((r for r in rows if r.score is not None and r.key != ""),
                    key=lambda r: (-r.score, r.name))
    rest = sorted((r for r in rows if r.score is None or r.key == ""),
                  key=lambda r: (r.key == "", r.name))
    for rank, row in enumerate(scored, start=1):
        row.rank = rank
    return scored + rest


def total_of(rows) -> performance.Figures:
    total = performance.Figures(key="*")
    for r in rows:
        total.add(r.fig)
    return total


def _request_params(request):
    today = timezone.localdate()
    return (parse_dimension(request.GET.get("dim")), parse_period(request.GET.get("period"),
                                                                  today), today)


def _bad(request, message):
    return HttpResponseBadRequest(render_to_string("cases/performance/error.html",
                                                   {"message": message}, request=request))


DIM_TABS = [(d.value, d.label) for d in Dimension]

# The table's columns after the name: (header, count figure linked to its cases, rate).
COLUMNS = [
    ("上报数", "reported", None), ("立案数", "registered", None), ("立案率", None, "register_rate"),
    ("派遣数", "dispatched", None), ("结案数", "closed", None), ("应结案数", "due", None),
    ("结案率", None, "close_rate"), ("按期结案数", "closed_on_time", None),
    ("按期结案率", None, "on_time_rate"), ("未按期", "late", None),
    ("返工数", "reworked", None), ("返工率", None, "rework_rate"),
    ("延期数", "extended", None), ("延期率", None, "extension_rate"),
    ("回退数", "returned", None), ("回退率", None, "return_rate"),
]


def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def cells_of(fig: performance.Figures, link: str | None) -> list[dict]:
    cells = []
    for header, figure, rate in COLUMNS:
        if figure:
            n = getattr(fig, figure)
            cells.append({"text": n, "link": f"{link}{figure}" if link and n else "",
                          "label": header, "figure": figure})
        else:
            cells.append({"text": pct(getattr(fig, rate)), "link": "", "label": header,
                          "rate": True})
    hours = fig.mean_handling_hours
    cells.append({"text": "—" if hours is None else f"{hours:.1f}",
                  "link": f"{link}handling" if link and hours is not None else "",
                  "label": "平均处置用时（工作时）"})
    return cells


class RankingView(View):
    """The performance table (排名) for one dimension and period."""

    def get(self, request):
        unit_id = viewer_unit(request.user)
        try:
            dimension, period, today = _request_params(request)
        except BadRequest as exc:
            return _bad(request, str(exc))
        rows = ranking(dimension, period, unit_id)
        base = (f"{reverse('cases:performance_cases')}?dim={dimension}&period={period.value}"
                "&key={key}&figure=")
        for row in rows:
            row.cells = cells_of(row.fig, base.replace("{key}", row.key))
        total = None
        if unit_id is None:
            total = total_of(rows)
            total.cells = cells_of(total, None)
        return render(request, "cases/performance/ranking.html", {
            "rows": rows, "total": total, "headers": [c[0] for c in COLUMNS],
            "dimension": dimension, "dimension_label": Dimension(dimension).label,
            "dim_tabs": DIM_TABS, "period": period, "period_choices": period_choices(today),
            "unit_scoped": unit_id is not None, "weights": _weights_table(),
            "may_edit_weights": permissions.is_desk(request.user),
        })


def _weights_table():
    weights = performance.weights()
    return [(Metric(m).label, weights[m], m in LOWER_IS_BETTER) for m in Metric if weights[m]]


class ExportView(View):
    """The same table as .xlsx (rates as numbers formatted as percents)."""

    def get(self, request):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        unit_id = viewer_unit(request.user)
        try:
            dimension, period, _ = _request_params(request)
        except BadRequest as exc:
            return _bad(request, str(exc))
        rows = ranking(dimension, period, unit_id)
        wb = Workbook()
        ws = wb.active
        ws.title = "绩效评价"
        set_value(ws["A1"], f"数字城管绩效评价（{Dimension(dimension).label}）").font = Font(
            bold=True, size=14)
        set_value(ws["A2"], f"统计周期：{period.label}")
        header = ["名次", Dimension(dimension).label, "上报数", "立案数", "立案率", "派遣数",
                  "结案数", "应结案数", "结案率", "按期结案数", "按期结案率", "返工数", "返工率",
                  "延期数", "延期率", "回退数", "回退率", "平均处置用时（工作时）", "综合指标值",
                  "等级"]
        write_row(ws, 3, header)
        for i, r in enumerate(rows, start=4):
            f = r.fig
            cells = write_row(ws, i, [
                r.rank, r.name, f.reported, f.registered, f.register_rate, f.dispatched,
                f.closed, f.due, f.close_rate, f.closed_on_time, f.on_time_rate, f.reworked,
                f.rework_rate, f.extended, f.extension_rate, f.returned, f.return_rate,
                round(f.mean_handling_hours, 2) if f.mean_handling_hours is not None else None,
                r.score, r.grade])
            for col in (4, 8, 10, 12, 14, 16):
                cells[col].number_format = "0.00%"
        buffer = io.BytesIO()
        wb.save(buffer)
        record_audit(AuditEventType.EXPORT, request=request, what="案件绩效评价",
                     rows=len(rows), period=period.value, dimension=dimension)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = (
            f'attachment; filename="cases-performance-{dimension}-{period.value}.xlsx"')
        return response


def case_url(pk) -> str:
    try:
        return reverse("cases:detail", args=[pk])
    except NoReverseMatch:  # the case pages may not be wired in every build
        return ""


class CasesBehindView(View):
    """The cases behind one figure (a drill-down list), scoped by visible_to."""

    def get(self, request):
        unit_id = viewer_unit(request.user)
        try:
            dimension, period, _ = _request_params(request)
            figure = request.GET.get("figure", "")
            if figure not in performance.FIGURE_LABELS:
                raise BadRequest("统计指标无效。")
            key = request.GET.get("key", "")
            if len(key) > 20:
                raise BadRequest("统计对象无效。")
        except BadRequest as exc:
            return _bad(request, str(exc))
        if unit_id is not None and dimension == Dimension.UNIT and key != str(unit_id):
            raise PermissionDenied("只能查看本单位的绩效。")
        cases = (Case.objects.visible_to(request.user)
                 .select_related("type_version__case_type", "handling_unit"))
        qs = performance.cases_behind(cases, figure, dimension, key, period.start, period.end,
                                      unit_id=unit_id)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        for case in page:
            case.url = case_url(case.pk)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "cases/performance/cases.html", {
            "page_obj": page, "figure": figure, "figure_label": performance.FIGURE_LABELS[figure],
            "is_event_figure": figure in performance.EVENT_FIGURES,
            "dimension_label": Dimension(dimension).label,
            "name": names_for(dimension, [key])[key], "period": period,
            "back": f"{reverse('cases:performance')}?dim={dimension}&period={period.value}",
            "query_without_page": query.urlencode(),
        })


class HeatmapView(View):
    """Cases reported by type × month: a table whose cells are coloured by count."""

    def get(self, request):
        unit_id = viewer_unit(request.user)
        today = timezone.localdate()
        try:
            period = parse_period(request.GET.get("period") or str(today.year), today)
        except BadRequest as exc:
            return _bad(request, str(exc))
        start, end = period.start, period.end or today
        if start is None:  # all time: the latest 36 months
            start = date(end.year - 2, end.month, 1)
        by_day = performance.daily(Dimension.TYPE, "reported", start, end, unit_id=unit_id)
        months = _months(start, end)
        names = names_for(Dimension.TYPE, by_day)
        rows, peak = [], 0
        for key, days in by_day.items():
            counts = dict.fromkeys(months, 0)
            for day, n in days.items():
                counts[(day.year, day.month)] += n
            peak = max(peak, *counts.values())
            rows.append({"key": key, "label": names[key], "total": sum(counts.values()),
                         "cells": [{"month": m, "n": n} for m, n in counts.items()]})
        rows = [r for r in rows if r["total"]]
        rows.sort(key=lambda r: -r["total"])
        for r in rows:
            for cell in r["cells"]:
                cell["level"] = _level(cell["n"], peak)
                cell["colour"] = HEAT_COLOURS[cell["level"]]
                y, m = cell["month"]
                cell["period"] = f"{y}-{m:02d}"
        return render(request, "cases/performance/heatmap.html", {
            "heat": {"months": [f"{y}年{m}月" for y, m in months], "rows": rows, "peak": peak},
            "period": period, "period_choices": period_choices(today),
        })


HEAT_COLOURS = ["#f8fafc", "#fef3c7", "#fde68a", "#fbbf24", "#f97316", "#dc2626"]


def _level(n, peak) -> int:
    if not n or not peak:
        return 0
    return min(5, 1 + (n * 5 - 1) // peak)


def _months(start: date, end: date):
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return out


class WeightsView(View):
    """The office edits the weights of the 综合指标值 (read by everyone who sees the table)."""

    def get(self, request):
        viewer_unit(request.user)
        return render(request, "cases/performance/weights.html", self.context(request))

    def context(self, request, values=None, errors=None):
        weights = performance.weights()
        return {"rows": [{"metric": m.value, "label": m.label,
                          "value": (values or {}).get(m.value, weights[m]),
                          "lower": m in LOWER_IS_BETTER, "default": DEFAULT_WEIGHTS[m]}
                         for m in Metric],
                "errors": errors or [], "may_edit": permissions.is_desk(request.user)}

    def post(self, request):
        permissions.require_desk(request.user)
        values, errors = {}, []
        for metric in Metric:
            raw = request.POST.get(metric.value, "").strip()
            values[metric.value] = raw
            try:
                weight = Decimal(raw)
            except InvalidOperation:
                errors.append(f"{metric.label}：请填写数字。")
                continue
            if not (0 <= weight <= 100) or weight != weight.quantize(Decimal("0.01")):
                errors.append(f"{metric.label}：权重应在0至100之间，最多两位小数。")
            values[metric.value] = weight
        if not errors and not any(values.values()):
            errors.append("至少一个指标的权重应大于0。")
        if errors:
            return render(request, "cases/performance/weights.html",
                          self.context(request, values, errors), status=400)
        for metric, weight in values.items():
            row = PerformanceWeight.objects.filter(metric=metric).first() or PerformanceWeight(
                metric=metric)
            if row.pk is None or row.weight != weight:
                row.weight = weight
                row.save()
        return redirect("cases:performance_weights")


__all__ = ["CITYWIDE", "HEAT_COLOURS", "may_view"]
