"""City-management cases for 示范市 (issue 10 item 7): unit grids over the built-up area, the
六纵六横 roads in segments with three levels of road chiefs, components, the case-type table,
the field force (监督员, 路长, the handling units' staff) and a year of cases.

The base data goes through the models' own saves (a few thousand rows). The year of cases is
planned in memory, step by step through cases.workflow (each step must be allowed from the
state the case is in, or the build stops), and written with bulk inserts: the rows are those
the do_* actions write (the case's fields, one CaseEvent per step with who, when, where and
why, photos, extension requests and clock pauses, deadlines from cases.workclock on the type
version's limits), only without a save per row. A handful of the newest cases then go
through the real actions. Everything is relative to the moment the city is built.
"""

from __future__ import annotations

import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone
from shapely.geometry import LineString, Point, shape
from shapely.ops import substring
from shapely.strtree import STRtree

from cases import gridcodes, workclock, workflow
from cases import type_table as table
from cases.choices import (
    CaseSource,
    CaseState,
    ComponentState,
    EventType,
    ExtensionStatus,
    LimitUnit,
    PauseKind,
    PhotoStage,
    RoadChiefLevel,
    Urgency,
)
from cases.models import (
    Case,
    CaseEvent,
    CasePause,
    CasePhoto,
    CaseType,
    CaseTypeVersion,
    Component,
    ExtensionRequest,
    Grid,
    Road,
    RoadChief,
    RoadSegment,
)
from cases.routing import propose_unit
from core.dates import local_datetime
from demo import names
from org import actions as org_actions
from org.choices import Role, UnitKind
from org.models import Person, Unit, User

# Cases in the year behind the build day, per scale.
CASE_COUNTS = {"small": 400, "city": 15_000, "large": 60_000}
# Side of a unit grid in metres: a few dozen grids at small, about 1,500 at city, 万米单元网格
# (100 m, about 10,000 m²) at large.
GRID_CELL_M = {"small": 1_500, "city": 250, "large": 100}
COMPONENT_COUNTS = {"small": 300, "city": 3_000, "large": 20_000}
INSPECTORS_PER_STREET = {"small": 1, "city": 2, "large": 3}

# The built-up area: the 3 × 3 blocks between the inner four of the six north-south and the
# six east-west main roads (demo.basemap), each block belonging to one urban street (街道).
# North row first, west first, as a map is read.
URBAN_BLOCKS = [
    ["北城街道", "北城街道", "东城街道"],
    ["西城街道", "城关镇", "东城街道"],
    ["西城街道", "南城街道", "新华街道"],
]
URBAN_STREETS = ["城关镇", "东城街道", "西城街道", "南城街道", "北城街道", "新华街道"]
# Login names of the units that get accounts here (pinyin, as the demo's other accounts).
PINYIN = {
    "城关镇": "chengguanzhen", "东城街道": "dongcheng", "西城街道": "xicheng",
    "南城街道": "nancheng", "北城街道": "beicheng", "新华街道": "xinhua",
    "城管局": "chengguan", "住建局": "zhujian", "园林中心": "yuanlin", "交通局": "jiaotong",
    "交警大队": "jiaojing", "供水公司": "gongshui", "燃气公司": "ranqi", "供电公司": "gongdian",
    "水利局": "shuili", "环保分局": "huanbao", "应急局": "yingji", "人防办": "renfang",
    "体育局": "tiyu", "市监局": "shijian",
}

# Who owns what (the type's 主管单位 and a component's 权属单位), by (kind, major, minor) or
# (kind, major); the first unit of the list that the demo city has, else 城管局. None: no
# owner is clear, so routing falls to the locality (属地兜底).
_OWNERS = {
    ("component", "01", "01"): ["供水公司"], ("component", "01", "02"): ["水利局"],
    ("component", "01", "03"): ["水利局"], ("component", "01", "04"): ["水利局"],
    ("component", "01", "05"): ["供电公司"], ("component", "01", "06"): None,
    ("component", "01", "07"): ["燃气公司"], ("component", "01", "08"): ["供水公司", "应急局"],
    ("component", "01"): ["城管局"],
    ("component", "02", "01"): ["交警大队", "交通局"], ("component", "02"): ["交通局"],
    ("component", "03"): ["城管局"],
    ("component", "04"): ["园林中心", "林业局"],
    ("component", "05", "01"): ["人防办"], ("component", "05"): None,
    ("component", "06", "01"): ["水利局"], ("component", "06", "02"): ["体育局"],
    ("component", "06"): None,
    ("event", "01", "05"): ["园林中心"], ("event", "01", "06"): ["园林中心"],
    ("event", "01", "10"): ["住建局"], ("event", "01", "14"): ["水利局"],
    ("event", "01", "16"): ["环保分局"], ("event", "01", "19"): ["水利局"],
    ("event", "01"): ["城管局"], ("event", "02"): ["城管局"], ("event", "03"): ["住建局"],
    ("event", "04", "01"): ["住建局"], ("event", "04", "02"): ["供水公司"],
    ("event", "04", "05"): ["园林中心"], ("event", "04", "06"): ["供电公司"],
    ("event", "04"): ["应急局", "城管局"],
    ("event", "05", "04"): ["交警大队"], ("event", "05"): ["城管局"], ("event", "06"): ["城管局"],
}


@dataclass
class CaseWorld:
    """What the year of cases is built on (filled step by step)."""

    streets: list = field(default_factory=list)  # urban street units, URBAN_STREETS order
    communities: dict = field(default_factory=dict)  # street pk -> [community units]
    grids: list = field(default_factory=list)
    grid_tree: STRtree | None = None
    grid_shapes: list = field(default_factory=list)
    roads: list = field(default_factory=list)
    segments: list = field(default_factory=list)
    segment_lines: dict = field(default_factory=dict)  # segment pk -> shapely line
    versions: dict = field(default_factory=dict)  # (kind, major, minor) -> CaseTypeVersion
    components: list = field(default_factory=list)
    inspectors: dict = field(default_factory=dict)  # street pk -> [users]
    chief_users: dict = field(default_factory=dict)  # street pk -> road-chief user
    chief_segments: dict = field(default_factory=dict)  # user pk -> [segments]
    unit_staff: dict = field(default_factory=dict)  # unit pk -> [users]
    desk: list = field(default_factory=list)
    owners: dict = field(default_factory=dict)  # type key -> Unit | None
    counts: dict = field(default_factory=dict)


def build_cases(city, now: datetime | None = None) -> dict:
    """Build everything; returns the counts for the command's summary."""
    now = now or timezone.now()
    rng = random.Random(city.rng.random())
    world = CaseWorld()
    build_communities(city, world)
    build_grids(city, world)
    build_roads(city, world)
    build_types(city, world)
    build_components(city, world, rng)
    build_field_force(city, world)
    build_road_chiefs(city, world)
    build_history(city, world, rng, now)
    build_live_cases(city, world)
    world.counts.update(grids=len(world.grids), segments=len(world.segments),
                        components=len(world.components),
                        cases=Case.objects.count())
    return world.counts


# --- streets and communities ------------------------------------------------------------


def build_communities(city, world: CaseWorld) -> None:
    """The urban streets and their communities. The small city has no communities; it gets
    two per urban street, named and coded as the city scale names and codes them."""
    for name in URBAN_STREETS:
        street = city.units[name]
        world.streets.append(street)
        communities = list(Unit.objects.filter(parent=street, kind=UnitKind.COMMUNITY)
                           .order_by("sort_order", "pk"))
        if not communities:
            order = int(street.admin_code[6:9])
            for seq in (1, 2):
                stem = names.COMMUNITY_STEMS[(order * 7 + seq) % len(names.COMMUNITY_STEMS)]
                unit_name = f"{street.name}{stem}{names.COMMUNITY_SUFFIXES[seq % 2]}"
                unit = org_actions.do_create_unit(
                    name=unit_name, kind=UnitKind.COMMUNITY, parent=street, sort_order=seq,
                    admin_code=f"{street.admin_code[:9]}{seq:03d}")
                city.units[unit_name] = unit
                for title in ("书记", "网格员"):
                    org_actions.do_create_person(name=_unique_person_name(city.rng), unit=unit,
                                                 title=title, phone=_phone(city.rng))
                communities.append(unit)
        world.communities[street.pk] = communities


def _unique_person_name(rng, used=None) -> str:
    """A person's name no one in the demo has yet (names on a sign must tell people apart)."""
    from demo.build import person_name

    used = used if used is not None else set(Person.objects.values_list("name", flat=True))
    for _ in range(200):
        candidate = person_name(rng)
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise RuntimeError("no unused person name left")  # pragma: no cover


def _phone(rng) -> str:
    from demo.build import phone_number

    return phone_number(rng)


# --- grids --------------------------------------------------------------------------------


def urban_bounds():
    """(min_lon, min_lat, max_lon, max_lat) of the built-up area and the block edges."""
    from demo.basemap import EW_OFFSETS, NS_OFFSETS

    lon0, lat0 = names.CENTRE
    xs = [lon0 + dx for dx in NS_OFFSETS[1:5]]  # west to east
    ys = [lat0 + dy for dy in sorted(EW_OFFSETS[1:5], reverse=True)]  # north to south
    return (xs[0], ys[-1], xs[-1], ys[0]), xs, ys


def _block_of(lon, lat, xs, ys) -> tuple[int, int]:
    col = min(2, max(0, sum(1 for x in xs[1:3] if lon >= x)))
    row = min(2, max(0, sum(1 for y in ys[1:3] if lat <= y)))
    return row, col


def build_grids(city, world: CaseWorld) -> None:
    """One lattice over the built-up area (its corners rounded off), each cell given to the
    street of its block and, within the street, to a community; numbered per community
    west→east, north→south by cases.gridcodes."""
    bbox, xs, ys = urban_bounds()
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    rx, ry = (bbox[2] - bbox[0]) / 2 * 1.2, (bbox[3] - bbox[1]) / 2 * 1.2
    by_street: dict[int, list] = {s.pk: [] for s in world.streets}
    street_of = {s.name: s for s in world.streets}
    for polygon in gridcodes.grid_polygons(bbox, GRID_CELL_M[city.scale]):
        cell = shape(polygon)
        c = cell.centroid
        if ((c.x - cx) / rx) ** 2 + ((c.y - cy) / ry) ** 2 > 1:
            continue  # outside the rounded outline: fields and villages, no grid
        row, col = _block_of(c.x, c.y, xs, ys)
        by_street[street_of[URBAN_BLOCKS[row][col]].pk].append((polygon, cell))
    grids = []
    for street in world.streets:
        communities = world.communities[street.pk]
        for community, cells in zip(communities, _split(by_street[street.pk], len(communities))):
            codes = gridcodes.number_grids([cell for _, cell in cells], community.admin_code)
            for (polygon, _cell), code in sorted(zip(cells, codes), key=lambda pair: pair[1]):
                grid = Grid(code=code, name=f"{community.name}{code[-3:]}号网格",
                            street_unit=street, community_unit=community, geometry=polygon)
                grid.set_geometry(polygon)
                grids.append(grid)
    Grid.objects.bulk_create(grids, batch_size=2000)
    world.grids = grids
    world.grid_shapes = [shape(g.geometry) for g in grids]
    world.grid_tree = STRtree(world.grid_shapes)


def _split(cells: list, n: int) -> list[list]:
    """A street's cells in `n` compact parts: columns west to east, each cut north to south."""
    if n <= 0:
        return []
    if len(cells) < n:
        raise ValueError("more communities than grids; choose a smaller grid size")
    columns = max(1, round(math.sqrt(n)))
    per_column = [n // columns + (1 if i < n % columns else 0) for i in range(columns)]
    by_x = sorted(cells, key=lambda item: (item[1].centroid.x, -item[1].centroid.y))
    parts, start = [], 0
    for i, k in enumerate(per_column):
        share = round(len(cells) * sum(per_column[: i + 1]) / n)
        column = sorted(by_x[start:share], key=lambda item: (-item[1].centroid.y,
                                                              item[1].centroid.x))
        start = share
        for j in range(k):
            lo, hi = round(len(column) * j / k), round(len(column) * (j + 1) / k)
            parts.append(column[lo:hi])
    return parts


def grid_at(world: CaseWorld, lon: float, lat: float):
    """The grid Grid.objects.containing() would answer: the lowest code whose polygon covers
    the point."""
    point = Point(lon, lat)
    hits = [i for i in world.grid_tree.query(point) if world.grid_shapes[i].covers(point)]
    return world.grids[min(hits, key=lambda i: world.grids[i].code)] if hits else None


# --- roads, segments and road chiefs ------------------------------------------------------


def build_roads(city, world: CaseWorld) -> None:
    """The 六纵六横 roads of the basemap, each cut at the six roads crossing it."""
    from demo.basemap import basemap_features
    from demo.projects import ROADS_EW, ROADS_NS

    lines = {f["name"]: LineString(f["geometry"]["coordinates"]) for f in basemap_features()
             if f["kind"] == "road" and f["name"] in (*ROADS_NS, *ROADS_EW)}
    segments = []
    for order, name in enumerate([*ROADS_NS, *ROADS_EW], start=1):
        road = Road(name=name, sort_order=order)
        road.save()
        world.roads.append(road)
        line = lines[name]
        crossing = ROADS_EW if name in ROADS_NS else ROADS_NS
        cuts = []
        for other in crossing:
            meet = line.intersection(lines[other])
            if meet.is_empty:
                continue
            point = meet if meet.geom_type == "Point" else list(meet.geoms)[0]
            cuts.append((line.project(point), other))
        cuts.sort()
        for seq, ((d0, a), (d1, b)) in enumerate(zip(cuts, cuts[1:]), start=1):
            part = substring(line, d0, d1)
            coords = [[round(x, 6), round(y, 6)] for x, y in part.coords]
            segment = RoadSegment(road=road, name=f"{name}{a}至{b}段", start_name=a, end_name=b,
                                  order=seq, geometry={"type": "LineString",
                                                       "coordinates": coords})
            segment.full_clean()
            segments.append(segment)
    RoadSegment.objects.bulk_create(segments)
    world.segments = segments
    world.segment_lines = {s.pk: LineString(s.geometry["coordinates"]) for s in segments}


class SegmentIndex:
    """cases.matching.segment_for_point over the demo's own segments, in memory: the same
    rule (the nearest segment within 30 m, ties to the earlier road and segment), without the
    freshness query that function makes on every call so that another process's edits show."""

    def __init__(self, segments, lines):
        import numpy as np
        import shapely

        self.segments = segments
        self.lines = np.array([lines[s.pk] for s in segments], dtype=object)
        self.bounds = shapely.bounds(self.lines)

    def at(self, lon, lat, tolerance_m=30):
        import numpy as np
        import shapely

        from cases.matching import METRES_PER_DEGREE

        x_scale = METRES_PER_DEGREE * math.cos(math.radians(lat))
        d_lon, d_lat = tolerance_m / x_scale, tolerance_m / METRES_PER_DEGREE
        b = self.bounds
        near = np.flatnonzero((b[:, 0] - d_lon <= lon) & (b[:, 2] + d_lon >= lon)
                              & (b[:, 1] - d_lat <= lat) & (b[:, 3] + d_lat >= lat))
        if not len(near):
            return None

        def to_metres(coords):
            return np.column_stack([(coords[:, 0] - lon) * x_scale,
                                    (coords[:, 1] - lat) * METRES_PER_DEGREE])

        distances = shapely.distance(shapely.transform(self.lines[near], to_metres),
                                     shapely.Point(0, 0))
        best = int(np.argmin(distances))
        return self.segments[near[best]] if distances[best] <= tolerance_m else None


def _street_and_community(world: CaseWorld, lon, lat):
    """The street and community of a point: its grid's, else the nearest grid's."""
    grid = grid_at(world, lon, lat)
    if grid is None:
        grid = world.grids[world.grid_tree.nearest(Point(lon, lat))]
    return grid.street_unit, grid.community_unit


def build_road_chiefs(city, world: CaseWorld) -> None:
    """Three levels per segment: a city leader for the whole road (市级), the leader of the
    street the segment runs through (区级(街道); the 路长 account's person for 东城街道), and
    the secretary of its community (社区)."""
    leaders = [leader.person for leader in city.leaders]
    street_chief = {}
    for street in world.streets:
        user = world.chief_users.get(street.pk)
        street_chief[street.pk] = user.person if user else (
            Person.objects.filter(unit=street).order_by("pk").first())
    rows = []
    for segment in world.segments:
        mid = world.segment_lines[segment.pk].interpolate(0.5, normalized=True)
        street, community = _street_and_community(world, mid.x, mid.y)
        community_chief = Person.objects.filter(unit=community).order_by("pk").first()
        road_index = world.roads.index(next(r for r in world.roads if r.pk == segment.road_id))
        rows.append(RoadChief(segment=segment, level=RoadChiefLevel.CITY,
                              person=leaders[road_index % len(leaders)]))
        rows.append(RoadChief(segment=segment, level=RoadChiefLevel.DISTRICT,
                              person=street_chief[street.pk]))
        rows.append(RoadChief(segment=segment, level=RoadChiefLevel.COMMUNITY,
                              person=community_chief))
        user = world.chief_users.get(street.pk)
        if user is not None:
            world.chief_segments.setdefault(user.pk, []).append(segment)
    RoadChief.objects.bulk_create(rows)


# --- the type table ----------------------------------------------------------------------


def _owner(city, key):
    """The owner unit for a type key: the most specific rule, the first unit the city has."""
    kind, major, minor = key
    rule = _OWNERS.get((kind, major, minor), _OWNERS.get((kind, major), ["城管局"]))
    if rule is None:
        return None
    for short in rule:
        if short in city.units:
            return city.units[short]
    return city.units["城管局"]


def build_types(city, world: CaseWorld) -> None:
    """cases.type_table as case types, each with its first version (主管单位 added here)."""
    types, versions = [], []
    for row in table.TYPE_TABLE:
        types.append(CaseType(kind=row["kind"], major_code=row["major_code"],
                              major_name=row["major_name"], minor_code=row["minor_code"],
                              minor_name=row["minor_name"], group=row["group"]))
    CaseType.objects.bulk_create(types)
    for case_type, row in zip(types, table.TYPE_TABLE):
        key = (row["kind"], row["major_code"], row["minor_code"])
        owner = _owner(city, key)
        world.owners[key] = owner
        (normal, normal_unit), (urgent, urgent_unit) = row["limits"]["normal"], \
            row["limits"]["urgent"]
        version = CaseTypeVersion(
            case_type=case_type, number=1, register_standard=row["register_standard"],
            close_standard=row["close_standard"], normal_amount=normal, normal_unit=normal_unit,
            urgent_amount=urgent, urgent_unit=urgent_unit,
            duplicate_radius_m=row["duplicate_radius_m"], owner_first=row["owner_first"],
            default_owner=owner)
        version.full_clean(exclude=["case_type"])
        versions.append(version)
        world.versions[key] = version
    CaseTypeVersion.objects.bulk_create(versions)


# --- components ----------------------------------------------------------------------------

# How common each component type is on the street (weights), by (major, minor).
_COMPONENT_WEIGHTS = {
    ("01", "01"): 8, ("01", "02"): 8, ("01", "03"): 10, ("01", "04"): 10, ("01", "05"): 5,
    ("01", "06"): 6, ("01", "07"): 3, ("01", "08"): 3, ("01", "09"): 10, ("01", "10"): 6,
    ("02", "01"): 5, ("02", "02"): 4, ("02", "03"): 2, ("02", "04"): 2, ("02", "05"): 2,
    ("03", "01"): 1, ("03", "02"): 8, ("03", "03"): 2, ("03", "04"): 2, ("03", "05"): 2,
    ("04", "01"): 0.3, ("04", "02"): 12, ("04", "03"): 2, ("04", "04"): 2, ("04", "05"): 2,
    ("05", "01"): 0.3, ("05", "02"): 1, ("06", "01"): 0.5, ("06", "02"): 1,
}


def build_components(city, world: CaseWorld, rng) -> None:
    """部件 along the segments (most) and inside the grids, 标识码 = 6 区县 + 2 大类 + 2 小类 +
    6 序号, with the owner unit of their type (a few owners unknown: 权属不明)."""
    keys = [(row["major_code"], row["minor_code"]) for row in table.COMPONENTS
            if (row["major_code"], row["minor_code"]) in _COMPONENT_WEIGHTS]
    weights = [_COMPONENT_WEIGHTS[k] for k in keys]
    names_of = {(r["major_code"], r["minor_code"]): r["minor_name"] for r in table.COMPONENTS}
    sequence: dict[tuple, int] = {}
    rows = []
    lat0 = names.CENTRE[1]
    m_lon = 1 / (gridcodes.METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    m_lat = 1 / gridcodes.METRES_PER_DEGREE
    for _ in range(COMPONENT_COUNTS[city.scale]):
        major, minor = rng.choices(keys, weights)[0]
        if rng.random() < 0.7:  # on a main road, beside the carriageway
            segment = rng.choice(world.segments)
            p = world.segment_lines[segment.pk].interpolate(rng.random(), normalized=True)
            angle, metres = rng.uniform(0, 2 * math.pi), rng.uniform(6, 18)
            lon = p.x + metres * math.cos(angle) * m_lon
            lat = p.y + metres * math.sin(angle) * m_lat
        else:
            grid = rng.choice(world.grids)
            lon = rng.uniform(grid.min_lon, grid.max_lon)
            lat = rng.uniform(grid.min_lat, grid.max_lat)
        lon, lat = round(lon, 6), round(lat, 6)
        sequence[(major, minor)] = seq = sequence.get((major, minor), 0) + 1
        owner = world.owners[("component", major, minor)]
        if owner is not None and rng.random() < 0.04:
            owner = None  # 权属不明: routed to the locality
        rows.append(Component(code=f"{names.COUNTY_CODE}{major}{minor}{seq:06d}",
                              type_code=f"{major}{minor}", name=names_of[(major, minor)],
                              owner_unit=owner, state=ComponentState.GOOD, lon=lon, lat=lat,
                              grid=grid_at(world, lon, lat)))
    Component.objects.bulk_create(rows, batch_size=2000)
    world.components = rows


# --- the field force -------------------------------------------------------------------------


def _account(username, role, unit, person, password_hash) -> User:
    """An account as org.actions.do_create_account makes one (the demo password, hashed once
    for all the field accounts: a password hash costs a quarter of a second)."""
    user = User(username=username, role=role, unit=unit, person=person)
    user.password = password_hash
    user.password_changed_at = timezone.now()
    user.full_clean()
    user.save()
    return user


def build_field_force(city, world: CaseWorld) -> None:
    """监督员 (the demo's jianduyuan and more, each patrolling a street), a 路长 account per
    urban street (luzhang for 东城街道), the desk (the office accounts) and one staff
    account per handling unit that has none."""
    from demo.build import DEMO_PASSWORD

    password_hash = make_password(DEMO_PASSWORD)
    used = set(Person.objects.values_list("name", flat=True))
    chengguan = city.units["城管局"]
    jianduyuan = User.objects.get(username="jianduyuan")
    number = 0
    for street in world.streets:
        team = [jianduyuan] if street.name == "东城街道" else []
        while len(team) < INSPECTORS_PER_STREET[city.scale]:
            number += 1
            person = org_actions.do_create_person(
                name=_unique_person_name(city.rng, used), unit=chengguan,
                title=f"城市管理监督员（{street.name}）", phone=_phone(city.rng))
            team.append(_account(f"jdy{number:02d}", Role.INSPECTOR, chengguan, person,
                                 password_hash))
        world.inspectors[street.pk] = team
    for street in world.streets:
        if street.name == "东城街道":
            user = User.objects.get(username="luzhang")
        else:
            person = (Person.objects.filter(unit=street, account__isnull=True).order_by("pk")
                      .first())
            user = _account(f"lz_{PINYIN[street.name]}", Role.ROAD_CHIEF, street, person,
                            password_hash)
        world.chief_users[street.pk] = user
    world.desk = list(User.objects.filter(role__in=(Role.OFFICE_STAFF, Role.OFFICE_ADMIN),
                                          is_active=True).order_by("-role", "pk"))
    handling = {s.pk: s for s in world.streets}
    for owner in world.owners.values():
        if owner is not None:
            handling[owner.pk] = owner
    for unit in handling.values():
        staff = list(User.objects.filter(unit=unit, is_active=True,
                                         role__in=(Role.UNIT_REPORTER, Role.UNIT_HEAD))
                     .order_by("-role", "pk"))
        if not staff:
            person = Person.objects.filter(unit=unit, account__isnull=True).order_by("pk").last()
            username = PINYIN.get(unit.short_name or unit.name, f"unit{unit.pk}")
            if User.objects.filter(username=username).exists():
                username = f"cz_{username}"
            staff = [_account(username, Role.UNIT_REPORTER, unit, person, password_hash)]
        world.unit_staff[unit.pk] = staff



# --- the year of cases ---------------------------------------------------------------------

# Share of cases by (kind, major): 市容环境 about two thirds, 街面秩序 about a quarter, 部件 most
# of the rest (Beijing Daxing's published split, reference §1.5).
MAJOR_SHARES = [
    (("event", "01"), 0.655), (("event", "05"), 0.245), (("component", None), 0.065),
    (("event", "02"), 0.018), (("event", "03"), 0.011), (("event", "04"), 0.004),
    (("event", "06"), 0.002),
]
# Within a major class, how often each minor turns up (unlisted minors: weight 1).
MINOR_WEIGHTS = {
    ("event", "01"): {"02": 24, "08": 10, "03": 9, "04": 8, "05": 5, "21": 5, "01": 4,
                      "09": 3, "12": 4, "15": 2, "16": 3, "06": 3, "07": 3, "10": 4, "13": 2},
    ("event", "05"): {"04": 25, "06": 20, "01": 15, "02": 15, "03": 10, "05": 8, "07": 4,
                      "08": 2},
    ("event", "02"): {"01": 12, "06": 3, "03": 2},
    ("event", "03"): {"03": 4, "02": 3, "04": 3, "01": 2, "07": 2, "06": 2},
    ("event", "04"): {"03": 5, "05": 3, "01": 1, "02": 2, "04": 1},
}
SOURCE_SHARES = [
    (CaseSource.INSPECTOR, 0.72), (CaseSource.ROAD_CHIEF, 0.08), (CaseSource.HOTLINE, 0.08),
    (CaseSource.VIDEO, 0.05), (CaseSource.CITIZEN, 0.04), (CaseSource.INSPECTION, 0.01),
    (CaseSource.LEADER, 0.01), (CaseSource.MEDIA, 0.01),
]
FIELD_SOURCES = (CaseSource.INSPECTOR, CaseSource.ROAD_CHIEF)
# Types whose problems often outlast any time limit (seasonal or engineering work): 挂账.
HANGABLE = {("event", "01", "01"), ("event", "01", "10"), ("event", "01", "13"),
            ("event", "01", "16"), ("event", "01", "07"), ("event", "02", "02"),
            ("event", "02", "05"), ("event", "03", "05"), ("component", "01", "99"),
            ("component", "02", "04"), ("component", "05", "99")}
WINTER_ONLY = {("event", "04", "04")}

REJECT_REASONS = ["经核实，问题不属于数字城管受理范围，已告知转相关部门。",
                  "经核实，现场问题不存在。", "问题已由上报人现场自行处置。",
                  "上报信息不全，无法确定位置。"]
VOID_REASONS = ["录入有误，已重新录入。", "类型与位置选择错误，作废后重新上报。"]
RETURN_REASONS = ["该问题不属于本单位职责范围，请改派。", "现场为{owner}管辖设施，请改派。",
                  "经现场核实，该位置不在本辖区内，请改派。"]
HANG_REASONS = ["需纳入年度整治计划，短期内无法处置完毕，申请挂账。",
                "涉及产权纠纷，需协调后处理，挂账管理。", "需专项资金维修，列入问题库挂账。"]
EXTENSION_REASONS = ["需采购材料，申请延期。", "涉及多部门协调，申请延期。",
                     "受天气影响无法施工，申请延期。", "当事人外出联系不上，申请延期。"]
CHECK_FAIL_NOTES = ["现场仍有残留，未达到结案标准。", "处置不彻底，问题反弹。",
                    "处置照片与现场不符，请返工。"]
HANDLE_NOTES = ["已清理完毕。", "已处置完毕，现场恢复整洁。", "已劝离并规范。", "已修复。",
                "已更换。", "已按要求整改。"]
SUPERVISE_NOTES = ["案件已超期，请立即处置并反馈。", "群众反映强烈，请加快处置进度。"]
DESCRIPTIONS = {
    "暴露垃圾": "路边有成堆生活垃圾未清运", "废弃家具设施": "人行道上堆放废弃沙发、床垫",
    "建筑垃圾、渣土": "路边倾倒建筑垃圾", "道路保洁": "路面有大片污渍和散落垃圾",
    "机动车乱停放": "机动车占用人行道停放", "乱堆物堆料": "商户在门前堆放货物",
    "无照经营游商": "流动摊贩沿街叫卖", "占道经营": "摊点占用人行道经营",
    "店外经营": "商户出店经营", "非法小广告": "墙面、电杆张贴小广告",
    "沿街晾挂": "临街窗外晾晒衣物", "露天烧烤": "夜间露天烧烤烟雾扰民",
}
# Late handling: most units finish on time; a few are habitually slow (it shows in the
# performance ranking).
LATE_RATES = (0.03, 0.05, 0.06, 0.08, 0.12, 0.18)


class _Cutoff(Exception):
    """The timeline has reached the moment the city is built: later steps have not happened."""


class _Ev:
    """A CaseEvent row before it is written (a model instance costs ten times as much, and a
    year of a city's cases has well over a hundred thousand steps)."""

    __slots__ = ("id", "case", "case_id", "kind", "from_state", "to_state", "actor_id",
                 "unit_id", "at", "note", "lon", "lat", "idempotency_key", "created_at",
                 "updated_at", "created_by_id", "archived_at")

    def __init__(self, case, kind, from_state, to_state, actor, at, *, unit=None, note="",
                 lon=None, lat=None, key=""):
        self.id = None
        self.case, self.case_id = case, case.pk
        self.kind, self.from_state, self.to_state = kind, from_state, to_state
        self.actor_id = actor.pk if actor is not None else None
        self.unit_id = unit.pk if unit is not None else None
        self.at = self.created_at = at
        self.note, self.lon, self.lat, self.idempotency_key = note, lon, lat, key
        self.updated_at = self.created_by_id = self.archived_at = None

    def __str__(self):
        return f"{self.case.number} {EventType(self.kind).label}"


@dataclass
class _Draft:
    case: Case
    events: list = field(default_factory=list)
    photos: list = field(default_factory=list)  # (event, stage)
    requests: list = field(default_factory=list)  # (ExtensionRequest, dispatch event)
    pauses: list = field(default_factory=list)


class CaseSim:
    """One case's steps as the do_* actions take them (the same state table, the same fields
    set, the same clock), in memory; a step later than `now` stops the timeline."""

    MINUTE = timedelta(minutes=1)

    def __init__(self, case: Case, now, cal, user_names):
        self.draft = _Draft(case)
        self.case = case
        self.now, self.cal, self.user_names = now, cal, user_names
        self.last = None
        self.dispatch_event = None

    # the shared step -------------------------------------------------------------------
    def _step(self, kind, at, actor, *, unit=None, note="", lon=None, lat=None, prior=None,
              key="", photo=None):
        if self.last is not None and at <= self.last:
            at = self.last + self.MINUTE
        if at > self.now:
            raise _Cutoff
        before = self.case.state
        after = workflow.allowed(before, kind, prior=prior)
        event = _Ev(self.case, kind, before, after, actor, at, unit=unit, note=note, lon=lon,
                    lat=lat, key=key)
        self.case.state = after
        self.draft.events.append(event)
        self.last = at
        if photo:
            self.draft.photos.append((event, photo))
        return event

    def _at(self, at):
        """The instant a step would take (for fields set before the step is recorded)."""
        if self.last is not None and at <= self.last:
            at = self.last + self.MINUTE
        if at > self.now:
            raise _Cutoff
        return at

    def _pending(self):
        return [r for r, _ in self.draft.requests if r.status == ExtensionStatus.PENDING]

    def _cancel_pending(self, at, actor, why):
        for request in self._pending():
            request.status = ExtensionStatus.CANCELLED
            request.decided_by, request.decided_at, request.decision_note = actor, at, why

    def _hang_pauses(self):
        return [(p.start, p.end) for p in self.draft.pauses if p.kind == PauseKind.HANG]

    def compute_deadline(self, new_dispatch=False):
        case = self.case
        if case.dispatched_at is None:
            return None
        amount, unit = case.type_version.limit_for(case.urgency)
        needed = workclock.limit_minutes(amount, unit, self.cal)
        if not new_dispatch:
            needed += sum(workclock.limit_minutes(r.amount, r.unit, self.cal)
                          for r, ev in self.draft.requests
                          if ev is self.dispatch_event and r.status == ExtensionStatus.APPROVED)
        due = workclock.deadline_after(case.dispatched_at, needed, self.cal,
                                       self._hang_pauses())
        return due.astimezone(UTC) if due is not None else None

    # the actions ---------------------------------------------------------------------
    def report(self, key="", photo=False):
        case = self.case
        event = _Ev(case, EventType.REPORT, "", case.state, case.reporter, case.reported_at,
                    lon=case.lon, lat=case.lat)
        self.draft.events.append(event)
        self.last = case.reported_at
        if photo:
            self.draft.photos.append((event, PhotoStage.BEFORE))

    def accept(self, at, desk):
        self._step(EventType.ACCEPT, at, desk)

    def register(self, at, desk, note=""):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.REGISTER)
        self.case.registered_at = at
        self._step(EventType.REGISTER, at, desk, note=note)

    def reject(self, at, desk, reason):
        self._step(EventType.REJECT, at, desk, note=reason)

    def _send_to(self, kind, at, desk, unit, note):
        at = self._at(at)
        workflow.allowed(self.case.state, kind)
        self.case.handling_unit = unit
        self.case.dispatched_at = at
        self.case.deadline_at = self.compute_deadline(new_dispatch=True)
        self.dispatch_event = self._step(kind, at, desk, unit=unit, note=note)

    def dispatch(self, at, desk, unit, note=""):
        self._send_to(EventType.DISPATCH, at, desk, unit, note)

    def reassign(self, at, desk, unit, note=""):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.REASSIGN)
        self._cancel_pending(at, desk, "案件已改派，延期申请撤销。")
        self._send_to(EventType.REASSIGN, at, desk, unit, note)

    def start(self, at, staff):
        self._step(EventType.START, at, staff, unit=self.case.handling_unit)

    def return_to_desk(self, at, staff, reason):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.RETURN)
        self._cancel_pending(at, staff, "案件已回退，延期申请撤销。")
        self._step(EventType.RETURN, at, staff, unit=self.case.handling_unit, note=reason)

    def refuse_return(self, at, desk, reason):
        returned = [e for e in self.draft.events if e.kind == EventType.RETURN][-1]
        self._step(EventType.REFUSE_RETURN, at, desk, unit=self.case.handling_unit, note=reason,
                   prior=returned.from_state)

    def request_extension(self, at, staff, amount, unit, reason):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.EXTENSION_REQUEST)
        request = ExtensionRequest(case=self.case, requested_by=staff, reason=reason,
                                   amount=amount, unit=unit, created_at=at)
        self.draft.requests.append((request, self.dispatch_event))
        self._step(EventType.EXTENSION_REQUEST, at, staff, unit=self.case.handling_unit,
                   note=reason)
        return request

    def decide_extension(self, at, desk, approve, note=""):
        at = self._at(at)
        request = self._pending()[-1]
        kind = EventType.EXTENSION_APPROVE if approve else EventType.EXTENSION_DENY
        workflow.allowed(self.case.state, kind)
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by, request.decided_at, request.decision_note = desk, at, note
        if approve:
            self.case.deadline_at = self.compute_deadline()
        self._step(kind, at, desk, unit=self.case.handling_unit, note=note)

    def hang(self, at, desk, reason):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.HANG)
        self.case.deadline_at = None
        self._step(EventType.HANG, at, desk, unit=self.case.handling_unit, note=reason)
        self.draft.pauses.append(CasePause(case=self.case, kind=PauseKind.HANG, start=at,
                                           created_at=at))

    def unhang(self, at, desk, note=""):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.UNHANG)
        for pause in self.draft.pauses:
            if pause.kind == PauseKind.HANG and pause.end is None:
                pause.end = at
        self.case.deadline_at = self.compute_deadline()
        self._step(EventType.UNHANG, at, desk, unit=self.case.handling_unit, note=note)

    def handle(self, at, staff, note=""):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.HANDLE)
        self._cancel_pending(at, staff, "案件已处置，延期申请撤销。")
        self.case.handled_at = at
        self._step(EventType.HANDLE, at, staff, unit=self.case.handling_unit, note=note,
                   lon=self.case.lon, lat=self.case.lat, photo=PhotoStage.AFTER)

    def send_check(self, at, desk, inspector):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.SEND_CHECK)
        self.case.checker = inspector
        self._step(EventType.SEND_CHECK, at, desk, note=f"核查人：{self.user_names[inspector.pk]}")

    def check(self, at, inspector, passed, note=""):
        kind = EventType.CHECK_PASS if passed else EventType.CHECK_FAIL
        self._step(kind, at, inspector, note=note, lon=self.case.lon, lat=self.case.lat,
                   unit=self.case.handling_unit, photo=PhotoStage.CHECK)

    def close(self, at, desk, note=""):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.CLOSE)
        self.case.closed_at = at
        self._step(EventType.CLOSE, at, desk, note=note)

    def supervise(self, at, desk, note):
        self._step(EventType.SUPERVISE, at, desk, unit=self.case.handling_unit, note=note)

    def void(self, at, desk, reason):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.VOID)
        self._cancel_pending(at, desk, "案件已作废，延期申请撤销。")
        self._step(EventType.VOID, at, desk, note=reason)

    def merge(self, at, desk, of: Case):
        at = self._at(at)
        workflow.allowed(self.case.state, EventType.MERGE)
        self.case.duplicate_of = of
        self._step(EventType.MERGE, at, desk, note=f"并入案件{of.number}")

    def state_at(self, at):
        """The case's state at an instant (from its recorded steps)."""
        state = None
        for event in self.draft.events:
            if event.at <= at:
                state = event.to_state
        return state

    def join(self, at, user, lon, lat, key):
        """重复上报 inserted into the timeline (no change of state): the state at `at`."""
        if at > self.now:
            return
        state = self.state_at(at)
        if state is None or state not in workflow.OPEN_STATES:
            return
        workflow.allowed(state, EventType.JOIN)
        event = _Ev(self.case, EventType.JOIN, state, state, user, at, note="现场仍存在该问题。",
                    lon=lon, lat=lat, key=key)
        index = next((i for i, e in enumerate(self.draft.events) if e.at > at),
                     len(self.draft.events))
        self.draft.events.insert(index, event)
        self.draft.photos.append((event, PhotoStage.BEFORE))


@dataclass
class _Head:
    """What is known when a case is reported."""

    reported_at: datetime
    key: tuple  # (kind, major, minor)
    source: str
    lon: float
    lat: float
    grid: Grid | None
    component: Component | None = None
    reporter: User | None = None
    duplicate_of: _Head | None = None
    case: Case | None = None
    sim: CaseSim | None = None


def _minutes(rng, lo, hi) -> timedelta:
    return timedelta(minutes=rng.uniform(lo, hi))


def _pick_type(rng, world: CaseWorld, month: int) -> tuple:
    groups = [g for g, _ in MAJOR_SHARES]
    while True:
        kind, major = rng.choices(groups, [w for _, w in MAJOR_SHARES])[0]
        if kind == "component":
            return None  # a component decides the type
        minors = [k for k in world.versions if k[0] == kind and k[1] == major]
        weights = MINOR_WEIGHTS.get((kind, major), {})
        key = rng.choices(minors, [weights.get(k[2], 1) for k in minors])[0]
        if key in WINTER_ONLY and month not in (12, 1, 2):
            continue
        return key


def _point_near(rng, lon, lat, metres):
    angle, r = rng.uniform(0, 2 * math.pi), metres * math.sqrt(rng.random())
    m_lon = 1 / (gridcodes.METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return (round(lon + r * math.cos(angle) * m_lon, 6),
            round(lat + r * math.sin(angle) / gridcodes.METRES_PER_DEGREE, 6))


def _heads(world: CaseWorld, rng, now, count) -> list[_Head]:
    """When, what, where and by whom each case is reported (duplicates follow later)."""
    start = now - timedelta(days=365)
    grid_weights = []
    bbox, _, _ = urban_bounds()
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    for grid in world.grids:  # the centre is busier than the edge
        gx, gy = (grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2
        grid_weights.append(1 / (1 + 40 * math.hypot(gx - cx, gy - cy)))
    urban_segments = [s for s in world.segments
                      if grid_at(world, *world.segment_lines[s.pk].interpolate(
                          0.5, normalized=True).coords[0]) is not None]
    components_by_type: dict[str, list] = {}
    for component in world.components:
        components_by_type.setdefault(component.type_code, []).append(component)
    street_of_grid = {g.pk: g.street_unit for g in world.grids}
    heads = []
    local_tz = timezone.get_current_timezone()
    for _ in range(count):
        day = start + timedelta(days=rng.uniform(0, 365))
        source = rng.choices([s for s, _ in SOURCE_SHARES], [w for _, w in SOURCE_SHARES])[0]
        hours = (8, 18) if source in FIELD_SOURCES else (7, 22)
        local = day.astimezone(local_tz)
        minute = rng.uniform(hours[0] * 60, hours[1] * 60)
        at = local.replace(hour=int(minute // 60), minute=int(minute % 60),
                           second=rng.randrange(60), microsecond=0)
        at = at.astimezone(UTC)  # stored as the actions store timezone.now()
        if at > now:
            at = now - _minutes(rng, 30, 600)
        key = _pick_type(rng, world, at.month)
        component = None
        reporter = None
        if key is None:
            component = rng.choice(world.components)
            key = ("component", component.type_code[:2], component.type_code[2:])
            lon, lat = _point_near(rng, component.lon, component.lat, 2)
        elif source == CaseSource.ROAD_CHIEF:
            reporter = rng.choice(list(world.chief_users.values()))
            segment = rng.choice(world.chief_segments.get(reporter.pk) or world.segments)
            p = world.segment_lines[segment.pk].interpolate(rng.random(), normalized=True)
            lon, lat = _point_near(rng, p.x, p.y, 12)
        elif rng.random() < 0.45:
            segment = (rng.choice(urban_segments) if urban_segments and rng.random() < 0.9
                       else rng.choice(world.segments))
            p = world.segment_lines[segment.pk].interpolate(rng.random(), normalized=True)
            lon, lat = _point_near(rng, p.x, p.y, 15)
        else:
            grid = rng.choices(world.grids, grid_weights)[0]
            lon = round(rng.uniform(grid.min_lon, grid.max_lon), 6)
            lat = round(rng.uniform(grid.min_lat, grid.max_lat), 6)
        grid = grid_at(world, lon, lat)
        if source == CaseSource.ROAD_CHIEF and reporter is None:
            street = street_of_grid[grid.pk] if grid else None
            reporter = world.chief_users.get(street.pk) if street else None
            if reporter is None:
                source = CaseSource.INSPECTOR
        if source == CaseSource.INSPECTOR:
            street = street_of_grid[grid.pk] if grid else rng.choice(world.streets)
            reporter = rng.choice(world.inspectors[street.pk])
        elif reporter is None:
            reporter = world.desk[0] if rng.random() < 0.7 else world.desk[-1]
        heads.append(_Head(at, key, source, lon, lat, grid, component, reporter))
    # 重复上报 that reached the desk as a case of its own: merged (并案) into the first.
    for original in rng.sample(heads, k=int(count * 0.04)):
        if original.key[0] != "event":
            continue
        radius = world.versions[original.key].duplicate_radius_m
        lon, lat = _point_near(rng, original.lon, original.lat, radius / 2)
        source = rng.choice([CaseSource.HOTLINE, CaseSource.CITIZEN, CaseSource.INSPECTOR])
        if source == CaseSource.INSPECTOR:
            street = original.grid.street_unit if original.grid else rng.choice(world.streets)
            reporter = rng.choice(world.inspectors[street.pk])
        else:
            reporter = world.desk[0]
        at = original.reported_at + _minutes(rng, 10, 180)
        if at < now:
            heads.append(_Head(at, original.key, source, lon, lat, grid_at(world, lon, lat),
                               None, reporter, duplicate_of=original))
    heads.sort(key=lambda h: h.reported_at)
    return heads


def build_history(city, world: CaseWorld, rng, now) -> None:
    """A year of cases: planned in memory through CaseSim, then written in bulk."""
    cal = workclock.default_calendar()
    count = CASE_COUNTS[city.scale]
    heads = _heads(world, rng, now, count)
    users = {u.pk: u for team in world.inspectors.values() for u in team}
    users.update({u.pk: u for u in world.chief_users.values()})
    user_names = {u.pk: str(u) for u in User.objects.filter(pk__in=users).select_related("person")}
    desk, chief = world.desk[0], world.desk[-1]  # 受理员 (office staff) and 值班长 (office admin)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=world.unit_staff)}
    late_rate = {pk: rng.choice(LATE_RATES) for pk in sorted(units)}
    segments = SegmentIndex(world.segments, world.segment_lines)
    first_pk = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    # How many of the last three weeks' cases a unit has not got to yet: some are overdue now.
    recent = [h for h in heads if h.reported_at > now - timedelta(days=21)]
    stuck_share = max(0.03, 4 / max(1, len(recent)))

    drafts = []
    for index, head in enumerate(heads):
        version = world.versions[head.key]
        case = Case(pk=first_pk + index, type_version=version, source=head.source,
                    urgency=Urgency.URGENT if rng.random() < 0.08 else Urgency.NORMAL,
                    state=workflow.INITIAL_STATE, lon=head.lon, lat=head.lat, grid=head.grid,
                    segment=segments.at(head.lon, head.lat), component=head.component,
                    reporter=head.reporter, reported_at=head.reported_at,
                    created_at=head.reported_at)
        case.number = f"{local_datetime(head.reported_at):%Y%m%d}{case.pk:07d}"
        case.description = _description(version, case, head)
        case.address = _address(case)
        if head.source in FIELD_SOURCES:
            case.idempotency_key = f"{rng.getrandbits(128):032x}"
        head.case = case
        sim = head.sim = CaseSim(case, now, cal, user_names)
        try:
            _story(sim, rng, world, head, units, late_rate, desk, chief, stuck_share)
        except _Cutoff:
            pass
        drafts.append(sim.draft)
    _joins(world, rng, heads, now)
    _write(drafts, now)
    world.counts["events"] = sum(len(d.events) for d in drafts)


def _description(version, case, head) -> str:
    name = version.case_type.minor_name
    text = DESCRIPTIONS.get(name, f"发现{name}问题")
    if head.component is not None:
        text = f"{head.component.name}（{head.component.code}）{_damage(name)}"
    return f"{text}，请及时处置。"


def _damage(name: str) -> str:
    if "井盖" in name or "箅子" in name:
        return "破损松动"
    if "路灯" in name or "灯" in name:
        return "夜间不亮"
    return "损坏"


def _address(case) -> str:
    if case.segment is not None:
        return f"{case.segment.road.name}（{case.segment.start_name}至{case.segment.end_name}段）"
    if case.grid is not None:
        return case.grid.name
    return "城区外围"


def _daytime(at, rng):
    """`at`, or the next morning when it falls in the night (people work in the day)."""
    local = timezone.localtime(at)
    if 7 <= local.hour < 21:
        return at
    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
    if local.hour >= 21:
        morning += timedelta(days=1)
    return (morning + _minutes(rng, 0, 90)).astimezone(UTC)


def _story(sim: CaseSim, rng, world, head, units, late_rate, desk, chief, stuck_share):
    """The path one case takes, step by step (a step after the build moment ends it)."""
    case = sim.case
    sim.report(photo=head.source in FIELD_SOURCES or head.source == CaseSource.VIDEO)
    t = case.reported_at
    operator = desk if rng.random() < 0.75 else chief
    if head.duplicate_of is not None:
        original = head.duplicate_of.sim
        if rng.random() < 0.5:
            t += _minutes(rng, 2, 20)
            sim.accept(t, operator)
        t += _minutes(rng, 3, 30)
        state = original.state_at(t)
        if state in workflow.OPEN_STATES and original.case.duplicate_of_id is None:
            sim.merge(t, operator, original.case)
            return
    t += _minutes(rng, 2, 40)
    roll = rng.random()
    if roll < 0.015:
        sim.reject(t, operator, rng.choice(REJECT_REASONS))
        return
    if case.state == CaseState.REPORTED:  # a duplicate the desk missed is already accepted
        sim.accept(t, operator)
    t += _minutes(rng, 3, 50)
    if roll < 0.045:
        sim.reject(t, operator, rng.choice(REJECT_REASONS))
        return
    if roll < 0.052:
        sim.void(t, operator, rng.choice(VOID_REASONS))
        return
    sim.register(t, operator)
    t += _minutes(rng, 3, 40)
    version = case.type_version
    kind = version.case_type.kind
    street = case.grid.street_unit if case.grid else None
    proposal = propose_unit(kind=kind, owner_first=version.owner_first,
                            component_owner_id=head.component.owner_unit_id if head.component
                            else None, street_unit_id=street.pk if street else None,
                            default_owner_id=version.default_owner_id)
    owner = version.default_owner
    unit, note = units.get(proposal.unit_id), proposal.rule
    if unit is None or (owner is not None and owner.pk != proposal.unit_id
                        and rng.random() < 0.1):
        unit, note = owner or units[world.streets[0].pk], ""  # the desk knows better
    sim.dispatch(t, operator, unit, note)
    staff = rng.choice(world.unit_staff[unit.pk])
    t += _minutes(rng, 5, 90)
    if rng.random() < 0.035:  # 回退: "not ours"
        if rng.random() < 0.5:
            sim.start(t, staff)
            t += _minutes(rng, 10, 120)
        other = (owner if owner is not None and owner.pk != unit.pk
                 else units[street.pk] if street is not None and street.pk != unit.pk
                 else units[rng.choice([s.pk for s in world.streets if s.pk != unit.pk])])
        sim.return_to_desk(t, staff, rng.choice(RETURN_REASONS).format(owner=other.name))
        t += _minutes(rng, 10, 120)
        if rng.random() < 0.8:
            sim.reassign(t, operator, other, f"经核实，改派至{other.name}。")
            unit, staff = other, rng.choice(world.unit_staff[other.pk])
            t += _minutes(rng, 5, 90)
        else:
            sim.refuse_return(t, chief, "经核实属于本单位职责范围，请继续处置。")
            t += _minutes(rng, 5, 60)
    if case.state == CaseState.DISPATCHED:
        sim.start(t, staff)
    started = t
    if head.key in HANGABLE and rng.random() < 0.3:  # 挂账: a long-term problem
        t += timedelta(days=rng.uniform(1, 10))
        sim.hang(t, chief, rng.choice(HANG_REASONS))
        if rng.random() < 0.6:
            return  # still in the problem book
        t += timedelta(days=rng.uniform(10, 60))
        sim.unhang(t, chief, "具备处置条件，恢复办理。")
        started = t
    limit_amount, limit_unit = version.limit_for(case.urgency)
    if rng.random() < (0.15 if limit_unit == LimitUnit.DAY else 0.02):  # 延期
        t = _daytime(max(t, started) + _minutes(rng, 30, 240), rng)
        amount, unit_name = ((rng.randint(1, 3), LimitUnit.DAY) if limit_unit == LimitUnit.DAY
                             else (rng.randint(2, 8), LimitUnit.HOUR))
        sim.request_extension(t, staff, amount, unit_name, rng.choice(EXTENSION_REASONS))
        t = _daytime(t + _minutes(rng, 20, 240), rng)
        if rng.random() < 0.8:
            sim.decide_extension(t, chief, True, "同意延期。")
        else:
            sim.decide_extension(t, chief, False, "不符合延期条件，请按期处置。")
    deadline = case.deadline_at
    now = sim.now
    late = rng.random() < late_rate[unit.pk]
    if case.reported_at > now - timedelta(days=21) and rng.random() < stuck_share:
        raise _Cutoff  # not handled yet: open, and overdue once its deadline passes
    if late:
        delay = (deadline - started) * rng.uniform(0.1, 1.2) + _minutes(rng, 30, 300)
        handled = _daytime(deadline + delay, rng)
        if rng.random() < 0.4:
            sim.supervise(deadline + delay * rng.uniform(0.1, 0.6), chief,
                          rng.choice(SUPERVISE_NOTES))
    else:
        t = max(t, started) + timedelta(minutes=1)
        handled = t + (deadline - t) * rng.uniform(0.15, 0.9) if deadline > t else t
        local = timezone.localtime(handled)
        if not 7 <= local.hour < 21 and deadline - _minutes(rng, 5, 50) > t:
            handled = deadline - _minutes(rng, 5, 50)  # units work in the day
    sim.handle(handled, staff, rng.choice(HANDLE_NOTES))
    inspector = (case.reporter if case.reporter.role == Role.INSPECTOR
                 else rng.choice(world.inspectors[street.pk] if street
                                 else world.inspectors[world.streets[0].pk]))
    t = handled + _minutes(rng, 5, 60)
    sim.send_check(t, operator, inspector)
    t += _minutes(rng, 20, 240)
    if rng.random() < 0.04:  # 核查不通过: 返工
        sim.check(t, inspector, False, rng.choice(CHECK_FAIL_NOTES))
        t += _minutes(rng, 60, 1440)
        sim.handle(t, staff, "已返工处置。")
        t += _minutes(rng, 5, 60)
        sim.send_check(t, operator, inspector)
        t += _minutes(rng, 20, 240)
    sim.check(t, inspector, True, "现场已处置完毕，符合结案标准。")
    t += _minutes(rng, 5, 60)
    sim.close(t, chief if rng.random() < 0.7 else operator)


def _joins(world, rng, heads, now):
    """重复上报 on open cases: another patroller confirms the problem (do_join)."""
    field_users = [u for team in world.inspectors.values() for u in team]
    field_users += list(world.chief_users.values())
    for head in rng.sample(heads, k=len(heads) // 30):
        user = rng.choice(field_users)
        if user.pk == head.case.reporter_id or head.case.duplicate_of_id:
            continue
        lon, lat = _point_near(rng, head.lon, head.lat, 20)
        head.sim.join(head.reported_at + _minutes(rng, 30, 600), user, lon, lat,
                      f"{rng.getrandbits(128):032x}")


# --- writing ---------------------------------------------------------------------------------

# Photo scenes: (sky, ground, things on the ground) colours; the "before" photos show a mess.
PHOTO_SCENES = {
    PhotoStage.BEFORE: [((170, 190, 210), (120, 120, 115), (150, 110, 60)),
                        ((190, 200, 215), (110, 112, 108), (70, 120, 160)),
                        ((160, 175, 190), (125, 118, 110), (180, 60, 50))],
    PhotoStage.AFTER: [((170, 190, 210), (120, 120, 115), None),
                       ((190, 200, 215), (110, 112, 108), None)],
    PhotoStage.CHECK: [((175, 195, 215), (118, 118, 112), None),
                       ((185, 195, 210), (115, 115, 110), None)],
}


def scene_jpeg(sky, ground, mess, seed=0) -> bytes:
    """A small street scene as a JPEG (the demo has no real photographs)."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    image = Image.new("RGB", (640, 480), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 640, 480), fill=ground)
    draw.polygon([(250, 480), (390, 480), (330, 260), (310, 260)], fill=(90, 90, 88))
    for x in range(0, 640, 80):  # kerb stones
        draw.rectangle((x, 250, x + 70, 262), fill=(180, 180, 175))
    if mess:
        for _ in range(9):
            x, y = rnd.randrange(40, 560), rnd.randrange(300, 430)
            draw.ellipse((x, y, x + rnd.randrange(30, 90), y + rnd.randrange(20, 50)), fill=mess)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _photo_files() -> dict:
    """The demo's photos, checked and stored once each (core.uploads, as an upload is); the
    cases' photo rows share them."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.uploads import inspect_upload

    files = {}
    for stage, scenes in PHOTO_SCENES.items():
        for number, (sky, ground, mess) in enumerate(scenes, start=1):
            data = scene_jpeg(sky, ground, mess, seed=number)
            upload = SimpleUploadedFile(f"{stage}_{number}.jpg", data, "image/jpeg")
            info = inspect_upload(upload, allow=("photo",))
            name = default_storage.save(f"cases/demo/{info.safe_name}", upload)
            thumb = ""
            if info.thumbnail is not None:
                thumb = default_storage.save(
                    f"cases/demo/thumbs/{info.safe_name.rsplit('.', 1)[0]}_thumb.jpg",
                    info.thumbnail)
            files.setdefault(stage, []).append(
                {"file": name, "thumbnail": thumb, "mime_type": info.mime_type,
                 "size": info.size, "sha256": info.sha256})
    return files


class _Row:
    """A row of a model before it is written, with its history label."""

    def __init__(self, label, **values):
        self.__dict__.update(values)
        self._label = label

    def __str__(self):
        return self._label


def _sqlite_datetime(value):
    """DatabaseOperations.adapt_datetimefield_value of SQLite (UTC, naive, as text), at a
    fraction of its cost per value."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def _json_datetime(value):
    """A datetime as DjangoJSONEncoder writes it (what the change history holds)."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _converters(model):
    """Per column: how a Python value becomes a parameter (as Field.get_db_prep_save would
    make it, without its cost per value) and the placeholder."""
    from django.db import models

    pg = connection.vendor == "postgresql"
    out = []
    for f in model._meta.concrete_fields:
        conv, placeholder = None, "%s"
        if isinstance(f, models.DateTimeField):
            conv = None if pg else _sqlite_datetime
        elif isinstance(f, models.FileField):
            conv = lambda v: getattr(v, "name", v) or ""  # noqa: E731
        elif isinstance(f, models.JSONField):
            conv = lambda v, enc=f.encoder: json.dumps(v, cls=enc)  # noqa: E731
            placeholder = "%s::jsonb" if pg else "%s"
        elif isinstance(f, models.UUIDField):
            conv = lambda v, f=f: f.get_db_prep_value(v, connection)  # noqa: E731
        out.append((f, conv, placeholder))
    return out


def _next_ids(model, objs) -> None:
    from django.db.models import Max

    first = (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
    for offset, obj in enumerate(objs):
        obj.id = first + offset


def _insert(model, objs, now, batch=5000) -> None:
    """INSERT the rows (ids already given) with executemany, then their change history as
    TrackedQuerySet.bulk_create records it (one 创建 each, the row's values after). Django's
    bulk_create compiles every value of every row; for a year of cases that is most of the
    build."""
    if not objs:
        return
    columns = _converters(model)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        table, ", ".join(connection.ops.quote_name(f.column) for f, _, _ in columns),
        ", ".join(p for _, _, p in columns))
    rows = []
    for obj in objs:
        obj.updated_at = now
        row = []
        for f, conv, _ in columns:
            value = getattr(obj, f.attname)
            row.append(conv(value) if conv is not None and value is not None else value)
        rows.append(row)
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i:i + batch])
    _reset_sequence(model)
    _insert_history(model, objs)


def _reset_sequence(model) -> None:
    """On PostgreSQL the ids given here pass the id sequence by: move it on at once, before
    anything else (the ORM's own history rows) asks it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(sql)


def _insert_history(model, objs) -> None:
    from django.contrib.contenttypes.models import ContentType

    from core.choices import ChangeAction
    from core.history import current_context, history_fields
    from core.models import ObjectChange

    ctx = current_context()
    user = ctx.actor_user()
    common = {"user_id": user.pk if user else None, "actor": ctx.actor_label()[:200],
              "source": ctx.source, "request_id": ctx.request_id,
              "content_type_id": ContentType.objects.get_for_model(model).pk,
              "action": ChangeAction.CREATE, "before": None}
    attnames = history_fields(model)
    changes = []
    for obj in objs:
        after = {}
        for attname in attnames:
            value = getattr(obj, attname)
            if isinstance(value, datetime):
                value = _json_datetime(value)
            elif attname in ("file", "thumbnail"):
                value = getattr(value, "name", value)
            after[attname] = value
        changes.append(_Row("", time=obj.created_at, object_id=obj.id,
                            object_repr=str(obj)[:200],
                            after=after, **common))
    _next_ids(ObjectChange, changes)
    columns = _converters(ObjectChange)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(ObjectChange._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f, _, _ in columns),
        ", ".join(p for _, _, p in columns))
    rows = [[conv(getattr(c, f.attname)) if conv is not None and getattr(c, f.attname)
             is not None else getattr(c, f.attname) for f, conv, _ in columns] for c in changes]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i:i + 5000])
    _reset_sequence(ObjectChange)


def _write(drafts, now) -> None:
    files = _photo_files()
    cases = [d.case for d in drafts]
    for case in cases:
        case.updated_at = now
    _insert(Case, cases, now)
    events = [e for d in drafts for e in d.events]
    _next_ids(CaseEvent, events)
    _insert(CaseEvent, events, now)
    requests = []
    for draft in drafts:
        for request, dispatch_event in draft.requests:
            request.dispatch_event_id = dispatch_event.id
            requests.append(request)
    ExtensionRequest.objects.bulk_create(requests, batch_size=1000)
    CasePause.objects.bulk_create([p for d in drafts for p in d.pauses], batch_size=1000)
    photos = []
    for draft in drafts:
        for event, stage in draft.photos:
            chosen = files[stage][event.id % len(files[stage])]
            name = f"IMG_{timezone.localtime(event.at):%Y%m%d_%H%M%S}.jpg"
            photos.append(_Row(name, id=None, case_id=draft.case.pk, event_id=event.id,
                               stage=stage, file=chosen["file"], thumbnail=chosen["thumbnail"],
                               original_name=name, mime_type=chosen["mime_type"],
                               size=chosen["size"], sha256=chosen["sha256"], gps_lon=None,
                               gps_lat=None, created_at=event.at, updated_at=now,
                               created_by_id=None, archived_at=None))
    _next_ids(CasePhoto, photos)
    _insert(CasePhoto, photos, now)
    _notify_supervised(drafts)
    # A component with an open case is out of order until the case is closed.
    open_components = {d.case.component_id for d in drafts
                       if d.case.component_id and d.case.state not in workflow.FINAL_STATES}
    damaged = list(Component.objects.filter(pk__in=open_components))
    for component in damaged:
        component.state = ComponentState.DAMAGED
    Component.objects.tracked_bulk_update(damaged, ["state"])


def _notify_supervised(drafts) -> None:
    """督办 of a case still open: its unit's staff have the message do_supervise sends (older
    督办 were read long ago and are left out)."""
    from cases.permissions import UNIT_STAFF_ROLES
    from notify.service import notify

    for draft in drafts:
        case = draft.case
        if case.state in workflow.FINAL_STATES or not case.handling_unit_id:
            continue
        for event in draft.events:
            if event.kind != EventType.SUPERVISE:
                continue
            staff = User.objects.filter(unit_id=case.handling_unit_id, is_active=True,
                                        role__in=UNIT_STAFF_ROLES)
            notify(staff, event="case_supervised", subject=f"案件{case.number}被督办",
                   text=f"指挥中心督办案件{case.number}：{event.note}", obj=case,
                   occasion=str(event.id))


# --- the newest cases, through the real actions ------------------------------------------------


def _upload(stage, number=1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sky, ground, mess = PHOTO_SCENES[stage][0]
    return SimpleUploadedFile(f"IMG_{stage}_{number}.jpg", scene_jpeg(sky, ground, mess, number),
                              "image/jpeg")


def build_live_cases(city, world: CaseWorld) -> None:
    """Cases of the last hour in every desk's queue, made by the do_* actions themselves: the
    inspector has one to check, the handling unit one to start and one awaiting its 延期,
    the desk reports to accept, register and dispatch, the road chief one on his road."""
    from cases import actions

    street = city.units["东城街道"]
    inspector = User.objects.get(username="jianduyuan")
    road_chief = User.objects.get(username="luzhang")
    staff = User.objects.get(username="dongcheng")
    desk, chief = world.desk[0], world.desk[-1]
    grids = [g for g in world.grids if g.street_unit_id == street.pk]
    spots = [((g.min_lon + g.max_lon) / 2, (g.min_lat + g.max_lat) / 2) for g in grids]
    spots = spots[:: max(1, len(spots) // 8)][:8] + spots[:8]

    def report(n, key, user=inspector, **kwargs):
        lon, lat = spots[n % len(spots)]
        version = world.versions[key]
        return actions.do_report_case(
            acting_user=user, type_version=version, lon=round(lon, 6), lat=round(lat, 6),
            description=f"{DESCRIPTIONS.get(version.case_type.minor_name, '发现问题')}，请及时处置。",
            idempotency_key=f"demo-live-{n}", photos=[_upload(PhotoStage.BEFORE, n)], **kwargs)

    report(0, ("event", "01", "02"))  # waits for the desk to accept
    case = report(1, ("event", "05", "02"))
    actions.do_accept(case, acting_user=desk)  # waits for 立案
    case = report(2, ("event", "01", "08"))
    for step in (actions.do_accept, actions.do_register):
        step(case, acting_user=desk)
    actions.do_dispatch(case, acting_user=desk)  # the unit's to start
    case = report(3, ("event", "01", "10"))
    for step in (actions.do_accept, actions.do_register):
        step(case, acting_user=desk)
    actions.do_dispatch(case, acting_user=desk, unit=street)
    actions.do_start(case, acting_user=staff)
    actions.do_request_extension(case, acting_user=staff, amount=2, unit=LimitUnit.DAY,
                                 reason="需采购路面修补材料，申请延期。")  # the desk decides
    case = report(4, ("event", "01", "04"))
    for step in (actions.do_accept, actions.do_register):
        step(case, acting_user=desk)
    actions.do_dispatch(case, acting_user=desk)
    actions.do_start(case, acting_user=staff)
    actions.do_handle(case, acting_user=staff, photos=[_upload(PhotoStage.AFTER, 4)],
                      note="已清扫完毕。")
    actions.do_send_check(case, acting_user=desk)  # the inspector's to check
    case = report(5, ("event", "05", "04"))
    for step in (actions.do_accept, actions.do_register):
        step(case, acting_user=desk)
    actions.do_dispatch(case, acting_user=desk)
    actions.do_start(case, acting_user=staff)
    actions.do_handle(case, acting_user=staff, photos=[_upload(PhotoStage.AFTER, 5)],
                      note="已联系车主挪离。")
    actions.do_send_check(case, acting_user=desk)
    actions.do_check(case, acting_user=inspector, passed=True,
                     photos=[_upload(PhotoStage.CHECK, 5)], note="车辆已挪离。")
    actions.do_close(case, acting_user=chief)
    segments = world.chief_segments.get(road_chief.pk) or world.segments
    mid = world.segment_lines[segments[0].pk].interpolate(0.5, normalized=True)
    actions.do_report_case(
        acting_user=road_chief, type_version=world.versions[("event", "05", "02")],
        lon=round(mid.x, 6), lat=round(mid.y, 6), description="早市摊点占道经营，请及时处置。",
        idempotency_key="demo-live-chief", photos=[_upload(PhotoStage.BEFORE, 6)])
    actions.do_report_case(
        acting_user=desk, type_version=world.versions[("event", "01", "02")],
        lon=round(spots[6 % len(spots)][0], 6), lat=round(spots[6 % len(spots)][1], 6),
        source=CaseSource.HOTLINE, description="市民来电反映小区门口垃圾堆积多日无人清运。")
