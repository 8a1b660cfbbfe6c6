"""The parts a workbook is opened with are bounded before they are read (issue 17).

A probe's 8.4 MB upload held 2M shared strings (41 MB unpacked, ratio 5:1, under the zip
checks) and took 17.7 s and +307 MB inside openpyxl's load_workbook, before any row, cell or
second was counted; 8 MB of styles took 4 s and +184 MB. Shared strings and styles are now read
as streams within their unpacked size, a count of strings and the deadline of the whole read.

read_grid() is measured directly: through the test client, the multipart copy of the upload
would be measured too. Dates must still be told from numbers by their styles.
"""

import io
import zipfile
from datetime import datetime

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, override_settings
from openpyxl import Workbook

from core.tests.cost import measured
from projects.ledger_sheet import Bounds, read_grid
from projects.tests.test_hostile_workbooks import MAIN, PARTS, header_row

MAX_SECONDS = 5
MAX_MB = 150
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def workbook(*, strings=None, styles=None, workbook_xml=None, cells="") -> bytes:
    """The hand-written workbook of test_hostile_workbooks, with parts written as streams:
    `strings` yields <si> texts, `styles` yields the body of styles.xml."""
    parts = dict(PARTS)
    if strings is not None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
                        "</Types>")
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "</Relationships>", f'<Relationship Id="rId2" Type="{SST_REL}" '
                                'Target="sharedStrings.xml"/></Relationships>')
    if workbook_xml is not None:
        parts["xl/workbook.xml"] = workbook_xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        archive.writestr("xl/worksheets/sheet1.xml",
                         f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
                         f"<sheetData>{header_row()}{cells}</sheetData></worksheet>")
        if strings is not None:
            _stream_part(archive, "xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">',
                         (f"<si><t>{text}</t></si>" for text in strings), "</sst>")
        if styles is not None:
            _stream_part(archive, "xl/styles.xml", f'<styleSheet xmlns="{MAIN}">', styles,
                         "</styleSheet>")
    return buffer.getvalue()


def _stream_part(archive, name, opening, body, closing):
    with archive.open(name, "w", force_zip64=True) as part:
        part.write(f'<?xml version="1.0" encoding="UTF-8"?>{opening}'.encode())
        for piece in body:
            part.write(piece.encode())
        part.write(closing.encode())


def xf_bloat(count: int):
    """cellXfs as a workbook pasted together from many sources grows them."""
    yield f'<cellXfs count="{count}">'
    for i in range(count):
        yield f'<xf numFmtId="{i % 50}" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    yield "</cellXfs>"


class WorkbookPartTests(SimpleTestCase):
    def read(self, data: bytes, message: str | None = None):
        with measured(self.id().rsplit(".", 1)[-1]) as cost:
            if message:
                with self.assertRaisesMessage(ValidationError, message):
                    read_grid(data, Bounds.from_settings())
            else:
                read_grid(data, Bounds.from_settings())
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, MAX_MB, cost)
        return cost

    def test_the_probes_2m_shared_strings_are_refused_from_the_zip_directory(self):
        data = workbook(strings=(f"{i * 7919 % 10000019:x}" for i in range(2_000_000)))
        self.assertLess(len(data), 9 * 2**20)
        cost = self.read(data, "共享字符串表（sharedStrings.xml）解压后有41.7MB，超过20MB的上限")
        self.assertLess(cost.seconds, 1, cost)

    def test_more_strings_than_the_limit_are_refused_while_streaming(self):
        # 250,000 short strings are 4 MB: within the size, past the count.
        self.read(workbook(strings=(str(i) for i in range(250_000))),
                  "共享字符串表有200000条以上文字，超过上限")

    def test_the_largest_string_table_allowed_reads_in_bounds(self):
        # 199,000 distinct texts of 33 characters (19.7 MB): just under both limits.
        self.read(workbook(strings=(f"{i:08d}" + "进" * 25 for i in range(199_000))))

    @override_settings(LEDGER_MAX_SECONDS=0.2)
    def test_the_deadline_covers_the_shared_strings(self):
        # No row to read: only the string table can take the time.
        self.read(workbook(strings=(f"{i:08d}" + "进" * 25 for i in range(199_000))),
                  "读取台账超过0.2秒仍未完成，已停止")

    def test_styles_past_the_limit_are_refused_from_the_zip_directory(self):
        self.read(workbook(styles=xf_bloat(200_000)), "样式表（styles.xml）解压后有")

    def test_bloated_styles_within_the_limit_are_read_as_a_stream(self):
        # 100,000 cellXfs (8 MB): openpyxl's own reader took 4 s and +184 MB.
        cost = self.read(workbook(styles=xf_bloat(100_000)))
        self.assertLess(cost.peak_mb, 40, cost)

    def test_a_workbook_part_past_its_limit_is_refused(self):
        names = "".join(f'<definedName name="n{i}">台账!$A$1</definedName>'
                        for i in range(60_000))
        xml = PARTS["xl/workbook.xml"].replace("</sheets>", f"</sheets><definedNames>{names}"
                                                            "</definedNames>")
        self.read(workbook(workbook_xml=xml), "台账中的“xl/workbook.xml”解压后有")


class StylesStillTellDatesTests(SimpleTestCase):
    """Only the number formats of styles.xml are read now: dates stay dates."""

    def test_dates_by_builtin_and_custom_formats_and_numbers_stay_apart(self):
        wb = Workbook()
        ws = wb.active
        ws.append(["项目名称", "开工日期", "竣工日期", "总投资"])
        ws.append(["道路", datetime(2026, 3, 1), datetime(2026, 12, 31), 1234.5])
        ws["B2"].number_format = "yyyy-mm-dd"
        ws["C2"].number_format = "yyyy年m月d日"
        ws["D2"].number_format = "#,##0.00"
        buffer = io.BytesIO()
        wb.save(buffer)
        raw, _ = read_grid(buffer.getvalue(), Bounds.from_settings())
        self.assertEqual(raw[1], ["道路", datetime(2026, 3, 1), datetime(2026, 12, 31), 1234.5])
