"""The case list as .xlsx: the rows a page shows for the same filters, within the user's
scope (cases/views_desk.py CaseExportView). Every text a person typed goes through
core.spreadsheet.set_value, so a description starting with "=" stays text."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core import dates
from core.spreadsheet import set_value, write_row

# (header, width)
COLUMNS = [
    ("序号", 6), ("案件编号", 16), ("上报时间", 17), ("来源", 11), ("类别", 6), ("大类", 10),
    ("小类", 12), ("问题描述", 36), ("地址", 24), ("网格编码", 17), ("状态", 9),
    ("紧急程度", 8), ("处置单位", 18), ("派遣时间", 17), ("处置期限", 17), ("计时", 22),
    ("处置时间", 17), ("结案时间", 17), ("上报人", 12),
]
CHUNK = 500  # clocks are computed a chunk at a time (one pauses query each)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _when(value) -> str:
    moment = dates.local_datetime(value)
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def row_values(seq: int, case, clock_text: str) -> list:
    kind = case.type_version.case_type
    return [
        seq, case.number or "", _when(case.reported_at), case.get_source_display(),
        kind.get_kind_display(), kind.major_name, kind.minor_name, case.description,
        case.address, case.grid.code if case.grid_id else "", case.get_state_display(),
        case.get_urgency_display(), case.handling_unit.name if case.handling_unit_id else "",
        _when(case.dispatched_at), _when(case.deadline_at), clock_text, _when(case.handled_at),
        _when(case.closed_at),
        (case.reporter.get_full_name() or case.reporter.username) if case.reporter_id else "",
    ]


def write_cases(rows) -> tuple[bytes, int]:
    """(the workbook's bytes, the number of cases written)."""
    from cases.views_common import attach_clocks

    wb = Workbook()
    ws = wb.active
    ws.title = "案件清单"
    title = ws.cell(row=1, column=1)
    set_value(title, f"案件清单（导出时间 {_when(_now())}）")
    title.font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    header = write_row(ws, 2, [name for name, _ in COLUMNS])
    for cell in header:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3F4F6")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = BORDER
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C3"
    count = 0
    chunk = []

    def flush():
        nonlocal count
        for case in attach_clocks(chunk):
            count += 1
            clock = case.clock
            text = clock.label if clock and clock.status != "none" else ""
            write_row(ws, count + 2, row_values(count, case, text))
        chunk.clear()

    for case in rows.iterator(chunk_size=CHUNK):
        chunk.append(case)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    ws.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{count + 2}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


def _now():
    from django.utils import timezone

    return timezone.now()
