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


# Header label → column key; several spellings seen in real ledgers. Labels are compared
# without spaces and without a trailing unit such as （万元）/（亿元）, see parse_header.
HEADER_ALIASES = {
    "序号": "seq", "项目编号": "code", "编号": "code", "项目代码": "code",
    "项目名称": "name", "名称": "name", "建设内容及规模": "content", "建设内容": "content",
    "建设规模及内容": "content", "主要建设内容": "content", "总投资": "total_investment",
    "计划总投资": "total_investment", "项目总投资": "total_investment",
    "估算总投资": "total_investment",
    "年度计划投资": "year_planned", "年度计划": "year_planned", "年度投资计划": "year_planned",
    "年度计划完成投资": "year_planned",
    "完成率": "completion", "形象进度": "progress", "责任单位": "lead_unit",
    "牵头单位": "lead_unit", "责任人": "responsible", "项目责任人": "responsible",
    "分包领导": "leader", "分包市领导": "leader", "分包市级领导": "leader",
    "存在问题": "problems", "存在问题及需协调事项": "problems", "亮灯": "colour",
    "亮灯情况": "colour", "项目类别": "category", "类别": "category", "计划开工": "start_date",
    "计划开工时间": "start_date", "计划开工日期": "start_date", "计划完工": "finish_date",
    "计划完工时间": "finish_date", "计划完工日期": "finish_date", "建设阶段": "stage",
    "项目阶段": "stage", "建设状态": "stage",
}
MONEY_KEYS = frozenset({"total_investment", "year_planned", "year_actual"})
_CUMULATIVE = re.compile(r"^(1|一)?[—\-–~至]?\d*月?累计完成投资|^累计完成投资|^年度累计完成")
_UNIT_SUFFIX = re.compile(r"[（(](?:单位[:：])?(万元|亿元|元)[）)]$")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(万元|亿元|元)")
_MONTH = re.compile(r"^(\d{1,2})月(?:份)?(?:计划)?$")
_MONTH_CUMULATIVE = re.compile(r"^(?:1|一)[—\-–~至](\d{1,2})月(?:累计)?(?:计划)?$")
# Month headers that say so without a 序时 group above: 1月计划 … 12月计划, 一月 … 十二月.
_MONTH_PLAN = re.compile(r"^(\d{1,2})月(?:份)?计划$")
_MONTH_CN = re.compile(r"^(十[一二]?|[一二三四五六七八九])月(?:份)?(?:计划)?$")
_CN_DIGITS = "一二三四五六七八九十"
_SCHEDULE_GROUP = re.compile(r"序时|逐月|(?:1|一)[—\-–~至]12月")
_YEAR = re.compile(r"(20\d\d)年")
UNIT_FACTORS = {"万元": Decimal("1"), "亿元": Decimal("10000"), "元": Decimal("0.0001")}
# The largest amount the money fields hold (max_digits=14, decimal_places=2), in 万元.
MONEY_MAX = Decimal("999999999999.99")


def compact(value) -> str:
    """Cell text without any whitespace (ASCII, full-width 　, line breaks): 「合 计」 → 合计."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", str(value).replace("\u3000", ""))


@dataclass(frozen=True)
class Header:
    """What one header label says: the field it holds and the unit it declares."""

    key: str | None
    unit: str | None = None   # 万元 / 亿元 / 元 when the label names one
    month: int | None = None  # 1–12 for a 序时 month column


def parse_header(label, group=None) -> Header:
    """Read a header label, e.g. 总投资（亿元） → total_investment in 亿元.

    `group` is the merged label above (two-row headers): under a 序时 group such as
    「2026年序时计划（万元）」 the labels 1月…12月 are month columns.
    """
    text = compact(label)
    if not text:
        return Header(None)
    unit = None
    if m := _UNIT_SUFFIX.search(text):
        unit, text = m[1], text[:m.start()]
    if group is not None and _SCHEDULE_GROUP.search(compact(group)):
        if (m := _MONTH.match(text) or _MONTH_CUMULATIVE.match(text)) and 1 <= int(m[1]) <= 12:
            return Header("month", unit, int(m[1]))
    if (m := _MONTH_PLAN.match(text)) and 1 <= int(m[1]) <= 12:
        return Header("month", unit, int(m[1]))
    if m := _MONTH_CN.match(text):
        return Header("month", unit, _chinese_month(m[1]))
    if text in HEADER_ALIASES:
        return Header(HEADER_ALIASES[text], unit)
    if _CUMULATIVE.search(text):
        return Header("year_actual", unit)
    return Header(None, unit)


def _chinese_month(text: str) -> int:
    """一 → 1 … 十 → 10, 十一 → 11, 十二 → 12."""
    return 10 + (_CN_DIGITS.index(text[1]) + 1 if len(text) > 1 else 0) \
        if text[0] == "十" else _CN_DIGITS.index(text) + 1


def header_key(label) -> str | None:
    return parse_header(label).key


def unit_declared(text) -> str | None:
    """The unit a 「单位：万元」 line (or a group label like 投资情况（亿元）) declares."""
    text = compact(text)
    if m := _UNIT_LINE.search(text) or _UNIT_SUFFIX.search(text):
        return m[1]
    return None


def schedule_year(group) -> int | None:
    m = _YEAR.search(compact(group))
    return int(m[1]) if m else None


def schedule_is_cumulative(group, labels) -> bool:
    """Month columns hold monthly amounts unless the sheet says 累计 (or 1—N月)."""
    texts = [compact(group), *(compact(label) for label in labels)]
    return any("累计" in t for t in texts) or any(_MONTH_CUMULATIVE.match(t) for t in texts[1:])


_STAGES = {
    "谋划": "planning", "储备": "planning", "前期": "preliminary", "前期工作": "preliminary",
    "在建": "construction", "续建": "construction", "新开工": "construction",
    "施工": "construction", "竣工": "completed", "已竣工": "completed", "完工": "completed",
    "已完工": "completed", "投用": "in_use", "已投用": "in_use", "投入使用": "in_use",
    "停工": "suspended", "暂停": "suspended",
}


def parse_stage(value) -> str | None:
    """建设阶段 as ledgers write it: 在建/续建/新开工 → 在建, 已竣工 → 竣工 …"""
    text = compact(value)
    if not text:
        return None
    text = re.sub(r"(阶段|项目)$", "", text)
    if text in _STAGES:
        return _STAGES[text]
    raise CellError(f"“{value}”不是可识别的建设阶段（谋划、前期、在建、竣工、投用、停工）")


class CellError(ValueError):
    """A cell that cannot be read; the message says what was wrong, in Chinese."""


_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万元|万|亿元|亿|元)?$")


def parse_amount(value, unit: str | None = None) -> Decimal | None:
    """An amount in 万元: numbers, '3,000', '3000万元', '3亿元' (=30000万元).

    `unit` is what the column or the sheet declares (万元 when it declares nothing);
    a unit written in the cell itself wins.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' 不是数字")
    factor = UNIT_FACTORS[unit or "万元"]
    if isinstance(value, int | float | Decimal):
        return _in_range(value, Decimal(str(value)) * factor)
    text = compact(value).replace(",", "").replace("，", "")
    match = _AMOUNT.match(text)
    if not match:
        raise CellError(f"'{value}' 不是数字")
    number = Decimal(match.group(1))
    written = match.group(2)
    if written:
        number *= UNIT_FACTORS[{"万": "万元", "亿": "亿元"}.get(written, written)]
    else:
        number *= factor
    return _in_range(value, number)


def _in_range(value, number: Decimal) -> Decimal:
    """The amount rounded to cents, refused when negative or beyond what the money fields
    hold (usually a wrong 单位: 亿元 declared over amounts written in 元)."""
    if not number.is_finite():
        raise CellError(f"'{value}' 不是数字")
    if number < 0:
        raise CellError(f"'{value}' 不能为负数")
    if number > MONEY_MAX or (number := number.quantize(Decimal("0.01"))) > MONEY_MAX:
        raise CellError(f"金额过大（超过 {MONEY_MAX:,} 万元），请检查单位")
    return number


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
    if isinstance(value, float) and re.fullmatch(r"\d{4}\.1", str(value)):
        # Excel keeps 2024.10 typed in a General cell as the number 2024.1.
        raise CellError(f"'{value}' 有歧义：可能是{int(value)}年1月，也可能是被Excel存成数字的"
                        f"{int(value)}年10月，请写成“{int(value)}年1月”或“{int(value)}年10月”")
    text = compact(value)
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
