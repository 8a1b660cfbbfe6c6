"""Import the city's base data: unit grids, components (部件), roads with segments and chiefs.

Files are read by the readers the other apps already trust, never by a parser of our own:
- GIS layers (GeoJSON, a Shapefile or several in a zip, GeoPackage) through geo.importers:
  bounded, GDAL offline and driver-locked (geo/gdal_guard.py), GBK .dbf detected, every
  layer reprojected to CGCS2000 lon/lat from its .prj or its crs member;
- component workbooks (.xlsx) through the bounded stream reader the ledger import uses
  (core.workbook.read_grid, its error texts naming the 部件表).

Every import is all-or-nothing: every row is read and checked first, each problem named by
its row (第5行 / 第3个要素) and column as the file writes it, in Chinese; with any problem
nothing is stored. Then everything is stored in one transaction. `dry_run=True` runs the
same store and rolls it back, so a preview cannot drift from the apply.

Rows update what exists (a grid by code, a component by code, a segment by road and order):
a column the file does not have, or a blank cell, never clears a field.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field

import shapely
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from openpyxl.utils import get_column_letter

from cases.choices import CaseKind, ComponentState, RoadChiefLevel
from cases.gridcodes import number_grids
from cases.models import CaseType, Component, Grid, Road, RoadChief, RoadSegment
from core.history import current_context
from geo.importers import CHINA, read_source, unpacked
from org.choices import UnitKind
from org.models import Person, Unit
from org.roles import Cap, has_cap

MAX_ERRORS_LISTED = 50
XLSX_MAX_BYTES = 50 * 2**20  # a city's component sheet of 100,000 rows is about 8 MB
HEADER_SCAN_ROWS = 15
GEOMETRY_LABEL = "几何图形"

# Header synonyms per field, first = preferred when a file has several. Compared after
# _norm (no blanks, ASCII parentheses, lower case, a trailing "（单位）" dropped). Shapefile
# field names hold 10 bytes, 5 Chinese characters in GBK: 部件类型代码 arrives as 部件类型代.
GRID_FIELDS = {
    "code": ("网格编码", "单元网格编码", "网格标识码", "单元网格标识码", "标识码", "编码",
             "code", "grid_code", "gridcode", "bgid"),
    "name": ("网格名称", "单元网格名称", "名称", "name", "grid_name"),
    "street": ("所属街道", "街道", "街道办", "乡镇街道", "所属乡镇", "乡镇", "街道代码",
               "街道编码", "street", "street_code"),
    "community": ("所属社区", "社区", "社区(村)", "所属村", "村", "社区代码", "社区编码",
                  "community", "community_code", "comm_code"),
}
COMPONENT_FIELDS = {
    "code": ("部件标识码", "部件编码", "部件编号", "标识码", "objid", "obj_id", "code"),
    "type_code": ("部件类型代码", "部件类型代", "类型代码", "部件类型", "小类代码", "type_code",
                  "typecode"),
    "name": ("部件名称", "名称", "objname", "obj_name", "name"),
    "owner": ("权属单位", "主管单位", "主管部门", "权属部门", "deptname1", "deptcode1", "owner",
              "owner_unit"),
    "state": ("部件状态", "状态", "objstate", "obj_state", "state"),
    "lon": ("经度", "lon", "lng", "longitude", "pointx", "point_x"),
    "lat": ("纬度", "lat", "latitude", "pointy", "point_y"),
}
ROAD_FIELDS = {
    "road": ("道路名称", "路名", "道路", "road", "road_name", "roadname"),
    "order": ("段序", "路段序号", "段号", "序号", "order", "seg_order", "segment_order"),
    "name": ("路段名称", "路段", "segment", "seg_name", "name"),
    "start": ("起点", "起点名称", "起", "start", "start_name", "from"),
    "end": ("终点", "终点名称", "止点", "止", "end", "end_name", "to"),
    RoadChiefLevel.CITY: ("市级路长", "city_chief"),
    RoadChiefLevel.DISTRICT: ("区级(街道)路长", "区级路长", "街道路长", "district_chief"),
    RoadChiefLevel.COMMUNITY: ("社区路长", "community_chief"),
}
STATE_WORDS = {
    ComponentState.GOOD: ("完好", "正常", "良好", "good"),
    ComponentState.DAMAGED: ("损坏", "破损", "damaged"),
    ComponentState.MISSING: ("丢失", "缺失", "missing"),
    ComponentState.RETIRED: ("废弃", "报废", "停用", "retired"),
}
TOTAL_WORDS = ("合计", "小计", "总计")
_TRAILING_UNIT = re.compile(r"\([^()]*\)$")
_WITH_UNIT = re.compile(r"^(.+?)\s*[（(](.+)[)）]$")
_ORDER = re.compile(r"^第?(\d+)段?$")


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    kind: str  # "网格" / "部件" / "路段"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        text = (f"{verb}新增{self.kind}{self.created}个，更新{self.updated}个，"
                f"{self.unchanged}个无变化。")
        return " ".join([text, *self.notes])


@dataclass
class _Record:
    where: str  # 第5行 / 第3个要素
    values: dict  # field → raw value (only the fields the file has a column for)
    columns: dict  # field → the column as the file names it
    geom: object = None

    def label(self, name: str) -> str:
        return self.columns.get(name, name)

    def problem(self, name: str, text: str) -> str:
        return f"{self.where}“{self.label(name)}”：{text}"


class _Rollback(Exception):
    """Raised inside the transaction of a dry run, after everything was stored."""


# --- reading ---------------------------------------------------------------------------


def _norm(label) -> str:
    text = re.sub(r"\s+", "", str(label or "").replace("\u3000", ""))
    text = text.replace("（", "(").replace("）", ")").lower()
    stripped = _TRAILING_UNIT.sub("", text)  # 经度(°) → 经度, but 社区(村) matches as written
    return stripped or text


def _field_map(labels, synonyms: dict) -> dict:
    """field → label for the labels that name one (the earliest synonym wins)."""
    by_norm = {}
    for label in labels:
        for key in {_norm(label), re.sub(r"\s+", "", str(label or "")).lower()
                    .replace("（", "(").replace("）", ")")}:
            by_norm.setdefault(key, label)
    found = {}
    for name, words in synonyms.items():
        for word in words:
            label = by_norm.get(_norm(word)) or by_norm.get(word.lower())
            if label is not None and label not in found.values():
                found[name] = label
                break
    return found


def _layer_records(uploaded, filename: str, source: str | None, synonyms: dict):
    """The features of one layer of a GIS file, as records (lon/lat geometries)."""
    with unpacked(uploaded, filename) as sources:
        if source is None and len(sources) > 1:
            labels = "、".join(s.label for s in sources)
            raise ValidationError(f"“{filename}”中有{len(sources)}个图层：{labels}。"
                                  "请指定导入哪一个，系统不会只导入其中一个。")
        chosen = sources[0] if source is None else \
            next((s for s in sources if s.label == source), None)
        if chosen is None:
            raise ValidationError(f"“{filename}”中没有“{source}”。")
        data = read_source(chosen, filename)
    columns = _field_map(data.fields, synonyms)
    labels = _labels(synonyms, columns)
    return columns, [
        _Record(f"第{i + 1}个要素", {name: props.get(attr) for name, attr in columns.items()},
                labels, geom)
        for i, props, geom in data.records]


def _labels(synonyms: dict, columns: dict) -> dict:
    """How problems name each field: the file's column, else our preferred header."""
    return {**{name: words[0] for name, words in synonyms.items()}, **columns}


def _read_bytes(uploaded, most: int, filename: str) -> bytes:
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(most + 1)
    if len(data) > most:
        raise ValidationError(f"文件“{filename}”超过{most // 2**20}MB的上限，请拆分后分别导入。")
    return data


def _xlsx_records(data: bytes, synonyms: dict, required: str):
    """The rows of the first worksheet, laid out as offices write them: a title and other
    lines above the header, a header of one row or two (a group label merged over 经度/纬度),
    cells merged down over several rows (one owner unit for a block), section headings
    merged across the row (一、公用设施类) and 合计 rows, which are skipped."""
    from core.workbook import Bounds, read_grid

    raw, ranges = read_grid(data, Bounds.from_settings(), label="部件表")
    top = [list(row) for row in raw[:HEADER_SCAN_ROWS + 1]]
    for r0, c0, r1, c1 in ranges:  # header merges fill every cell they cover
        for r in range(r0, min(r1, len(top)) + 1):
            for c in range(c0, c1 + 1):
                top[r - 1][c - 1] = raw[r0 - 1][c0 - 1]
    header = None
    for i, row in enumerate(top[:HEADER_SCAN_ROWS]):
        if required in _field_map([v for v in row if v is not None], synonyms):
            header = i
            break
    if header is None:
        names = "、".join(synonyms[required][:3])
        raise ValidationError(f"未找到表头：前{HEADER_SCAN_ROWS}行中没有“{names}”等列。")
    first = top[header]
    second = top[header + 1] if header + 1 < len(top) else None
    labels = {}  # column index (0-based) → header label as written
    two_rows = second is not None and any(
        v is not None and v != first[c] and _field_map([v], synonyms)
        for c, v in enumerate(second))
    for c in range(len(first)):
        lower = second[c] if two_rows else None
        if lower is not None and lower != first[c]:
            labels[c] = str(lower).strip()
        elif first[c] is not None:
            labels[c] = str(first[c]).strip()
    by_label = _field_map(list(labels.values()), synonyms)
    col_of = {name: next(c for c, lab in labels.items() if lab == label)
              for name, label in by_label.items()}
    columns = {name: f"{labels[c]}（{get_column_letter(c + 1)}列）"
               for name, c in col_of.items()}
    start = header + (2 if two_rows else 1)  # 0-based index of the first data row
    down = {}  # (row, col) → value of a cell merged down over data rows
    wide = set()  # rows holding a merge across three or more columns (section headings)
    for r0, c0, r1, c1 in ranges:
        if r0 <= start:
            continue
        if c1 - c0 >= 2:
            wide.add(r0 - 1)
        for r in range(r0, r1 + 1):
            down[(r - 1, c0 - 1)] = raw[r0 - 1][c0 - 1]
    records = []
    for r in range(start, len(raw)):
        row = raw[r]
        cells = {c: down.get((r, c), row[c] if c < len(row) else None) for c in labels}
        texts = [str(v).strip() for v in row if v not in (None, "") and str(v).strip()]
        if not texts:
            continue
        compacted = [re.sub(r"\s+", "", t.replace("\u3000", "")) for t in texts]
        key_value = cells.get(col_of.get(required))
        if key_value in (None, "") and (r in wide or len(texts) == 1
                                        or any(t.startswith(TOTAL_WORDS) for t in compacted)):
            continue  # a section heading or a total
        values = {name: cells.get(c) for name, c in col_of.items()}
        records.append(_Record(f"第{r + 1}行", values, _labels(synonyms, columns)))
    return columns, records


# --- values ----------------------------------------------------------------------------


def _text(value) -> str:
    """A cell or attribute as text: 3205080101000001.0 (a code typed as a number) → digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _number(record: _Record, name: str, errors: list) -> float | None:
    value = record.values.get(name)
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip().rstrip("°"))
    except ValueError:
        errors.append(record.problem(name, f"应为数值，填写的是“{value}”。"))
        return None
    if not math.isfinite(number):
        errors.append(record.problem(name, f"应为数值，填写的是“{value}”。"))
        return None
    return number


def _geojson(geom) -> dict:
    return json.loads(json.dumps(shapely.geometry.mapping(geom)))


class _Units:
    """Units by 行政区划代码, full name or short name (loaded once per import)."""

    def __init__(self):
        self.by_code, self.by_name, self.by_short = {}, {}, defaultdict(list)
        for unit in Unit.objects.active():
            if unit.admin_code:
                self.by_code[unit.admin_code] = unit
            self.by_name[unit.name] = unit
            if unit.short_name:
                self.by_short[unit.short_name].append(unit)

    def find(self, value: str, kind: str | None):
        """(unit, problem): a unit of `kind` named or coded by `value`."""
        unit = self.by_code.get(value) or self.by_name.get(value)
        if unit is None:
            short = self.by_short.get(value, [])
            if len(short) > 1:
                return None, f"简称“{value}”对应多个单位，请填写单位全称或行政区划代码。"
            unit = short[0] if short else None
        if unit is None:
            return None, f"未找到单位“{value}”（按行政区划代码、单位名称或简称查找）。"
        if kind and unit.kind != kind:
            return None, f"“{unit.name}”不是{UnitKind(kind).label}。"
        return unit, None


class _People:
    """People by id, by name, or as 姓名（单位）."""

    def __init__(self):
        self.by_id, self.by_name = {}, defaultdict(list)
        for person in Person.objects.active().select_related("unit"):
            self.by_id[person.pk] = person
            self.by_name[person.name].append(person)

    def find(self, value: str):
        if value.isdigit():
            person = self.by_id.get(int(value))
            return (person, None) if person else (None, f"没有编号为{value}的人员。")
        name, unit = value, None
        if m := _WITH_UNIT.match(value):
            name, unit = m[1].strip(), m[2].strip()
        found = self.by_name.get(name, [])
        if unit is not None:
            found = [p for p in found if p.unit and unit in (p.unit.name, p.unit.short_name)]
        if len(found) == 1:
            return found[0], None
        if not found:
            return None, f"未找到人员“{value}”，请先在单位人员中登记，或填写人员编号。"
        return None, (f"有{len(found)}名人员叫“{name}”，请写成“姓名（单位）”或填写人员编号"
                      f"（{'、'.join(str(p.pk) for p in found)}）。")


def _model_problems(exc: ValidationError, record: _Record, columns: dict) -> list[str]:
    """A model's full_clean errors as row problems, each naming the file's column."""
    problems = []
    for model_field, messages in exc.message_dict.items():
        name = columns.get(model_field)
        for message in messages:
            if model_field == NON_FIELD_ERRORS or name is None:
                problems.append(f"{record.where}：{message}")
            else:
                problems.append(record.problem(name, message))
    return problems


def _raise(errors: list[str]) -> None:
    if errors:
        more = [f"（另有{len(errors) - MAX_ERRORS_LISTED}处问题）"] \
            if len(errors) > MAX_ERRORS_LISTED else []
        raise ValidationError([*errors[:MAX_ERRORS_LISTED], *more, "文件未导入任何数据，"
                               "请修改后重新导入。"])


def _check_user(acting_user) -> None:
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_ORG):
        raise PermissionDenied("当前角色无权导入城市管理基础数据。")


def _store(result: ImportResult, dry_run: bool, store) -> ImportResult:
    """Run `store` in one transaction; a dry run rolls it back after it ran whole."""
    result.dry_run = dry_run
    try:
        with transaction.atomic():
            store()
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError:  # the same code stored meanwhile by someone else
        raise ValidationError("导入时数据已被他人修改（编码重复），未导入任何数据，"
                              "请重新导入。") from None
    return result


def _filename(uploaded, filename):
    return filename or os.path.basename(getattr(uploaded, "name", "") or "") or "上传文件"


# --- grids -----------------------------------------------------------------------------


def import_grids(uploaded, *, filename: str | None = None, acting_user=None,
                 source: str | None = None, dry_run: bool = False) -> ImportResult:
    """Unit grids from a polygon layer (GeoJSON, zipped Shapefile, GeoPackage).

    Attributes: 网格编码 (15 digits) — or none, and the codes are generated for the whole
    community (cases.gridcodes.number_grids, west→east, north→south) when the community
    has a 行政区划代码 and no grids yet; 网格名称; 所属街道 and 所属社区 by 行政区划代码 or
    name (the street defaults to the community's parent). A grid whose code exists is
    updated (and restored if it was archived).
    """
    _check_user(acting_user)
    filename = _filename(uploaded, filename)
    columns, records = _layer_records(uploaded, filename, source, GRID_FIELDS)
    units, errors = _Units(), []
    rows = []  # (record, code, name, street, community)
    for record in records:
        if record.geom.geom_type not in ("Polygon", "MultiPolygon"):
            errors.append(f"{record.where}：网格应为面（多边形），文件中是{record.geom.geom_type}。")
            continue
        street = community = None
        value = _text(record.values.get("community"))
        if value:
            community, problem = units.find(value, UnitKind.COMMUNITY)
            if problem:
                errors.append(record.problem("community", problem))
        value = _text(record.values.get("street"))
        if value:
            street, problem = units.find(value, UnitKind.TOWN)
            if problem:
                errors.append(record.problem("street", problem))
        if community and street and community.parent_id != street.pk:
            errors.append(record.problem("community", f"“{community.name}”不属于“{street.name}”。"))
        if community and street is None and community.parent and \
                community.parent.kind == UnitKind.TOWN:
            street = community.parent
        rows.append([record, _text(record.values.get("code")), record.values.get("name"),
                     street, community])
    _generate_codes(rows, errors)
    seen = {}
    for record, code, *_ in rows:
        if code and code in seen:
            errors.append(record.problem("code", f"编码{code}与{seen[code]}重复。"))
        seen.setdefault(code, record.where)
    _raise(errors)

    existing = {g.code: g for g in Grid.objects.filter(code__in=[r[1] for r in rows])}
    model_columns = {"code": "code", "name": "name", "street_unit": "street",
                     "community_unit": "community", "geometry": GEOMETRY_LABEL}
    result, grids = ImportResult("网格"), []
    for record, code, name, street, community in rows:
        grid = existing.get(code) or Grid(code=code)
        before = _grid_state(grid) if grid.pk else None
        if _text(name) or not grid.pk:
            grid.name = _text(name)
        if street:
            grid.street_unit = street
        if community:
            grid.community_unit = community
        grid.geometry = _geojson(record.geom)
        grid.archived_at = None
        try:
            grid.full_clean(validate_unique=False)  # codes were checked against the file above
        except ValidationError as exc:
            errors.extend(_model_problems(exc, record, model_columns))
            continue
        if before is None:
            result.created += 1
        elif before != _grid_state(grid):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        grids.append(grid)
    _raise(errors)

    def store():
        for grid in grids:
            grid.save()

    return _store(result, dry_run, store)


def _grid_state(grid) -> tuple:
    return (grid.name, grid.street_unit_id, grid.community_unit_id, grid.archived_at,
            json.dumps(grid.geometry, sort_keys=True))


def _generate_codes(rows, errors) -> None:
    """Codes for the features that have none, per community (all of its grids, or none)."""
    blank = [row for row in rows if not row[1]]
    if not blank:
        return
    by_community = defaultdict(list)
    for row in blank:
        record, community = row[0], row[4]
        if community is None:
            errors.append(record.problem("code", "为空，且没有“所属社区”，无法生成网格编码。"))
        elif not community.admin_code:
            errors.append(record.problem("code", f"为空，且“{community.name}”没有行政区划代码，"
                                                 "无法生成网格编码。"))
        else:
            by_community[community].append(row)
    for community, group in by_community.items():
        coded = [row[0].where for row in rows if row[1] and row[4] == community]
        if coded:
            errors.append(f"“{community.name}”的网格有的填了编码（{coded[0]}等），有的没有：请全部"
                          "填写，或全部留空由系统按自西向东、由北向南生成。")
            continue
        stored = Grid.objects.active().filter(community_unit=community).count()
        if stored:
            errors.append(f"“{community.name}”已有{stored}个网格，文件中{group[0][0].where}等"
                          "没有网格编码：请填写编码以更新已有网格，系统不会重新编号。")
            continue
        try:
            codes = number_grids([row[0].geom for row in group], community.admin_code)
        except ValueError as exc:
            errors.append(f"“{community.name}”：{exc}")
            continue
        for row, code in zip(group, codes, strict=True):
            row[1] = code


# --- components ------------------------------------------------------------------------


def import_components(uploaded, *, filename: str | None = None, acting_user=None,
                      source: str | None = None, dry_run: bool = False) -> ImportResult:
    """Components (部件) from a point layer or an .xlsx sheet.

    Columns: 部件标识码; 部件类型代码 (4 digits 大类+小类; taken from the 标识码's 7th–10th
    digits when absent, the 6+2+2+6 layout); 部件名称; 权属单位 (行政区划代码, name or short
    name); 部件状态 (完好/损坏/丢失/废弃); 经度/纬度 in a workbook, the point itself in a
    layer. The grid is found from the position (as Grid.objects.containing, see GridLocator).
    """
    _check_user(acting_user)
    filename = _filename(uploaded, filename)
    if filename.lower().endswith((".xls", ".et", ".csv")):
        raise ValidationError(f"“{filename}”不是 .xlsx 文件，请在 WPS 或 Excel 中另存为 .xlsx "
                              "后导入；或上传 GeoJSON、Shapefile（zip）、GeoPackage 点图层。")
    if filename.lower().endswith(".xlsx"):
        data = _read_bytes(uploaded, XLSX_MAX_BYTES, filename)
        columns, records = _xlsx_records(data, COMPONENT_FIELDS, "code")
    else:
        columns, records = _layer_records(uploaded, filename, source, COMPONENT_FIELDS)
    units, errors = _Units(), []
    type_codes = {f"{major}{minor}" for major, minor in CaseType.objects.active()
                  .filter(kind=CaseKind.COMPONENT).values_list("major_code", "minor_code")}
    states = {_norm(word): value for value, words in STATE_WORDS.items() for word in words}
    rows, seen = [], {}
    for record in records:
        code = _text(record.values.get("code"))
        if not code:
            errors.append(record.problem("code", "不能为空。"))
            continue
        if code in seen:
            errors.append(record.problem("code", f"“{code}”与{seen[code]}重复。"))
            continue
        seen[code] = record.where
        row = {"record": record, "code": code}
        type_code = _text(record.values.get("type_code"))
        if type_code.isdigit() and len(type_code) < 4:
            type_code = type_code.zfill(4)  # 0101 typed into Excel as a number
        if not type_code and len(code) == 16 and code.isdigit():
            type_code = code[6:10]
        if type_code:
            if not re.fullmatch(r"\d{4}", type_code):
                errors.append(record.problem("type_code", f"应为4位数字（大类+小类），填写的是"
                                                          f"“{type_code}”。"))
            elif type_codes and type_code not in type_codes:
                errors.append(record.problem("type_code", f"“{type_code}”不在部件类型表中。"))
            row["type_code"] = type_code
        if _text(record.values.get("name")):
            row["name"] = _text(record.values.get("name"))
        owner = _text(record.values.get("owner"))
        if owner:
            row["owner_unit"], problem = units.find(owner, None)
            if problem:
                errors.append(record.problem("owner", problem))
        state = _text(record.values.get("state"))
        if state:
            row["state"] = states.get(_norm(state))
            if row["state"] is None:
                errors.append(record.problem("state", f"“{state}”不是部件状态，应为"
                                                      f"{'、'.join(ComponentState.labels)}。"))
        _position(record, row, errors)
        rows.append(row)
    _raise(errors)

    existing = {c.code: c for c in Component.objects.filter(code__in=[r["code"] for r in rows])}
    model_columns = {"code": "code", "type_code": "type_code", "name": "name",
                     "owner_unit": "owner", "state": "state", "lon": "lon", "lat": "lat"}
    result = ImportResult("部件")
    locate = GridLocator()
    new, changed, outside = [], [], 0
    creator = acting_user or current_context().actor_user()  # bulk_create skips save()
    fields = ("type_code", "name", "owner_unit", "state", "lon", "lat")
    for row in rows:
        record, component = row["record"], existing.get(row["code"])
        if component is None:
            missing = [record.label(name) for name, key in
                       (("type_code", "type_code"), ("lon", "lon"), ("lat", "lat"))
                       if key not in row]
            if missing:
                errors.append(f"{record.where}：新部件缺少{'、'.join(missing)}。")
                continue
            component = Component(code=row["code"], created_by=creator)
        before = {f: getattr(component, f) for f in fields} if component.pk else None
        for f in fields:
            if f in row:
                setattr(component, f, row[f])
        moved = before is None or (component.lon, component.lat) != (before["lon"], before["lat"])
        try:
            component.full_clean(validate_unique=False)
        except ValidationError as exc:
            errors.extend(_model_problems(exc, record, model_columns))
            continue
        if moved:
            component.grid = locate(component.lon, component.lat)
            outside += component.grid is None
        if before is None:
            result.created += 1
            new.append(component)
        elif moved or before != {f: getattr(component, f) for f in fields}:
            result.updated += 1
            changed.append(component)
        else:
            result.unchanged += 1
    _raise(errors)
    if outside:
        result.notes.append(f"{outside}个部件不在任何网格内（所在网格留空）。")

    def store():
        Component.objects.bulk_create(new, batch_size=1000)
        Component.objects.tracked_bulk_update(changed, [*fields, "grid"])

    return _store(result, dry_run, store)


class GridLocator:
    """Grid.objects.containing for many points: the same answer (the active grid whose
    polygon covers the point, the lowest code first), with the grids read and parsed once
    instead of a query and a parse per point (half of a 2,000-row import's time)."""

    def __init__(self):
        self.grids = list(Grid.objects.active().order_by("code"))
        self.shapes = [shapely.geometry.shape(g.geometry) for g in self.grids]
        self.tree = shapely.STRtree(self.shapes) if self.shapes else None

    def __call__(self, lon: float, lat: float):
        if self.tree is None:
            return None
        point = shapely.Point(lon, lat)
        for i in sorted(self.tree.query(point)):  # tree order is not code order
            if self.shapes[i].covers(point):
                return self.grids[i]
        return None


def _position(record: _Record, row: dict, errors: list) -> None:
    """lon/lat from the point of a layer, or the 经度/纬度 columns of a sheet."""
    if record.geom is not None:
        geom = record.geom
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point":
            errors.append(f"{record.where}：部件应为点，文件中是{geom.geom_type}。")
            return
        row["lon"], row["lat"] = geom.x, geom.y
        return
    lon, lat = _number(record, "lon", errors), _number(record, "lat", errors)
    if (lon is None) != (lat is None):
        missing = "lat" if lat is None else "lon"
        if record.values.get(missing) in (None, ""):
            errors.append(record.problem(missing, "经度和纬度应同时填写。"))
        return
    if lon is None:
        return
    if not (CHINA[0] <= lon <= CHINA[2] and CHINA[1] <= lat <= CHINA[3]):
        if CHINA[0] <= lat <= CHINA[2] and CHINA[1] <= lon <= CHINA[3]:
            hint = "经度和纬度可能填反了。"
        elif abs(lon) > 180 or abs(lat) > 90:
            hint = "不是经纬度，像是投影坐标（米），请换算为CGCS2000经纬度（度）后填写。"
        else:
            hint = "不在中国范围内，请检查坐标。"
        errors.append(f"{record.where}“{record.label('lon')}”“{record.label('lat')}”："
                      f"（{lon:g}, {lat:g}）{hint}")
        return
    row["lon"], row["lat"] = lon, lat


# --- roads -----------------------------------------------------------------------------


def import_roads(uploaded, *, filename: str | None = None, acting_user=None,
                 source: str | None = None, dry_run: bool = False) -> ImportResult:
    """Roads and their segments from a line layer, with the segments' road chiefs.

    Attributes: 道路名称; 段序 (1, 2 … along the road; without the column, the features'
    order in the file); 路段名称; 起点; 终点; 市级路长, 区级(街道)路长, 社区路长 — each a person
    by name, as 姓名（单位） where two share a name, or by person id. A segment is found by
    road and 段序 and updated; a chief named for a level replaces that level's chief.
    """
    _check_user(acting_user)
    filename = _filename(uploaded, filename)
    columns, records = _layer_records(uploaded, filename, source, ROAD_FIELDS)
    errors, people = [], _People()
    if "road" not in columns:
        raise ValidationError(f"“{filename}”没有“道路名称”属性（现有属性中未找到道路名称、路名）。")
    levels = [level for level in RoadChiefLevel if level in columns]
    rows, seen, next_order = [], {}, defaultdict(int)
    for record in records:
        if record.geom.geom_type not in ("LineString", "MultiLineString"):
            errors.append(f"{record.where}：路段应为线，文件中是{record.geom.geom_type}。")
            continue
        road = _text(record.values.get("road"))
        if not road:
            errors.append(record.problem("road", "不能为空。"))
            continue
        next_order[road] += 1
        if "order" in columns:
            text = _text(record.values.get("order"))
            match = _ORDER.match(text)
            if not match or int(match[1]) < 1:
                errors.append(record.problem("order", f"应为从1开始的段序号，填写的是“{text}”。"))
                continue
            order = int(match[1])
        else:
            order = next_order[road]
        if (road, order) in seen:
            errors.append(record.problem("order", f"“{road}”第{order}段与{seen[road, order]}"
                                                  "重复。"))
            continue
        seen[road, order] = record.where
        chiefs = {}
        for level in levels:
            value = _text(record.values.get(level))
            if value:
                person, problem = people.find(value)
                if problem:
                    errors.append(record.problem(level, problem))
                chiefs[level] = person
        rows.append((record, road, order, chiefs))
    _raise(errors)

    roads = {r.name: r for r in Road.objects.filter(name__in={row[1] for row in rows})}
    segments = {(s.road.name, s.order): s for s in
                RoadSegment.objects.filter(road__name__in=list(roads)).select_related("road")}
    current = defaultdict(dict)
    for chief in RoadChief.objects.active().filter(segment__in=list(segments.values())):
        current[chief.segment_id][chief.level] = chief
    model_columns = {"name": "name", "start_name": "start", "end_name": "end",
                     "geometry": GEOMETRY_LABEL, "road": "road", "order": "order"}
    result, plan, new_roads = ImportResult("路段"), [], {}
    last_sort = Road.objects.aggregate(top=Max("sort_order"))["top"] or 0
    for record, road_name, order, chiefs in rows:
        road = roads.get(road_name) or new_roads.get(road_name)
        if road is None:
            road = new_roads[road_name] = Road(name=road_name,
                                               sort_order=last_sort + len(new_roads) + 1)
            try:
                road.full_clean(exclude=["sort_order"], validate_unique=False)
            except ValidationError as exc:
                errors.extend(_model_problems(exc, record, {"name": "road"}))
                continue
        segment = segments.get((road_name, order))
        before = _segment_state(segment) if segment else None
        if segment is None:
            segment = RoadSegment(road=road, order=order)
        for name, attr in (("name", "name"), ("start", "start_name"), ("end", "end_name")):
            value = _text(record.values.get(name))
            if value:
                setattr(segment, attr, value[:100])
        if not segment.name:
            segment.name = f"{road_name}第{order}段"
        segment.geometry = _geojson(record.geom)
        segment.archived_at = None
        try:
            segment.full_clean(exclude=["road"], validate_unique=False,
                               validate_constraints=False)
        except ValidationError as exc:
            errors.extend(_model_problems(exc, record, model_columns))
            continue
        existing_chiefs = current.get(segment.pk, {}) if segment.pk else {}
        replace = {level: person for level, person in chiefs.items()
                   if getattr(existing_chiefs.get(level), "person_id", None) != person.pk}
        if before is None:
            result.created += 1
        elif before != _segment_state(segment) or replace:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        plan.append((segment, existing_chiefs, replace))
    _raise(errors)
    if new_roads:
        result.notes.append(f"新增道路{len(new_roads)}条：{'、'.join(new_roads)}。")

    revived = [road for road in roads.values()
               if road.archived_at is not None and any(p[0].road_id == road.pk for p in plan)]

    def store():
        for road in [*new_roads.values(), *revived]:
            road.archived_at = None  # a road with segments imported is in use again
            road.save()
        for segment, existing_chiefs, replace in plan:
            segment.save()
            for level, person in replace.items():
                old = existing_chiefs.get(level)
                if old is not None:
                    old.archive()
                RoadChief.objects.create(segment=segment, level=level, person=person)

    return _store(result, dry_run, store)


def _segment_state(segment) -> tuple:
    return (segment.name, segment.start_name, segment.end_name, segment.archived_at,
            json.dumps(segment.geometry, sort_keys=True))

