"""Read an office's 台账 workbook into rows: where the header is, what each column holds and
in which unit, which rows are section headings, totals or spacers.

Offices lay ledgers out their own way: a title and a 「单位：万元」 line above a one- or
two-row header with merged group labels (「投资情况（万元）」, 「2026年序时计划（万元）」 over
1月…12月), section headings merged across the whole row (「一、城市核心板块（3个）」), unit
cells merged down over the rows of one unit, 「合 计」/「小 计」 rows. The result is plain data
(`Sheet`), kept as JSON between the preview and the apply so the file is read once.

The workbook itself is read by core.workbook (`read_grid`, within `Bounds`), which other apps
use too; `Bounds` and `read_grid` are imported from here as well, as they always were.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError

from core.workbook import (
    Bounds,
    read_grid,
    spread,
    spread_down,
)
from projects.ledger_format import (
    compact,
    header_key,
    parse_header,
    schedule_is_cumulative,
    schedule_year,
    unit_declared,
)

__all__ = ["Bounds", "Col", "Row", "Sheet", "read_grid", "read_sheet"]

MAX_HEADER_SCAN = 15
TOTAL_WORDS = ("合计", "小计", "总计")
# 一、 二. （三） (四) — the numbering of section headings; Arabic numbers are row numbers.
SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]|^[（(][一二三四五六七八九十]+[）)]")
# The numbering alone in its own cell (序号 「一」, 「一、」, 「（一）」), the heading text in 名称.
BARE_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]?|[（(][一二三四五六七八九十]+[）)])$")
_SECTION_TAIL = re.compile(r"[（(](?:共)?\d+(?:个|项)?(?:项目)?[）)]$")
WIDE_MERGE = 3  # a data-area merge over this many columns or more reads as a heading


@dataclass
class Col:
    index: int          # 1-based column number
    label: str          # the header text, as written
    unit: str = "万元"  # the unit its amounts are in (column, group, unit line, default)
    row: int = 0        # the row its label is written in


@dataclass
class Row:
    number: int                       # the Excel row number
    values: dict = field(default_factory=dict)  # key → raw cell value
    months: list | None = None        # raw 1月…12月 values (序时 layout) or None
    section: str | None = None        # the heading text for a section row
    level: int = 1                    # 1 for 一、, 2 for （一）


@dataclass
class Sheet:
    columns: dict[str, Col]
    rows: list[Row]
    months: dict[int, Col] = field(default_factory=dict)
    schedule_year: int | None = None
    schedule_cumulative: bool = False
    ignored: list[Col] = field(default_factory=list)
    header_row: int = 1
    unit: str | None = None           # declared by a 「单位：…」 line

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=_encode, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Sheet":
        data = json.loads(text, object_hook=_decode)
        return cls(columns={k: Col(**v) for k, v in data["columns"].items()},
                   rows=[Row(**r) for r in data["rows"]],
                   months={int(k): Col(**v) for k, v in data["months"].items()},
                   schedule_year=data["schedule_year"],
                   schedule_cumulative=data["schedule_cumulative"],
                   ignored=[Col(**c) for c in data["ignored"]],
                   header_row=data["header_row"], unit=data["unit"])


def _encode(value):
    for kind, cls in (("$dt", datetime), ("$d", date), ("$t", time)):
        if isinstance(value, cls):
            return {kind: value.isoformat()}
    return str(value)


def _decode(obj):
    if len(obj) == 1:
        (kind, text), = obj.items()
        parse = {"$dt": datetime.fromisoformat, "$d": date.fromisoformat,
                 "$t": time.fromisoformat}.get(kind)
        if parse:
            return parse(text)
    return obj


def read_sheet(data: bytes) -> Sheet:
    """The first worksheet as a Sheet; a ValidationError when it is no ledger."""
    raw, ranges = read_grid(data, Bounds.from_settings(), label="台账")
    top = spread(raw, ranges, limit=MAX_HEADER_SCAN + 2)
    header = next((i for i, row in enumerate(top[:MAX_HEADER_SCAN])
                   if any(header_key(v) == "name" for v in row)), None)
    if header is None:
        raise ValidationError("未找到表头：前15行中没有“项目名称”列。")
    sheet = _header(raw, top, header)
    data_start = sheet.header_row  # 1-based number of the last header row = 0-based next row
    body = spread_down(raw, ranges, data_start)
    wide = {r0 for r0, c0, r1, c1 in ranges if r0 > data_start and c1 - c0 + 1 >= WIDE_MERGE}
    for offset in range(data_start, len(raw)):
        row = _classify(sheet, offset + 1, raw[offset], body[offset], offset + 1 in wide)
        if row is not None:
            sheet.rows.append(row)
    return sheet


def _header(raw, top, header) -> Sheet:
    unit = next((u for row in top[:header] for v in row if v is not None
                 and (u := unit_declared(v)) and "单位" in str(v)), None)
    first, below = top[header], top[header + 1] if header + 1 < len(top) else None
    second_raw = raw[header + 1] if header + 1 < len(raw) else None
    two_rows = below is not None and _is_second_header(second_raw, first)
    sheet = Sheet(columns={}, rows=[], header_row=header + (2 if two_rows else 1), unit=unit)
    groups = []
    for c in range(len(first)):
        group = None
        if two_rows and second_raw[c] is not None:
            label, group = second_raw[c], first[c]
        else:
            label = raw[header][c]
        if label is None or not compact(label):
            continue
        parsed = parse_header(label, group)
        col = Col(c + 1, str(label).strip(),
                  parsed.unit or (unit_declared(group) if group else None) or unit or "万元",
                  header + (2 if group is not None else 1))
        if parsed.key == "month" and parsed.month not in sheet.months:
            sheet.months[parsed.month] = col
            groups.append(group)
        elif parsed.key and parsed.key not in sheet.columns:
            sheet.columns[parsed.key] = col
        else:
            sheet.ignored.append(col)
    if sheet.months:
        sheet.schedule_year = schedule_year(groups[0])
        sheet.schedule_cumulative = schedule_is_cumulative(
            groups[0], [c.label for c in sheet.months.values()])
    return sheet


def _is_second_header(cells, above) -> bool:
    """The row under the header holds item labels (总投资 under 投资情况) rather than data."""
    texts = [(c, v) for c, v in enumerate(cells) if v is not None and compact(v)]
    known = sum(1 for c, v in texts if parse_header(v, above[c]).key)
    return known >= 2 or (known >= 1 and known * 2 >= len(texts))


def _classify(sheet: Sheet, number: int, raw_row, row, wide: bool) -> Row | None:
    texts = [compact(v) for v in raw_row if v is not None and compact(v)]
    if not texts:
        return None  # blank spacer (a cell merged down from above does not count)
    values = {key: row[col.index - 1] for key, col in sheet.columns.items()}
    code = compact(values.get("code"))
    seq, name = compact(values.get("seq")), compact(values.get("name"))
    if not code and any(t.startswith(w) for w in TOTAL_WORDS for t in (seq, name, texts[0])):
        return None  # 合计 / 小 计 rows
    months = None
    if sheet.months:
        months = [row[sheet.months[m].index - 1] if m in sheet.months else None
                  for m in range(1, 13)]
    if not code and (SECTION.match(texts[0]) or (wide and len(texts) == 1)
                     or (BARE_SECTION.match(texts[0]) and _only_text(values, months))):
        return _heading(number, texts)
    return Row(number, values, months)


def _only_text(values, months) -> bool:
    """No amount, month or unit: a row that can be a heading split over 序号 and 名称."""
    keys = ("total_investment", "year_planned", "year_actual", "lead_unit")
    return not any(compact(values.get(k)) for k in keys) and \
        not any(compact(v) for v in months or ())


def _heading(number, texts) -> Row:
    """A section row; its text is the first text after the numbering, in the same cell
    (「一、城市核心板块（3个）」) or the next (「一」|「城市核心板块（3个）」)."""
    level = 2 if texts[0][0] in "（(" else 1
    rest = SECTION.sub("", texts[0]) if not BARE_SECTION.match(texts[0]) else ""
    text = rest or next((t for t in texts[1:] if not BARE_SECTION.match(t)), "")
    return Row(number, section=_SECTION_TAIL.sub("", text), level=level)
