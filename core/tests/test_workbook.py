"""core.workbook: the bounded .xlsx reader every importer uses, saying which workbook it read.

The bounds themselves (hostile files, parts read as streams) are tested through the ledger in
projects/tests/test_hostile_workbooks.py and test_workbook_parts.py; here, what the messages
call the workbook, the merge helpers, and that core stays the bottom layer.
"""

import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from openpyxl import Workbook

from core.workbook import Bounds, read_grid, spread, spread_down


def xlsx(rows, merges=()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class LabelTests(SimpleTestCase):
    def refused(self, data, bounds, **label):
        with self.assertRaises(ValidationError) as raised:
            read_grid(data, bounds, **label)
        return raised.exception.messages[0]

    def test_the_caller_names_the_workbook_in_every_message(self):
        three_rows = xlsx([["部件编码"], ["1"], ["2"]])
        self.assertEqual(
            self.refused(b"PK not a workbook", Bounds(), label="部件表"),
            "无法读取该文件，请上传 .xlsx 格式的部件表（WPS 或 Excel 另存为 .xlsx）。")
        self.assertEqual(
            self.refused(three_rows, replace(Bounds(), rows=2), label="部件表"),
            "部件表超过2行的上限（第3行仍有内容），请拆分后分别导入。")
        self.assertEqual(
            self.refused(three_rows, replace(Bounds(), seconds=0), label="部件表"),
            "读取部件表超过0秒仍未完成，已停止。请删去多余的行列和格式，或拆分后分别导入。")
        message = self.refused(three_rows, replace(Bounds(), unpacked_bytes=10), label="部件表")
        self.assertTrue(message.startswith("“上传的部件表”解压后共"), message)
        message = self.refused(three_rows, replace(Bounds(), part_bytes=10), label="部件表")
        self.assertTrue(message.startswith("部件表中的“[Content_Types].xml”解压后有"), message)
        self.assertIn("不像正常的部件表。", message)
        self.assertNotIn("台账", message)

    def test_without_a_label_the_messages_say_台账_as_before(self):
        self.assertEqual(self.refused(b"PK not a workbook", Bounds()),
                         "无法读取该文件，请上传 .xlsx 格式的台账（WPS 或 Excel 另存为 .xlsx）。")
        self.assertEqual(self.refused(xlsx([["a"], ["b"]]), replace(Bounds(), rows=1)),
                         "台账超过1行的上限（第2行仍有内容），请拆分后分别导入。")

    def test_the_label_is_keyword_only(self):
        with self.assertRaises(TypeError):
            read_grid(xlsx([["a"]]), Bounds(), "部件表")

    def test_the_ledger_settings_bound_every_read(self):
        with self.settings(LEDGER_MAX_ROWS=1):
            self.assertEqual(Bounds.from_settings().rows, 1)
            self.assertEqual(self.refused(xlsx([["a"], ["b"]]), Bounds.from_settings(),
                                          label="道路表"),
                             "道路表超过1行的上限（第2行仍有内容），请拆分后分别导入。")


class MergeTests(SimpleTestCase):
    def test_header_merges_fill_their_cells_and_data_merges_fill_down_only(self):
        raw, ranges = read_grid(xlsx(
            [["位置", None, "名称"], ["经度", "纬度", None],
             ["一、公用设施类", None, None], [120.1, 31.2, "井盖"], [120.2, 31.3, None]],
            merges=["A1:B1", "C1:C2", "A3:C3", "C4:C5"]), Bounds())
        self.assertEqual(spread(raw, ranges, limit=2),
                         [["位置", "位置", "名称"], ["经度", "纬度", "名称"]])
        body = spread_down(raw, ranges, 2)
        self.assertEqual(body[2], ["一、公用设施类", None, None])  # a heading stays one cell
        self.assertEqual(body[3], [120.1, 31.2, "井盖"])
        self.assertEqual(body[4], [120.2, 31.3, "井盖"])
        self.assertIsNone(raw[4][2])  # raw itself is untouched


class LayerTests(SimpleTestCase):
    def test_core_workbook_imports_no_app_above_core(self):
        # In a fresh interpreter: this test process has every app loaded already.
        # (pickle touches the top-level `org` package looking for Jython; that is no import
        # of our org app's modules, so only submodules count.)
        code = ("import sys, core.workbook; print(sorted(m for m in sys.modules "
                "if m.split('.')[0] in ('projects', 'cases', 'supervision', 'evaluation', "
                "'plans', 'maps', 'geo', 'notify', 'demo') or m.startswith('org.')))")
        found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               cwd=Path(settings.BASE_DIR), check=True).stdout.strip()
        self.assertEqual(found, "[]")
