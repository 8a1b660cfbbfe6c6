"""The office ledger layout (台账) shared by the Excel export and import, and the
parsers for what real ledgers contain (万元/亿元 amounts, Chinese dates)."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str = ""  # second header row lives under a merged group label
    width: int = 12


def ledger_columns(month: int) -> list[Column]:
    """Columns of the export, in order; the import recognises the same labels."""
    return [
        Column("seq", "序号", width=6),
        Column("code", "项目编号", width=13),
        Column("name", "项目名称", width=28),
        Column("content", "建设内容及规模", width=36),
        Column("total_investment", "总投资", "投资情况（万元）", 12),
        Column("year_planned", "年度计划投资", "投资情况（万元）", 12),
        Column("year_actual", f"1—{month}月累计完成投资", "投资情况（万元）", 14),
        Column("completion", "完成率", "投资情况（万元）", 9),
        Column("progress", "形象进度", width=30),
        Column("lead_unit", "责任单位", width=18),
        Column("responsible", "责任人", width=10),
        Column("leader", "分包领导", width=10),
        Column("problems", "存在问题", width=30),
        Column("colour", "亮灯", width=8),
    ]


# Header label → column key; several spellings seen in real ledgers.
HEADER_ALIASES = {
    "序号": "seq", "项目编号": "code", "编号": "code", "项目代码": "code",
    "项目名称": "name", "名称": "name", "建设内容及规模": "content", "建设内容": "content",
    "建设规模及内容": "content", "总投资": "total_investment", "计划总投资": "total_investment",
    "年度计划投资": "year_planned", "年度计划": "year_planned", "年度投资计划": "year_planned",
    "完成率": "completion", "形象进度": "progress", "责任单位": "lead_unit",
    "牵头单位": "lead_unit", "责任人": "responsible", "分包领导": "leader",
    "分包市领导": "leader", "分包市级领导": "leader", "存在问题": "problems",
    "存在问题及需协调事项": "problems", "亮灯": "colour", "亮灯情况": "colour",
    "项目类别": "category", "类别": "category", "计划开工": "start_date",
    "计划开工时间": "start_date", "计划完工": "finish_date", "计划完工时间": "finish_date",
}
_CUMULATIVE = re.compile(r"^(1|一)?[—\-–~至]?\d*月?累计完成投资|^累计完成投资|^年度累计完成")


def header_key(label) -> str | None:
    if label is None:
        return None
    text = re.sub(r"\s+", "", str(label))
    text = re.sub(r"[（(]万元[）)]$", "", text)
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    if _CUMULATIVE.search(text):
        return "year_actual"
    return None


class CellError(ValueError):
    """A cell that cannot be read; the message says what was wrong, in Chinese."""


_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万元|万|亿元|亿|元)?$")


def parse_amount(value) -> Decimal | None:
    """An amount in 万元: numbers, '3,000', '3000万元', '3亿元' (=30000万元)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' 不是数字")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
    match = _AMOUNT.match(text)
    if not match:
        raise CellError(f"'{value}' 不是数字")
    number = Decimal(match.group(1))
    unit = match.group(2) or "万元"
    if unit.startswith("亿"):
        number *= 10000
    elif unit == "元":
        number /= 10000
    if number < 0:
        raise CellError(f"'{value}' 不能为负数")
    return number.quantize(Decimal("0.01"))


def parse_percent(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return Decimal(str(value)) * (100 if value <= 1 else 1)
    text = str(value).strip().rstrip("%％")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{value}' 不是百分比") from None


_DATE_FULL = re.compile(r"^(\d{4})[年./\-](\d{1,2})[月./\-](\d{1,2})日?$")
_DATE_MONTH = re.compile(r"^(\d{4})[年./\-](\d{1,2})月?(底|末|初|上旬|中旬|下旬)?$")


def parse_date(value, *, month_end: bool) -> date | None:
    """Dates as ledgers write them: 2024-06-30, 2024年6月30日, 2024年6月底, 2024.6.

    A month without a day is taken as its last day for finish dates and its
    first for start dates (`month_end`); 初/上旬/中旬/下旬 pick 1st/10th/20th/last.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace(" ", "")
    try:
        if m := _DATE_FULL.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DATE_MONTH.match(text):
            year, month, part = int(m[1]), int(m[2]), m[3]
            last = calendar.monthrange(year, month)[1]
            day = {"底": last, "末": last, "下旬": last, "初": 1, "上旬": 10,
                   "中旬": 20}.get(part, last if month_end else 1)
            return date(year, month, day)
    except ValueError:
        pass
    raise CellError(f"'{value}' 不是可识别的日期（例如 2024-06-30 或 2024年6月底）")


_PROGRESS = re.compile(r"^(.*?)[（(](\d{1,3})%[）)]$", re.S)


def format_progress(text: str | None, percent) -> str:
    text = (text or "").strip()
    if percent is None:
        return text
    return f"{text}（{percent}%）"


def parse_progress(value) -> tuple[str, int | None]:
    if value is None:
        return "", None
    text = str(value).strip()
    m = _PROGRESS.match(text)
    if not m:
        return text, None
    percent = int(m[2])
    if percent > 100:
        raise CellError(f"形象进度百分比{percent}%超过100%")
    return m[1].strip(), percent
