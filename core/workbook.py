"""Read the first worksheet of an uploaded .xlsx workbook as a grid of values, within bounds.

Any app that imports an office's workbook reads it here (projects' 台账, cases' 部件表 …);
what the rows mean is the caller's business. `label` names the kind of workbook in the error
texts («读取部件表超过30秒仍未完成»), so a person is told about the file they uploaded.

A workbook is read as a stream within bounds (`Bounds`): a 1.6 KB file declaring A1:XFD2000
once took 2.9 GB to open whole, and 44 KB of 300,000 rows 23 s. The zip is judged from its
directory before anything is unpacked; the first sheet is then read cell by cell, never
trusting its declared <dimension>, counting rows, columns, cells, merged cells and seconds.

The parts openpyxl's load_workbook reads whole before the first row are bounded too: an
8.4 MB upload of 2M shared strings took 17.7 s and +307 MB before any row was counted, and
8 MB of styles 4 s and +184 MB. So the workbook is opened part by part (`_open`): the shared
strings and the styles are read by us as streams, each within its unpacked size from the
zip's directory, a count of strings, and the one deadline that covers the whole read; of
the styles only what tells dates from numbers is kept. The few small parts openpyxl still
parses whole (content types, workbook, its relationships) are bounded by size first.

`spread` and `spread_down` read merged cells the way offices mean them (a group label over
its columns in the header, a unit merged down over its rows in the data).
"""

import io
import time as clock
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring, iterparse

from core.uploads import check_zip

LABEL = "台账"  # what a workbook is called in the error texts unless the caller says otherwise
UNREADABLE_TEMPLATE = "无法读取该文件，请上传 .xlsx 格式的{label}（WPS 或 Excel 另存为 .xlsx）。"
UNREADABLE = UNREADABLE_TEMPLATE.format(label=LABEL)
_ROW, _CELL, _MERGE = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("row", "c", "mergeCell"))
_SI, _T, _R = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
_NUM_FMTS, _NUM_FMT, _CELL_XFS, _XF = (f"{{{SHEET_MAIN_NS}}}{tag}"
                                       for tag in ("numFmts", "numFmt", "cellXfs", "xf"))
DEADLINE_EVERY = 4096  # XML events between two looks at the clock


@dataclass(frozen=True)
class Bounds:
    """What reading one workbook may cost; a setting of the same name in upper case with
    LEDGER_MAX_ in front (LEDGER_MAX_ROWS …) overrides each.

    The settings are named after the first workbook read (the 台账) but bound every workbook
    read through `read_grid`, whatever app reads it: `from_settings` is the one place they are
    looked up. The sizes below were judged against ledgers, the largest workbooks imported.
    """

    unpacked_bytes: int = 100 * 2**20  # our 5,000-row export unpacks to 4.2 MB
    rows: int = 20_000  # the large demo city's ledger has 5,000 projects
    columns: int = 200  # our export has 23; an office sheet with 12 months × 3 about 60
    cells: int = 2_000_000  # row and cell elements read, empty formatted ones included
    merged_cells: int = 200_000  # cells covered by merged ranges (a unit merged down …)
    seconds: float = 30  # a 5,000-row ledger reads in about 1 s; the whole read, opening too
    # Our 5,000-row export holds about 15,000 distinct texts (1 MB); every text cell of a
    # 20,000-row sheet distinct, with long 进展情况, stays within these.
    shared_strings: int = 200_000
    shared_strings_bytes: int = 20 * 2**20  # sharedStrings.xml unpacked
    styles_bytes: int = 10 * 2**20  # styles.xml unpacked (read as a stream; Excel: < 1 MB)
    part_bytes: int = 2 * 2**20  # each part openpyxl parses whole: content types, workbook …

    @classmethod
    def from_settings(cls) -> "Bounds":
        return cls(**{name: getattr(settings, f"LEDGER_MAX_{name.upper()}", default)
                      for name, default in asdict(cls()).items()})


def read_grid(data: bytes, bounds: Bounds, *, label: str = LABEL
              ) -> tuple[list[list], list[tuple]]:
    """The first worksheet's values as rows of equal width (as openpyxl gives them: a cell
    under a merge other than its top-left one is empty) and its merged ranges
    (min_row, min_col, max_row, max_col), clipped to the rows and columns that hold values.

    A ValidationError, in Chinese, when the file is no workbook or exceeds `bounds`; `label`
    is what the messages call the workbook (「台账」, 「部件表」)."""
    reading = _Reading(bounds, clock.monotonic() + bounds.seconds, label)  # before unpacking
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, f"上传的{label}", max_unpacked=bounds.unpacked_bytes)
            values, merges = _stream(_open(archive, reading), reading)
    except ValidationError:
        raise
    except Exception:  # not a workbook; a malformed sheet, a shared string that is not there …
        raise ValidationError(UNREADABLE_TEMPLATE.format(label=label)) from None
    return _grid(values, merges, bounds)


def spread(raw, ranges, limit):
    """The top `limit` rows with every merged range's value in each of its cells (headers:
    a group label merged over 经度/纬度 names both)."""
    grid = [list(row) for row in raw[:limit]]
    for r0, c0, r1, c1 in ranges:
        if r0 > limit:
            continue
        value = raw[r0 - 1][c0 - 1]
        for r in range(r0, min(r1, limit) + 1):
            for c in range(c0, c1 + 1):
                grid[r - 1][c - 1] = value
    return grid


def spread_down(raw, ranges, start):
    """The rows of `raw`, indexed like it, with the vertical merges below row `start` (the
    1-based number of the last header row) read into every row they cover (a unit over its
    rows); a horizontal merge keeps its value in its first cell only, so a heading merged
    across the row is one cell, not a value in every column."""
    grid = {}
    for r0, c0, r1, _c1 in ranges:
        if r0 <= start or r1 == r0:  # header merges stay in the header
            continue
        value = raw[r0 - 1][c0 - 1]
        for r in range(max(r0, start + 1), r1 + 1):
            grid.setdefault(r - 1, {})[c0 - 1] = value
    return _Overlay(raw, grid)


class _Overlay:
    """raw rows with a few cells replaced; avoids copying 5,000 rows to fill a few merges."""

    def __init__(self, raw, cells):
        self.raw, self.cells = raw, cells

    def __getitem__(self, offset):
        row = self.raw[offset]
        extra = self.cells.get(offset)
        if not extra:
            return row
        row = list(row)
        for c, value in extra.items():
            row[c] = value
        return row


@dataclass(frozen=True)
class _Reading:
    """One read: its bounds, the deadline that covers all of it, what its messages call it."""

    bounds: Bounds
    deadline: float
    label: str


@dataclass
class _Opened:
    """What reading the first sheet needs of the rest of the workbook."""

    sheet: ReadOnlyWorksheet
    strings: list
    epoch: datetime
    date_formats: set
    timedelta_formats: set


def _open(archive, reading: _Reading) -> _Opened:
    """The workbook's first worksheet, ready to stream, as openpyxl's read-only
    load_workbook would open it, with every part it reads whole bounded before it is read.

    openpyxl's own steps (pinned, internal API like WorkSheetParser), minus what reading
    values never uses: external links, properties, the theme, other sheets.
    """
    bounds = reading.bounds
    _check_part(archive, ARC_CONTENT_TYPES, bounds.part_bytes, reading)
    package = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    found = package.find(SHARED_STRINGS)
    strings = _shared_strings(archive, found.PartName[1:], reading) if found else []
    workbook_part = _find_workbook_part(package).PartName[1:]
    for name in (workbook_part, get_rels_path(workbook_part)):
        _check_part(archive, name, bounds.part_bytes, reading)
    parser = WorkbookParser(archive, workbook_part, keep_links=False)
    parser.parse()
    parser.wb._archive = archive  # where ReadOnlyWorksheet reads its rows from
    dates, durations = _date_styles(archive, reading)
    _check_deadline(reading)
    names = set(archive.namelist())
    for sheet, rel in parser.find_sheets():  # the first worksheet, as wb.worksheets[0]
        if rel.target in names and "chartsheet" not in rel.Type:
            return _Opened(ReadOnlyWorksheet(parser.wb, sheet.name, rel.target, strings),
                           strings, parser.wb.epoch, dates, durations)
    raise ValidationError(UNREADABLE_TEMPLATE.format(label=reading.label))


def _check_deadline(reading: _Reading) -> None:
    if clock.monotonic() > reading.deadline:
        raise ValidationError(f"读取{reading.label}超过{reading.bounds.seconds:g}秒仍未完成，"
                              "已停止。请删去多余的行列和格式，或拆分后分别导入。")


def _check_part(archive, name: str, most: int, reading: _Reading, what: str = "") -> None:
    """A part's unpacked size from the zip's directory (zipfile never reads past it)."""
    try:
        size = archive.getinfo(name).file_size
    except KeyError:
        return  # a missing part: openpyxl says so, or does without it
    if size > most:
        label = reading.label
        raise ValidationError(f"{label}中的{what or f'“{name}”'}解压后有{size / 2**20:.1f}MB，"
                              f"超过{most / 2**20:g}MB的上限，不像正常的{label}。请把数据复制到新"
                              "工作簿（只粘贴数值）另存为 .xlsx 后再导入。")


def _shared_strings(archive, name: str, reading: _Reading) -> list[str]:
    """The shared string table as openpyxl's read_string_table reads it, as a stream: each
    <si> dropped once read, the strings counted, the clock watched."""
    bounds, label = reading.bounds, reading.label
    _check_part(archive, name, bounds.shared_strings_bytes, reading,
                "共享字符串表（sharedStrings.xml）")
    strings, root = [], None
    with archive.open(name) as source:
        for events, (event, element) in enumerate(iterparse(source, events=("start", "end"))):
            if not events % DEADLINE_EVERY:
                _check_deadline(reading)
            if root is None:
                root = element
            if event == "end" and element.tag == _SI:
                strings.append(_string_of(element))
                if len(strings) > bounds.shared_strings:
                    raise ValidationError(
                        f"{label}的共享字符串表有{bounds.shared_strings}条以上文字，超过上限，"
                        f"不像正常的{label}。请把数据复制到新工作簿（只粘贴数值）另存为 .xlsx "
                        "后再导入。")
                root.clear()  # the strings read so far: their text is kept, the tree is not
    return strings


def _string_of(si) -> str:
    """openpyxl's Text.content: the plain <t>, then the <t> of each rich-text run <r>."""
    plain = si.find(_T)
    parts = [plain.text or ""] if plain is not None else []
    parts += [run.findtext(_T) or "" for run in si.iterfind(_R)]
    return "".join(parts).replace("x005F_", "")


def _date_styles(archive, reading: _Reading) -> tuple[set, set]:
    """The cell styles (indexes into cellXfs) whose number format shows a date, and those that
    show a duration: what WorkSheetParser needs of styles.xml, found as openpyxl's
    Stylesheet._normalise_numbers finds them. openpyxl's own reader builds every font, fill
    and border as objects; this keeps one number per style."""
    _check_part(archive, ARC_STYLE, reading.bounds.styles_bytes, reading, "样式表（styles.xml）")
    if ARC_STYLE not in archive.namelist():
        return set(), set()
    custom, xf_formats, open_elements = {}, [], []
    with archive.open(ARC_STYLE) as source:
        for events, (event, element) in enumerate(iterparse(source, events=("start", "end"))):
            if not events % DEADLINE_EVERY:
                _check_deadline(reading)
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            parent = open_elements[-1].tag if open_elements else None
            if element.tag == _NUM_FMT and parent == _NUM_FMTS:
                custom[int(element.get("numFmtId"))] = element.get("formatCode")
            elif element.tag == _XF and parent == _CELL_XFS:
                xf_formats.append(int(element.get("numFmtId", 0)))
            if open_elements:  # read: drop it, so that the tree never grows
                open_elements[-1].remove(element)
    dates, durations = set(), set()
    for index, format_id in enumerate(xf_formats):
        code = custom[format_id] if format_id in custom else builtin_format_code(format_id)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _stream(opened: _Opened, reading: _Reading) -> tuple[dict, list[str]]:
    """{row number: {column: value}} for the cells that hold a value, and the merged ranges.

    Element by element, each dropped as soon as it is read, so that neither a long sheet nor
    one row of a million cells is ever held whole. Cells are decoded by openpyxl's own
    WorkSheetParser.parse_cell (types, shared strings, dates from the styles), the code its
    read-only mode uses; openpyxl is pinned, this is an internal API.
    """
    bounds = reading.bounds
    parser = WorkSheetParser(None, opened.strings, data_only=True, epoch=opened.epoch,
                             date_formats=opened.date_formats,
                             timedelta_formats=opened.timedelta_formats)
    values, merges, read, events = {}, [], 0, 0
    open_elements, in_cell = [], 0  # the path from the root; depth inside a <c>
    with opened.sheet._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            events += 1
            if not events % DEADLINE_EVERY:
                _check_deadline(reading)
            if event == "start":
                open_elements.append(element)
                if element.tag == _ROW:
                    _start_row(parser, element)
                if in_cell or element.tag == _CELL:
                    in_cell += 1
                continue
            open_elements.pop()
            if in_cell:
                in_cell -= 1
                if in_cell:
                    continue  # <v>, <is> …: read with their cell, dropped with it
            if element.tag in (_ROW, _CELL):
                read += 1
                if read > bounds.cells:
                    raise _too_many_cells(bounds)
                if element.tag == _CELL:
                    _keep(values, parser.parse_cell(element), reading)
            elif element.tag == _MERGE and element.get("ref"):
                merges.append(element.get("ref"))
                if len(merges) > bounds.merged_cells:
                    raise _too_many_merged(len(merges), bounds)
            if open_elements:  # read: drop it, so that the tree never grows
                open_elements[-1].remove(element)
    return values, merges


def _start_row(parser, element):
    """The row counter a cell without its own reference counts from (as openpyxl does)."""
    number = element.get("r")
    parser.row_counter = int(float(number)) if number else parser.row_counter + 1
    parser.col_counter = 0


def _keep(values: dict, cell: dict, reading: _Reading) -> None:
    value = cell["value"]
    if value is None or value == "":
        return  # an empty formatted cell: counted, never kept
    bounds = reading.bounds
    row, column = cell["row"], cell["column"]
    if row > bounds.rows:
        raise ValidationError(f"{reading.label}超过{bounds.rows}行的上限（第{row}行仍有内容），"
                              "请拆分后分别导入。")
    if column > bounds.columns:
        where = get_column_letter(column) if column <= 16384 else f"第{column}列"
        raise ValidationError(f"第{row}行 {where}列有内容，超过{bounds.columns}列的上限；"
                              "请删去多余的列后再导入。")
    values.setdefault(row, {})[column] = value


def _too_many_cells(bounds):
    return ValidationError(f"工作表的单元格超过{bounds.cells}个的上限（含设置了格式的空白单元格），"
                           "请删去多余的行列和格式，或拆分后分别导入。")


def _too_many_merged(found, bounds):
    return ValidationError(f"工作表的合并单元格共覆盖{found}个以上单元格，超过{bounds.merged_cells}个"
                           "的上限，请取消多余的合并后再导入。")


def _grid(values: dict, merges: list[str], bounds: Bounds) -> tuple[list[list], list[tuple]]:
    """Rows 1…last as equal-width lists, with the merges that touch them (clipped).

    openpyxl loading a whole sheet gives the same: a merged range covers its cells, and only
    its top-left one keeps a value.
    """
    last = max(values, default=0)
    ranges, covered = [], 0
    for ref in merges:
        try:
            c0, r0, c1, r1 = range_boundaries(ref)
        except (TypeError, ValueError):
            continue  # a malformed reference: openpyxl would fail, we ignore it
        if r0 > last or c0 > bounds.columns:
            continue  # below or right of every value: nothing to spread
        r1, c1 = min(r1, last), min(c1, bounds.columns)
        covered += (r1 - r0 + 1) * (c1 - c0 + 1)
        if covered > bounds.merged_cells:
            raise _too_many_merged(covered, bounds)
        ranges.append((r0, c0, r1, c1))
    width = max([max(cells) for cells in values.values()] + [c1 for *_, c1 in ranges],
                default=0)
    raw = [[None] * width for _ in range(last)]
    for row, cells in values.items():
        for column, value in cells.items():
            raw[row - 1][column - 1] = value
    for r0, c0, r1, c1 in ranges:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    raw[r - 1][c - 1] = None
    return raw, ranges
