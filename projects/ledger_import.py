"""Import the ledger (台账) from .xlsx: the exported layout or an office's own sheet.

Every row is read and checked before anything is written; every problem is
reported by row and column in Chinese; then the whole file is applied in one
transaction or not at all. Rows are matched by project code, so importing an
exported file unchanged changes nothing. A column the sheet does not have, and a
blank cell, never clear a field. Warnings (提示) are kept and shown; they do not block.

The dry run is the real apply rolled back. A big file is checked once: the web preview
keeps what it validated (`prepared`: each row's resolved changes, with a fingerprint of
the projects it compared against) and the apply, while the fingerprint still matches,
goes straight to the same do_* actions (`apply_prepared`); when a project changed in
between, the full check runs again (see views_ledger).
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from openpyxl.utils import get_column_letter

from org.models import CityLeader, Person, Unit
from org.roles import Cap, has_cap
from projects import actions, engine
from projects.choices import Stage
from projects.ledger_format import (
    MONEY_MAX,
    CellError,
    compact,
    parse_amount,
    parse_date,
    parse_progress,
    parse_stage,
)
from projects.ledger_sheet import Sheet, read_sheet
from projects.models import ProgressReport, Project, ProjectYearPlan
from projects.selectors import ledger_import_rows

MASTER_FIELDS = {"name": "项目名称", "content": "建设内容及规模", "total_investment": "总投资",
                 "lead_unit": "责任单位", "responsible_person": "责任人",
                 "responsible_name": "责任人", "leader": "分包领导",
                 "start_date": "计划开工", "finish_date": "计划完工", "category": "项目类别",
                 "year_planned": "年度计划投资", "schedule": "序时计划"}
CENT = Decimal("0.01")
PREPARED_VERSION = 1


@dataclass
class Problem:
    row: int  # 0: the file as a whole (unreadable, too large …)
    message: str
    column: int | None = None
    label: str = ""
    warning: bool = False  # kept and shown (提示), never blocks the import

    def __str__(self):
        prefix = "提示：" if self.warning else ""
        if not self.row:
            return f"{prefix}{self.message}"
        if self.column:
            return (f"{prefix}第{self.row}行 {get_column_letter(self.column)}列「{self.label}」："
                    f"{self.message}")
        return f"{prefix}第{self.row}行：{self.message}"


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
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


class LedgerImporter:
    """One import run: `run(apply=False)` is the dry run that lists every problem.

    `user=None` is the trusted system caller (the command without --user). `sheet`, when
    given, is the already-read workbook (the apply after a preview).
    """

    def __init__(self, data: bytes | None, *, user, plan, default_category=None, now=None,
                 sheet: Sheet | None = None):
        self.data, self.user, self.plan = data, user, plan
        self.prepared: dict | None = None  # set by a dry run without problems
        self.default_category = default_category
        self.now = now or timezone.now()
        self.year = timezone.localdate(self.now).year
        self.sheet = sheet
        self.may_manage = user is None or has_cap(user, Cap.MANAGE_PROJECTS)

    def read(self) -> Sheet:
        if self.sheet is None:
            self.sheet = read_sheet(self.data)
        return self.sheet

    def run(self, *, apply: bool) -> ImportResult:
        result = ImportResult()
        try:
            sheet = self.read()
        except ValidationError as exc:
            result.problems.append(Problem(0, "；".join(exc.messages)))
            return result
        self._ignored_columns(sheet, result)
        self._load_lookups(sheet)
        pks = sorted(p.pk for p in self.current.values())
        names = sorted({_text(r.values.get("name")) for r in sheet.rows
                        if r.section is None and not compact(r.values.get("code"))})
        fingerprint = None if apply else self.fingerprint(pks, names)
        try:
            with transaction.atomic(), engine.deferred_recompute():
                self._process(sheet, result)
                if result.problems or not apply:
                    raise _DryRun
        except _DryRun:
            if result.ok:
                self.prepared = self._prepare(result, pks, names, fingerprint)
            return result
        result.applied = True
        return result

    # --- what the preview validated, applied without checking the file again ----

    def fingerprint(self, pks, names) -> list:
        """The database state a preview was checked against: each project's updated_at, its
        latest report and year plans, and the projects already named like a new row."""
        state = [
            list(Project.objects.filter(pk__in=pks).order_by("pk")
                 .values_list("pk", "updated_at")),
            list(ProgressReport.objects.filter(project_id__in=pks).values("project_id")
                 .annotate(last=Max("pk"), at=Max("updated_at")).order_by("project_id")
                 .values_list("project_id", "last", "at")),
            list(ProjectYearPlan.objects.filter(project_id__in=pks)
                 .order_by("project_id", "year").values_list("project_id", "year",
                                                             "updated_at")),
            sorted(Project.objects.filter(plan=self.plan, name__in=names)
                   .values_list("pk", flat=True)) if names else [],
        ]
        return json.loads(json.dumps(state, default=str))

    def _prepare(self, result, pks, names, fingerprint) -> dict:
        """The validated changes as JSON-able data (ids, Decimals as text, ISO dates)."""
        return {
            "version": PREPARED_VERSION, "plan": self.plan.pk if self.plan else None,
            "year": self.year, "pks": pks, "names": names, "fingerprint": fingerprint,
            "counts": [result.rows, result.created, result.updated, result.reported],
            "creates": [[row, _encode_fields(fields), _encode_value(year_plan)]
                        for row, fields, year_plan in self.pending_creates],
            "master": [[row, p.pk, _encode_fields(f)] for row, p, f in self.pending],
            "year_plans": [[row, p.pk, year, str(total), _encode_value(schedule)]
                           for row, p, year, total, schedule in self.pending_year_plans],
            "stages": [[row, p.pk, stage] for row, p, stage in self.pending_stages],
            "reports": [[row, i.project.pk, str(i.cumulative), i.progress_text,
                         i.progress_percent, i.problems, i.correction_note]
                        for row, i in self.pending_reports],
        }

    def apply_prepared(self, prepared: dict) -> ImportResult | None:
        """Apply what a preview validated through the same do_* actions (which still check
        their own rules), without reading or checking the rows again. None when the
        database is no longer what the preview saw: the caller runs the full check again."""
        if not prepared or prepared.get("version") != PREPARED_VERSION or \
                prepared["plan"] != (self.plan.pk if self.plan else None) or \
                prepared["year"] != self.year or \
                prepared["fingerprint"] != self.fingerprint(prepared["pks"], prepared["names"]):
            return None
        result = ImportResult()
        result.rows, result.created, result.updated, result.reported = prepared["counts"]
        projects = {p.pk: p for p in ledger_import_rows(
            Project.objects.filter(pk__in=prepared["pks"]), self.year)}
        try:
            creates, self.pending = self._decode_fields(prepared, projects)
        except KeyError:  # a unit, person or category referred to is gone
            return None
        self.pending_year_plans = [
            (row, projects[pk], year, Decimal(total), _decimals(schedule))
            for row, pk, year, total, schedule in prepared["year_plans"]]
        self.pending_stages = [(row, projects[pk], stage)
                               for row, pk, stage in prepared["stages"]]
        self.pending_reports = [(row, actions.ReportInput(
            project=projects[pk], cumulative=Decimal(cumulative), progress_text=text,
            progress_percent=percent, problems=problems, correction_note=note))
            for row, pk, cumulative, text, percent, problems, note in prepared["reports"]]
        try:
            with transaction.atomic(), engine.deferred_recompute():
                for row_no, fields, year_plan in creates:
                    self._write_create(row_no, fields, year_plan, result)
                if not result.problems:
                    self._apply_pending(result)
                if result.problems:
                    raise _DryRun
        except _DryRun:
            return result
        result.applied = True
        return result

    def _decode_fields(self, prepared, projects):
        """The create and master-data fields with their related objects (one query a model)."""
        wanted: dict = {}
        for fields in [f for _, f, _ in prepared["creates"]] + \
                [f for _, _, f in prepared["master"]]:
            for key, value in fields.items():
                related = Project._meta.get_field(key).related_model
                if related is not None and value is not None:
                    wanted.setdefault(related, set()).add(value)
        refs = {model: model.objects.in_bulk(pks) for model, pks in wanted.items()}
        creates = [(row, _decode_fields(fields, refs), year_plan and (
            year_plan[0], Decimal(year_plan[1]), _decimals(year_plan[2])))
            for row, fields, year_plan in prepared["creates"]]
        master = []
        for row, pk, fields in prepared["master"]:
            project, decoded = projects[pk], _decode_fields(fields, refs)
            for key, value in decoded.items():  # the instance carries its changes
                setattr(project, key, value)
            master.append((row, project, decoded))
        return creates, master

    def _ignored_columns(self, sheet: Sheet, result: ImportResult):
        for col in sheet.ignored:
            known = col.label in {c.label for c in sheet.columns.values()}
            why = "与前面的同名列重复，已忽略" if known else "未识别的列，已忽略（未导入）"
            result.warnings.append(Problem(col.row or sheet.header_row, why, col.index,
                                           col.label, True))

    # --- lookups, one query each -------------------------------------------

    def _load_lookups(self, sheet: Sheet):
        codes = {compact(r.values.get("code")) for r in sheet.rows if r.section is None}
        codes.discard("")
        base = Project.objects.active() if self.user is None else \
            Project.objects.visible_to(self.user)
        base = base.filter(code__in=codes)
        mine = base.filter(plan=self.plan) if self.plan is not None else base
        self.current = {p.code: p for p in ledger_import_rows(mine, self.year)}
        # Codes the user sees in another plan: said so, rather than "does not exist".
        self.other_plan = set(base.exclude(code__in=self.current).values_list("code", flat=True))
        self.reportable = set(self.current) if self.user is None else set(
            Project.objects.editable_by(self.user).filter(code__in=codes)
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
        years = {self.year, sheet.schedule_year or self.year}
        self.year_plans = {(yp.project_id, yp.year): yp for yp in ProjectYearPlan.objects.filter(
            project_id__in=[p.pk for p in self.current.values()], year__in=years)}

    # --- per row -------------------------------------------------------------

    def _process(self, sheet: Sheet, result: ImportResult):
        self.pending: list[tuple] = []  # (row, project, master-data fields), applied in bulk
        self.pending_year_plans: list[tuple] = []  # (row, project, year, total, schedule|None)
        self.pending_stages: list[tuple] = []
        self.pending_creates: list[tuple] = []  # (row, create fields, (year, total, schedule))
        self.pending_reports: list[tuple[int, actions.ReportInput]] = []
        seen: dict[str, int] = {}
        section = None
        for row in sheet.rows:
            if row.section is not None:
                section = self._section_category(row, section)
                continue
            result.rows += 1
            problems_before = len(result.problems)
            parsed = self._parse(row, section, result)
            if len(result.problems) > problems_before:
                continue
            code = parsed.get("code")
            if code:
                if code in seen:
                    self._cell_problem(result, row.number, "code",
                                       f"项目编号“{code}”与第{seen[code]}行重复")
                    continue
                seen[code] = row.number
            try:
                with transaction.atomic():
                    if code:
                        self._update(row.number, parsed, result)
                    else:
                        self._create(row.number, parsed, result)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                result.problems.append(Problem(row.number, "；".join(messages)))
        if not result.problems:
            self._apply_pending(result)

    def _apply_pending(self, result):
        """The changes of all rows in batches (history kept, colours recomputed once).

        An action's refusal becomes a problem on its row, never an exception out of run()."""
        try:
            with transaction.atomic():
                actions.do_bulk_update_projects([(p, f) for _, p, f in self.pending],
                                                acting_user=self.user)
        except ValidationError as exc:
            rows = "、".join(str(row_no) for row_no, _, _ in self.pending)
            result.problems.append(Problem(self.pending[0][0], f"第{rows}行的基本信息未能保存："
                                           + "；".join(exc.messages)))
        for row_no, project, year, total, schedule in self.pending_year_plans:
            try:
                with transaction.atomic():
                    actions.do_set_year_plan(project, year, total, monthly=schedule,
                                             acting_user=self.user)
            except ValidationError as exc:
                self._cell_problem(result, row_no, "year_planned", "；".join(exc.messages))
        for row_no, project, stage in self.pending_stages:
            try:
                with transaction.atomic():
                    actions.do_change_stage(project, stage, acting_user=self.user)
            except ValidationError as exc:
                self._cell_problem(result, row_no, "stage", "；".join(exc.messages))
        if self.pending_reports:
            try:
                actions.do_submit_reports([item for _, item in self.pending_reports],
                                          acting_user=self.user, now=self.now)
            except ValidationError as exc:
                for index, messages in exc.message_dict.items():
                    result.problems.append(Problem(self.pending_reports[int(index)][0],
                                                   "；".join(messages)))

    def _col(self, key):
        col = self.sheet.columns.get(key) if self.sheet is not None else None
        return (col.index, col.label) if col else (None, "")

    def _section_category(self, row, current):
        """A heading names the category of the rows below it (一、 resets, （一） refines)."""
        text = row.section
        found = self.categories.get(text) or next(
            (c for name, c in self.categories.items()
             if len(text) >= 2 and (name in text or text in name)), None)
        if found is None and row.level > 1:
            return current
        return found

    def _cell_problem(self, result, row_no, key, message, *, warning=False):
        idx, label = self._col(key)
        problem = Problem(row_no, message, idx, label, warning)
        (result.warnings if warning else result.problems).append(problem)

    def _parse(self, row, section, result) -> dict:
        values, columns = row.values, self.sheet.columns
        parsed: dict = {}
        code = compact(values.get("code"))
        if code in self.other_plan:
            self._cell_problem(result, row.number, "code",
                               f"项目编号“{code}”不属于计划“{self.plan.name}”")
        elif code and code not in self.current:
            self._cell_problem(result, row.number, "code", f"项目编号“{code}”不存在或无权导入")
        parsed["code"] = code
        parsed["name"] = _text(values.get("name"))
        if not parsed["name"]:
            self._cell_problem(result, row.number, "name", "项目名称不能为空")
        for key in ("content", "problems"):
            if key in columns and (key == "problems" or _text(values.get(key))):
                parsed[key] = _text(values.get(key))
        self._parse_cells(row, parsed, result)
        self._parse_schedule(row, parsed, result)
        self._parse_refs(row, parsed, result)
        # A heading files new rows only; an existing project's category changes only
        # through an explicit 项目类别 column (a reporter's progress file keeps its headings).
        if "category" not in parsed and section is not None and not code:
            parsed["category"] = section
        return parsed

    def _parse_cells(self, row, parsed, result):
        columns, values = self.sheet.columns, row.values
        readers = {"total_investment": None, "year_planned": None, "year_actual": None,
                   "start_date": False, "finish_date": True, "progress": "progress",
                   "stage": "stage"}
        for key, how in readers.items():
            if key not in columns:
                continue
            value = values.get(key)
            try:
                if how is None:
                    number = parse_amount(value, columns[key].unit)
                elif how == "progress":
                    number = parse_progress(value)
                elif how == "stage":
                    number = parse_stage(value)
                else:
                    number = parse_date(value, month_end=how)
            except CellError as exc:
                self._cell_problem(result, row.number, key, str(exc))
                continue
            if number is not None and number != ("", None):  # a blank cell changes nothing
                parsed[key] = number

    def _parse_schedule(self, row, parsed, result):
        """The 1–12月 序时 columns: monthly amounts (or cumulative when the sheet says 累计)."""
        if row.months is None or all(v in (None, "") for v in row.months):
            return
        months, amounts = self.sheet.months, []
        for m, value in enumerate(row.months, start=1):
            col = months.get(m)
            try:
                amounts.append(parse_amount(value, col.unit if col else None))
            except CellError as exc:
                result.problems.append(Problem(row.number, str(exc), col.index, col.label))
                return
        schedule, total = [], Decimal("0")
        for m, amount in enumerate(amounts, start=1):
            if self.sheet.schedule_cumulative:
                if amount is not None and amount < total:
                    col = months[m]
                    result.problems.append(Problem(row.number, "逐月累计计划不能逐月减少",
                                                   col.index, col.label))
                    return
                total = amount if amount is not None else total
            else:
                total += amount or Decimal("0")
            schedule.append(total)
        if total > MONEY_MAX:
            col = months[max(months)]
            result.problems.append(Problem(row.number, f"1—12月合计金额过大（超过 {MONEY_MAX:,} "
                                           "万元），请检查单位", col.index, col.label))
            return
        year = self.sheet.schedule_year or self.year
        planned = parsed.get("year_planned")
        if year == self.year and planned is not None and planned != total:
            self._cell_problem(result, row.number, "year_planned",
                               f"年度计划投资{planned}万元与1—12月序时计划合计{total}万元不一致")
            return
        parsed["schedule"] = (year, schedule)
        if year == self.year:
            parsed["year_planned"] = total

    def _parse_refs(self, row, parsed, result):
        values = row.values
        unit_name = _text(values.get("lead_unit"))
        if unit_name:
            parsed["lead_unit"] = self.units.get(unit_name)
            if parsed["lead_unit"] is None:
                self._cell_problem(result, row.number, "lead_unit", f"找不到单位“{unit_name}”")
        leader_name = _text(values.get("leader"))
        if leader_name:
            parsed["leader"] = self.leaders.get(leader_name)
            if parsed["leader"] is None:
                self._cell_problem(result, row.number, "leader", f"“{leader_name}”不是市级领导")
        person_name = _text(values.get("responsible"))
        if person_name:
            self._parse_person(row, person_name, parsed, result)
        category_name = _text(values.get("category"))
        if category_name:
            parsed["category"] = self.categories.get(category_name)
            if parsed["category"] is None:
                self._cell_problem(result, row.number, "category",
                                   f"计划中没有类别“{category_name}”")

    def _parse_person(self, row, name, parsed, result):
        """Link the one person of that name in the row's unit (else the project's lead
        unit); a namesake elsewhere is never linked: the name is kept as text, with a 提示."""
        unit = parsed.get("lead_unit")
        project = self.current.get(parsed.get("code"))
        unit_id = unit.pk if unit is not None else (project.lead_unit_id if project else None)
        candidates = self.people.get(name, [])
        in_unit = [p for p in candidates if unit_id is not None and p.unit_id == unit_id]
        if len(in_unit) == 1:
            parsed["responsible_person"] = in_unit[0]
            return
        parsed["responsible_name"] = name[:50]
        if len(in_unit) > 1:
            why = f"责任单位有{len(in_unit)}名“{name}”，无法确定是哪一位"
        elif candidates:
            why = f"责任单位的人员中没有“{name}”（其他单位有同名人员，未关联）"
        else:
            why = f"人员目录中没有“{name}”"
        self._cell_problem(result, row.number, "responsible",
                           f"{why}，已作为责任人姓名保存，可稍后在项目页关联人员", warning=True)

    # --- apply -----------------------------------------------------------------

    def _master_diff(self, project, parsed) -> dict:
        diff = {}
        for key in ("name", "content", "total_investment", "start_date", "finish_date"):
            if parsed.get(key) is not None and parsed[key] != getattr(project, key):
                diff[key] = parsed[key]
        for key in ("lead_unit", "leader", "category"):
            new = parsed.get(key)
            if new is not None and getattr(project, f"{key}_id") != new.pk:
                diff[key] = new
        diff.update(self._responsible_diff(project, parsed))
        return diff

    def _responsible_diff(self, project, parsed) -> dict:
        old = project.responsible_person
        if (person := parsed.get("responsible_person")) is not None:
            if old is not None and (old.pk == person.pk or old.name == person.name):
                return {}  # same name: keep the person already linked
            return {"responsible_person": person, "responsible_name": ""}
        if name := parsed.get("responsible_name"):
            if (old is not None and old.name == name) or (
                    old is None and project.responsible_name == name):
                return {}
            return {"responsible_person": None, "responsible_name": name}
        return {}

    def _year_plan_diff(self, project, parsed):
        """(year, total, schedule or None) when the year plan or its 序时 changes."""
        year, schedule = parsed.get("schedule", (self.year, None))
        existing = self.year_plans.get((project.pk, year))
        if schedule is not None:
            if existing is None or existing.schedule() != schedule:
                return year, schedule[-1], schedule
            return None
        planned = parsed.get("year_planned")
        if planned is not None and planned != project.year_planned:
            return self.year, planned, None
        return None

    def _progress_diff(self, project, parsed) -> dict:
        diff = {}
        actual = parsed.get("year_actual")
        current_actual = (project.year_actual or Decimal("0")).quantize(CENT)
        if actual is not None and actual != current_actual:
            diff["year_actual"] = actual
        text, percent = parsed.get("progress", (None, None))
        if text is not None and (text != (project.progress_text or "") or
                                 (percent is not None and percent != project.progress_percent)):
            diff["progress"] = (text, percent)
        # A blank 存在问题 is "none this period" only on a row that reports something else.
        problems = parsed.get("problems")
        if problems is not None and problems != (project.problems or "") and (problems or diff):
            diff["problems"] = problems
        return diff

    def _update(self, row_no, parsed, result):
        project = self.current[parsed["code"]]
        master = self._master_diff(project, parsed)
        year_plan = self._year_plan_diff(project, parsed)
        stage = parsed.get("stage")
        stage = stage if stage is not None and stage != project.stage else None
        progress = self._progress_diff(project, parsed)
        if master or year_plan:
            self._queue_master(row_no, project, master, year_plan, result)
        if stage and not self._queue_stage(row_no, project, stage, result):
            return
        if progress:
            if project.code not in self.reportable:
                raise PermissionDenied("该项目不属于本单位，不能填报进度")
            self._queue_progress(row_no, project, progress)
            result.reported += 1
            result.changes.append(f"第{row_no}行 {project.code}：填报本期进度")
        if master or year_plan or stage:
            result.updated += 1

    def _queue_master(self, row_no, project, master, year_plan, result):
        if not self.may_manage:
            keys = [*master, *(["year_planned"] if year_plan else [])]
            labels = "、".join(dict.fromkeys(MASTER_FIELDS[k] for k in keys))
            raise PermissionDenied(f"无权修改项目基本信息（{labels}），只有办公室可以修改")
        if master:
            actions.validate_project_change(project, master)  # errors stay on this row
            self.pending.append((row_no, project, master))
        labels = [MASTER_FIELDS[k] for k in master]
        if year_plan:
            self.pending_year_plans.append((row_no, project, *year_plan))
            labels.append(MASTER_FIELDS["schedule" if year_plan[2] else "year_planned"])
        result.changes.append(f"第{row_no}行 {project.code}：修改" + "、".join(
            dict.fromkeys(labels)))

    def _queue_stage(self, row_no, project, stage, result):
        if project.code not in self.reportable:
            raise PermissionDenied("该项目不属于本单位，不能变更建设阶段")
        if stage == Stage.SUSPENDED:
            self._cell_problem(result, row_no, "stage", "改为停工须说明原因，请在项目页变更阶段")
            return False
        self.pending_stages.append((row_no, project, stage))
        result.changes.append(f"第{row_no}行 {project.code}：建设阶段由“{project.get_stage_display()}”"
                              f"改为“{Stage(stage).label}”")
        return True

    def _queue_progress(self, row_no, project, progress):
        previous = (project.year_actual or Decimal("0")).quantize(CENT)
        cumulative = progress.get("year_actual", previous)
        text, percent = progress.get("progress", (project.progress_text or "",
                                                  project.progress_percent or 0))
        problems = progress.get("problems", project.problems or "")
        self.pending_reports.append((row_no, actions.ReportInput(
            project=project, cumulative=cumulative, progress_text=text or "",
            progress_percent=percent if percent is not None else (project.progress_percent or 0),
            problems=problems, correction_note="台账导入更正" if cumulative < previous else "")))

    def _create(self, row_no, parsed, result):
        if not self.may_manage:
            raise PermissionDenied("没有项目编号的行将新建项目，只有办公室可以新建")
        category = parsed.get("category") or self.default_category
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
        fields = dict(category=category, name=parsed["name"], lead_unit=parsed["lead_unit"],
                      total_investment=parsed["total_investment"],
                      content=parsed.get("content", ""), leader=parsed.get("leader"),
                      responsible_person=parsed.get("responsible_person"),
                      start_date=parsed.get("start_date"), finish_date=parsed.get("finish_date"))
        fields.update({k: parsed[k] for k in ("stage", "responsible_name") if parsed.get(k)})
        year, schedule = parsed.get("schedule", (self.year, None))
        year_plan = (year, schedule[-1], schedule) if schedule is not None else \
            (self.year, parsed["year_planned"], None) \
            if parsed.get("year_planned") is not None else None
        project = self._create_project(fields, year_plan)
        self.pending_creates.append((row_no, fields, year_plan))
        result.created += 1
        result.changes.append(f"第{row_no}行：新建项目 {project.code} {project.name}")

    def _create_project(self, fields, year_plan) -> Project:
        project = actions.do_create_project(plan=self.plan, acting_user=self.user, **fields)
        if year_plan is not None:
            year, total, schedule = year_plan
            actions.do_set_year_plan(project, year, total, monthly=schedule,
                                     acting_user=self.user)
        return project

    def _write_create(self, row_no, fields, year_plan, result):
        """A prepared new row; an action's refusal is a problem on its row."""
        try:
            with transaction.atomic():
                self._create_project(fields, year_plan)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            result.problems.append(Problem(row_no, "；".join(messages)))


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _encode_value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, list | tuple):
        return [_encode_value(v) for v in value]
    return value


def _encode_fields(fields: dict) -> dict:
    return {key: _encode_value(value) for key, value in fields.items()}


def _decode_fields(fields: dict, refs: dict) -> dict:
    """Project field values back from `_encode_fields`, by each field's type."""
    decoded = {}
    for key, value in fields.items():
        model_field = Project._meta.get_field(key)
        if value is None:
            decoded[key] = None
        elif model_field.related_model is not None:
            decoded[key] = refs[model_field.related_model][value]
        elif isinstance(model_field, models.DecimalField):
            decoded[key] = Decimal(value)
        elif isinstance(model_field, models.DateField):
            decoded[key] = date.fromisoformat(value)
        else:
            decoded[key] = value
    return decoded


def _decimals(values):
    return None if values is None else [Decimal(v) for v in values]
