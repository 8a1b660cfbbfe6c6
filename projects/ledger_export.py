"""Export the ledger (台账) as a styled .xlsx in the layout offices exchange."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from core import dates
from core.spreadsheet import set_value
from projects.choices import Colour
from projects.ledger_format import format_progress, ledger_columns
from projects.selectors import ledger_export_rows

MONEY_FORMAT = "#,##0.00"
FILLS = {Colour.RED: "FECACA", Colour.YELLOW: "FDE68A", Colour.GREEN: "BBF7D0",
         Colour.GREY: "E5E7EB", Colour.BLUE: "BFDBFE"}
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FONT = Font(name="宋体", bold=True, size=11)
BODY_FONT = Font(name="宋体", size=10)
TITLE_FONT = Font(name="方正小标宋简体", size=18)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


MONEY_KEYS = ("total_investment", "year_planned", "year_actual")


def _register_styles(wb):
    """Named styles: one lookup per cell instead of hashing fonts and borders each time."""
    def add(name, **kw):
        wb.add_named_style(NamedStyle(name=name, font=BODY_FONT, border=BORDER, **kw))

    add("cj_money", number_format=MONEY_FORMAT, alignment=RIGHT)
    add("cj_percent", number_format="0.0%", alignment=RIGHT)
    add("cj_center", alignment=CENTER)
    add("cj_text", alignment=WRAP)
    for colour, rgb in FILLS.items():
        add(f"cj_lamp_{colour}", alignment=CENTER, fill=PatternFill("solid", fgColor=rgb))


def _style_name(key: str, colour: str) -> str:
    if key in MONEY_KEYS:
        return "cj_money"
    if key == "completion":
        return "cj_percent"
    if key == "colour":
        return f"cj_lamp_{colour}" if colour else "cj_center"
    if key in ("seq", "code"):
        return "cj_center"
    return "cj_text"


def row_values(project, seq: int) -> dict:
    planned, actual = project.year_planned, project.year_actual or Decimal("0")
    completion = float(actual / planned) if planned else None
    status = getattr(project, "status", None)
    colour = status.overall if status else ""
    return {
        "seq": seq, "code": project.code, "name": project.name, "content": project.content,
        "total_investment": project.total_investment, "year_planned": planned,
        "year_actual": actual if planned is not None or project.year_actual else None,
        "completion": completion,
        "progress": format_progress(project.progress_text, project.progress_percent),
        "lead_unit": project.lead_unit.name,
        "responsible": (project.responsible_person.name if project.responsible_person
                        else project.responsible_name),
        "leader": project.leader.person.name if project.leader else "",
        "problems": project.problems, "colour": Colour(colour).label if colour else "",
        "_colour": colour,
    }


def write_ledger(projects, *, title: str, as_of: date | None = None) -> bytes:
    """The workbook as bytes: title, two-row header, data, 合计, print set-up."""
    as_of = as_of or dates.today()  # the local day; date.today() follows the server's zone
    columns = ledger_columns(as_of.month)
    wb = Workbook()
    _register_styles(wb)
    ws = wb.active
    ws.title = "项目台账"
    last = get_column_letter(len(columns))
    ws.merge_cells(f"A1:{last}1")
    set_value(ws["A1"], f"{title}（截至{dates.cn_date(as_of)}）")  # a plan's name
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTER
    ws.row_dimensions[1].height = 36
    _write_header(ws, columns)
    totals = dict.fromkeys(MONEY_KEYS, Decimal("0"))
    keys = [col.key for col in columns]
    row = 4  # title, then the two header rows
    for seq, project in enumerate(projects, start=1):
        values = row_values(project, seq)
        for idx, key in enumerate(keys, start=1):
            # ws.cell is a dict lookup; ws.max_row would rescan the sheet every row.
            cell = ws.cell(row=row, column=idx)
            cell.style = _style_name(key, values["_colour"])
            set_value(cell, values[key])  # names and texts people typed stay text
        for key in totals:
            totals[key] += values[key] or 0
        row += 1
    _write_totals(ws, columns, row, totals)
    _print_setup(ws, columns)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write_header(ws, columns):
    groups: dict[str, list[int]] = {}
    for idx, col in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = col.width
        if col.group:
            groups.setdefault(col.group, []).append(idx)
            ws.cell(row=3, column=idx, value=col.label)
        else:
            ws.merge_cells(f"{letter}2:{letter}3")
            ws.cell(row=2, column=idx, value=col.label)
    for label, idxs in groups.items():
        ws.merge_cells(start_row=2, start_column=idxs[0], end_row=2, end_column=idxs[-1])
        ws.cell(row=2, column=idxs[0], value=label)
    for r in (2, 3):
        for idx in range(1, len(columns) + 1):
            cell = ws.cell(row=r, column=idx)
            cell.font, cell.alignment, cell.border = HEADER_FONT, CENTER, BORDER
            cell.fill = PatternFill("solid", fgColor="F3F4F6")


def _write_totals(ws, columns, row, totals):
    keys = [c.key for c in columns]
    ws.cell(row=row, column=keys.index("name") + 1, value="合计")
    for key, amount in totals.items():
        ws.cell(row=row, column=keys.index(key) + 1, value=amount).number_format = MONEY_FORMAT
    planned = totals["year_planned"]
    ws.cell(row=row, column=keys.index("completion") + 1,
            value=float(totals["year_actual"] / planned) if planned else None).number_format = \
        "0.0%"
    for idx in range(1, len(columns) + 1):
        cell = ws.cell(row=row, column=idx)
        cell.font, cell.border = HEADER_FONT, BORDER


def _print_setup(ws, columns):
    ws.freeze_panes = "D4"  # header rows and 序号/编号/名称 stay in view
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:3"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def export_queryset(qs, *, title: str, as_of: date | None = None) -> bytes:
    return write_ledger(ledger_export_rows(qs).order_by("code"), title=title, as_of=as_of)
