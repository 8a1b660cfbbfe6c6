"""Import the ledger (台账) from .xlsx: the exported layout or a plain one-header sheet.

Every row is read and checked before anything is written; every problem is
reported by row and column in Chinese; then the whole file is applied in one
transaction or not at all. Rows are matched by project code, so importing an
exported file unchanged changes nothing.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from org.models import CityLeader, Person, Unit
from org.roles import Cap, has_cap
from projects import actions, engine
from projects.ledger_format import CellError, header_key, parse_amount, parse_date, parse_progress
from projects.models import Project, ProjectYearPlan
from projects.selectors import ledger_rows

MAX_HEADER_SCAN = 15
_TOTAL_WORDS = ("合计", "小计", "总计")
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]|^[（(][一二三四五六七八九十]+[）)]")
MASTER_FIELDS = {"name": "项目名称", "content": "建设内容及规模", "total_investment": "总投资",
                 "lead_unit": "责任单位", "responsible_person": "责任人", "leader": "分包领导",
                 "year_planned": "年度计划投资"}


@dataclass
class Problem:
    row: int
    message: str
    column: int | None = None
    label: str = ""

    def __str__(self):
        if self.column:
            return f"第{self.row}行 {get_column_letter(self.column)}列「{self.label}」：{self.message}"
        return f"第{self.row}行：{self.message}"


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    reported: int = 0
    rows: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class _DryRun(Exception):
    pass


@dataclass
class Sheet:
    columns: dict[str, tuple[int, str]]  # key → (column index, header label)
    rows: list[tuple[int, dict]]          # (row number, key → raw value)


def read_sheet(data: bytes) -> Sheet:
    """Find the header (one or two rows, merged group labels allowed) and the data rows."""
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise ValidationError("无法读取该文件，请上传 .xlsx 格式的台账（WPS 或 Excel 另存为 .xlsx）。")
    ws = wb.worksheets[0]
    raw = [list(row) for row in ws.iter_rows(values_only=True)]
    merged = {}  # every cell of a merged range reads the range's value
    for rng in ws.merged_cells.ranges:
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = value
    grid = [[merged.get((r, c), cell) for c, cell in enumerate(row, start=1)]
            for r, row in enumerate(raw, start=1)]
    header_row = next((i for i, row in enumerate(grid[:MAX_HEADER_SCAN])
                       if any(header_key(v) == "name" for v in row)), None)
    if header_row is None:
        raise ValidationError("未找到表头：前15行中没有“项目名称”列。")
    columns = _columns(grid[header_row], None)
    data_start = header_row + 1
    if header_row + 1 < len(grid):
        second = _columns(grid[header_row + 1], grid[header_row])
        if len(second) >= 2:  # a two-row header: group labels above, item labels below
            columns = {**columns, **second}
            data_start = header_row + 2
    rows = []
    for offset, row in enumerate(grid[data_start:], start=data_start + 1):
        # openpyxl leaves cells covered by a merge empty in `raw`: a spacer row crossed
        # by a merged cell from above is still blank.
        if not any(_text(v) for v in raw[offset - 1]):
            continue
        rows.append((offset, {key: row[idx - 1] if idx - 1 < len(row) else None
                              for key, (idx, _) in columns.items()}))
    return Sheet(columns, rows)



def _columns(row, above) -> dict:
    found = {}
    for idx, value in enumerate(row, start=1):
        key = header_key(value)
        if key and key not in found:
            if above is not None and header_key(above[idx - 1]) == key:
                continue  # vertically merged label repeated in the second row
            found[key] = (idx, str(value).strip())
    return found


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _is_skipped(values: dict) -> bool:
    texts = [_text(v) for v in values.values()]
    if not any(texts):
        return True  # blank spacer row
    name, seq = _text(values.get("name")), _text(values.get("seq"))
    if any(w in name or w in seq for w in _TOTAL_WORDS):
        return True
    section = _SECTION.match(seq) or (_SECTION.match(name) and not _text(values.get("code")))
    return bool(section) and values.get("total_investment") in (None, "")


class LedgerImporter:
    """One import run: `run(apply=False)` is the dry run that lists every problem."""

    def __init__(self, data: bytes, *, user, plan, default_category=None, now=None):
        self.data, self.user, self.plan = data, user, plan
        self.default_category = default_category
        self.now = now or timezone.now()
        self.year = timezone.localdate(self.now).year

    def run(self, *, apply: bool) -> ImportResult:
        result = ImportResult()
        try:
            sheet = read_sheet(self.data)
        except ValidationError as exc:
            result.problems.append(Problem(1, "；".join(exc.messages)))
            return result
        if "name" not in sheet.columns:
            result.problems.append(Problem(1, "缺少“项目名称”列"))
            return result
        self.sheet = sheet
        self._load_lookups(sheet)
        try:
            with transaction.atomic(), engine.deferred_recompute():
                self._process(sheet, result)
                if result.problems or not apply:
                    raise _DryRun
        except _DryRun:
            return result
        result.applied = True
        return result

    # --- lookups, one query each -------------------------------------------

    def _load_lookups(self, sheet: Sheet):
        codes = {_text(v.get("code")) for _, v in sheet.rows if _text(v.get("code"))}
        visible = Project.objects.visible_to(self.user).filter(code__in=codes)
        self.current = {p.code: p for p in ledger_rows(visible, self.year)}
        self.reportable = set(Project.objects.editable_by(self.user).filter(code__in=codes)
                              .values_list("code", flat=True))
        self.units = {}
        for unit in Unit.objects.active():
            self.units.setdefault(unit.name, unit)
            if unit.short_name:
                self.units.setdefault(unit.short_name, unit)
        self.leaders = {lead.person.name: lead for lead in
                        CityLeader.objects.active().select_related("person")}
        self.people: dict[str, list[Person]] = {}
        for person in Person.objects.active():
            self.people.setdefault(person.name, []).append(person)
        self.categories = {c.name: c for c in self.plan.categories.active()} if self.plan else {}
        self.year_plans = {yp.project_id: yp for yp in ProjectYearPlan.objects.filter(
            project__in=self.current.values(), year=self.year)}

    # --- per row -------------------------------------------------------------

    def _process(self, sheet: Sheet, result: ImportResult):
        self.pending: list[tuple] = []  # (project, master-data fields), applied in bulk
        self.pending_year_plans: list[tuple] = []
        seen: dict[str, int] = {}
        section_category = None
        for row_no, values in sheet.rows:
            if _is_skipped(values):
                section_category = self._section_category(values) or section_category
                continue
            result.rows += 1
            problems_before = len(result.problems)
            parsed = self._parse(row_no, values, result)
            if len(result.problems) > problems_before:
                continue
            code = parsed.get("code")
            if code:
                if code in seen:
                    result.problems.append(Problem(
                        row_no, f"项目编号“{code}”与第{seen[code]}行重复",
                        *self._col("code")))
                    continue
                seen[code] = row_no
            try:
                with transaction.atomic():
                    if code:
                        self._update(row_no, parsed, result)
                    else:
                        self._create(row_no, parsed, section_category, result)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                result.problems.append(Problem(row_no, "；".join(messages)))
        if not result.problems:
            self._apply_pending()

    def _apply_pending(self):
        """Master-data changes of all rows in one batch (history kept, colours recomputed)."""
        actions.do_bulk_update_projects(self.pending, acting_user=self.user)
        for project, planned in self.pending_year_plans:
            actions.do_set_year_plan(project, self.year, planned, acting_user=self.user)

    def _col(self, key):
        idx, label = self.sheet.columns.get(key, (None, ""))
        return idx, label

    def _section_category(self, values):
        text = _text(values.get("name")) or _text(values.get("seq"))
        return next((c for name, c in self.categories.items() if name in text), None)

    def _cell_problem(self, result, row_no, key, message):
        idx, label = self._col(key)
        result.problems.append(Problem(row_no, message, idx, label))

    def _parse(self, row_no, values, result) -> dict:
        parsed: dict = {}
        code = _text(values.get("code"))
        if code and code not in self.current:
            self._cell_problem(result, row_no, "code", f"项目编号“{code}”不存在或无权导入")
        parsed["code"] = code
        parsed["name"] = _text(values.get("name"))
        if not parsed["name"]:
            self._cell_problem(result, row_no, "name", "项目名称不能为空")
        parsed["content"] = _text(values.get("content"))
        for key in ("total_investment", "year_planned", "year_actual"):
            if key in self.sheet.columns:
                try:
                    parsed[key] = parse_amount(values.get(key))
                except CellError as exc:
                    self._cell_problem(result, row_no, key, str(exc))
        for key, month_end in (("start_date", False), ("finish_date", True)):
            if key in self.sheet.columns:
                try:
                    parsed[key] = parse_date(values.get(key), month_end=month_end)
                except CellError as exc:
                    self._cell_problem(result, row_no, key, str(exc))
        if "progress" in self.sheet.columns:
            try:
                parsed["progress"] = parse_progress(values.get("progress"))
            except CellError as exc:
                self._cell_problem(result, row_no, "progress", str(exc))
        if "problems" in self.sheet.columns:
            parsed["problems"] = _text(values.get("problems"))
        self._parse_refs(row_no, values, parsed, result)
        return parsed

    def _parse_refs(self, row_no, values, parsed, result):
        unit_name = _text(values.get("lead_unit"))
        if unit_name:
            parsed["lead_unit"] = self.units.get(unit_name)
            if parsed["lead_unit"] is None:
                self._cell_problem(result, row_no, "lead_unit", f"找不到单位“{unit_name}”")
        leader_name = _text(values.get("leader"))
        if leader_name:
            parsed["leader"] = self.leaders.get(leader_name)
            if parsed["leader"] is None:
                self._cell_problem(result, row_no, "leader", f"“{leader_name}”不是市级领导")
        person_name = _text(values.get("responsible"))
        if person_name:
            candidates = self.people.get(person_name, [])
            unit = parsed.get("lead_unit")
            in_unit = [p for p in candidates if unit is not None and p.unit_id == unit.pk]
            parsed["responsible_person"] = (in_unit or candidates or [None])[0]
            if parsed["responsible_person"] is None:
                self._cell_problem(result, row_no, "responsible", f"找不到人员“{person_name}”")
        category_name = _text(values.get("category"))
        if category_name:
            parsed["category"] = self.categories.get(category_name)
            if parsed["category"] is None:
                self._cell_problem(result, row_no, "category", f"计划中没有类别“{category_name}”")

    # --- apply -----------------------------------------------------------------

    def _master_diff(self, project, parsed) -> dict:
        diff = {}
        for key in ("name", "content", "total_investment"):
            if key in parsed and parsed[key] is not None and parsed[key] != getattr(project, key):
                diff[key] = parsed[key]
        for key in ("lead_unit", "leader", "responsible_person"):
            new, old = parsed.get(key), getattr(project, key)
            if new is None or (old is not None and str(old.pk) == str(new.pk)):
                continue
            if key == "responsible_person" and old is not None and old.name == new.name:
                continue  # same name: keep the person already linked
            diff[key] = new
        planned = parsed.get("year_planned")
        if planned is not None and planned != project.year_planned:
            diff["year_planned"] = planned
        return diff

    def _progress_diff(self, project, parsed) -> dict:
        diff = {}
        actual = parsed.get("year_actual")
        current_actual = project.year_actual or Decimal("0")
        if actual is not None and actual != current_actual:
            diff["year_actual"] = actual
        text, percent = parsed.get("progress", (None, None))
        if text is not None and (text != (project.progress_text or "") or
                                 (percent is not None and percent != project.progress_percent)):
            diff["progress"] = (text, percent)
        problems = parsed.get("problems")
        if problems is not None and problems != (project.problems or ""):
            diff["problems"] = problems
        return diff

    def _update(self, row_no, parsed, result):
        project = self.current[parsed["code"]]
        master = self._master_diff(project, parsed)
        progress = self._progress_diff(project, parsed)
        if master:
            if not has_cap(self.user, Cap.MANAGE_PROJECTS):
                labels = "、".join(MASTER_FIELDS[k] for k in master)
                raise PermissionDenied(f"无权修改项目基本信息（{labels}），只有办公室可以修改")
            planned = master.pop("year_planned", None)
            if master:
                actions.validate_project_change(project, master)  # errors stay on this row
                self.pending.append((project, master))
            if planned is not None:
                self.pending_year_plans.append((project, planned))
            result.updated += 1
            result.changes.append(f"第{row_no}行 {project.code}：修改" + "、".join(
                MASTER_FIELDS[k] for k in (*master, *(["year_planned"] if planned else []))))
        if progress:
            if project.code not in self.reportable:
                raise PermissionDenied("该项目不属于本单位，不能填报进度")
            self._submit_progress(project, progress, parsed)
            result.reported += 1
            result.changes.append(f"第{row_no}行 {project.code}：填报本期进度")

    def _submit_progress(self, project, progress, parsed):
        previous = project.year_actual or Decimal("0")
        cumulative = progress.get("year_actual", previous)
        text, percent = progress.get("progress", (project.progress_text or "",
                                                  project.progress_percent or 0))
        problems = progress.get("problems", project.problems or "")
        actions.do_submit_report(
            project, acting_user=self.user, now=self.now,
            investment_period=max(cumulative - previous, Decimal("0")),
            investment_year_cumulative=cumulative, progress_text=text or "",
            progress_percent=percent if percent is not None else (project.progress_percent or 0),
            problems=[(problems, "")] if problems else [],
            correction_note="台账导入更正" if cumulative < previous else "")

    def _create(self, row_no, parsed, section_category, result):
        if not has_cap(self.user, Cap.MANAGE_PROJECTS):
            raise PermissionDenied("没有项目编号的行将新建项目，只有办公室可以新建")
        category = parsed.get("category") or section_category or self.default_category
        missing = [label for key, label in (("total_investment", "总投资"),
                                            ("lead_unit", "责任单位")) if parsed.get(key) is None]
        if category is None:
            missing.append("项目类别（可在导入页选择默认类别）")
        if missing:
            raise ValidationError(f"新建项目缺少：{'、'.join(missing)}")
        twin = Project.objects.filter(plan=self.plan, name=parsed["name"],
                                      lead_unit=parsed["lead_unit"]).first()
        if twin is not None:  # e.g. the same file uploaded again after a timeout
            raise ValidationError(f"已存在同名项目（{twin.code}），如为同一项目请填写项目编号")
        project = actions.do_create_project(
            plan=self.plan, category=category, name=parsed["name"],
            lead_unit=parsed["lead_unit"], total_investment=parsed["total_investment"],
            content=parsed.get("content", ""), leader=parsed.get("leader"),
            responsible_person=parsed.get("responsible_person"),
            start_date=parsed.get("start_date"), finish_date=parsed.get("finish_date"),
            acting_user=self.user)
        if parsed.get("year_planned") is not None:
            actions.do_set_year_plan(project, self.year, parsed["year_planned"],
                                     acting_user=self.user)
        result.created += 1
        result.changes.append(f"第{row_no}行：新建项目 {project.code} {project.name}")
