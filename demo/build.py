"""Build the demo city "示范市" deterministically from a seed, through the real actions."""

import math
import random
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from pyproj import Transformer
from shapely.geometry import Polygon, mapping

from demo import names
from geo.geometry import gauss_kruger_epsg
from org import actions as org_actions
from org.choices import Role, UnitKind
from org.models import Unit
from plans import actions as plan_actions
from plans import seed

DEMO_PASSWORD = "Chengjian@2024"

SCALES = {
    # departments, towns, communities per town
    "small": (12, 6, 0),
    "city": (40, 16, 2),
    "large": (40, 16, 15),
}

# One account per role: (username, role, unit short name or None, description)
DEMO_ACCOUNTS = [
    ("bangongshi", Role.OFFICE_ADMIN, None, "领导小组办公室管理员"),
    ("bgs_zhang", Role.OFFICE_STAFF, None, "领导小组办公室工作人员"),
    ("zhujian_head", Role.UNIT_HEAD, "住建局", "市住房和城乡建设局负责人"),
    ("zhujian", Role.UNIT_REPORTER, "住建局", "市住房和城乡建设局填报员"),
    ("chengguan", Role.UNIT_REPORTER, "城管局", "市城市管理局填报员"),
    ("fushizhang", Role.CITY_LEADER, None, "分包联系的副市长"),
    ("duchaju", Role.SUPERVISION, "督查局", "市委市政府督查局"),
    ("luzhang", Role.ROAD_CHIEF, "东城街道", "东城街道路长"),
    ("jianduyuan", Role.INSPECTOR, "城管局", "城市管理监督员"),
    # The cases' handling unit: the street the routing gives most 事件 to (demo.cases).
    ("dongcheng", Role.UNIT_REPORTER, "东城街道", "东城街道案件处置填报员"),
    ("shimin", Role.CITIZEN, None, "市民"),
    ("sysadmin", Role.SYS_ADMIN, None, "系统管理员"),
    ("secadmin", Role.SEC_ADMIN, None, "安全管理员"),
    ("auditadmin", Role.AUDIT_ADMIN, None, "审计管理员"),
]


@dataclass
class DemoCity:
    rng: random.Random
    scale: str
    today: date  # the day the city is built: every date in it is relative to this
    units: dict[str, Unit] = field(default_factory=dict)  # by short name
    leaders: list = field(default_factory=list)
    plan: object = None
    projects: list = field(default_factory=list)
    cases: dict = field(default_factory=dict)  # counts from demo.cases


def person_name(rng: random.Random) -> str:
    given = rng.choice(names.GIVEN) + (rng.choice(names.GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(names.SURNAMES) + given


def phone_number(rng: random.Random) -> str:
    return rng.choice(["138", "139", "137", "150", "151", "186", "187", "135"]) + "".join(
        str(rng.randrange(10)) for _ in range(8))


def build(seed_value: int, scale: str, with_cases: bool = True) -> DemoCity:
    city = DemoCity(rng=random.Random(seed_value), scale=scale, today=timezone.localdate())
    build_units(city)
    build_people_and_leaders(city)
    build_plans(city)
    build_districts(city)
    build_accounts(city)
    from demo.projects import build_projects

    city.projects = build_projects(city)
    from demo.layers import build_layers, check_all_projects

    build_layers(city)
    from demo.basemap import build_basemap

    build_basemap(city)  # the offline basemap: outline, water, roads
    check_all_projects()
    from demo.supervision import build_bulletin_and_evaluation, build_supervision

    build_supervision(city)
    build_bulletin_and_evaluation(city)
    if with_cases:
        from demo.cases import build_cases

        city.cases = build_cases(city)  # grids, roads, road chiefs, components, a year of cases
    return city


def build_units(city: DemoCity):
    n_depts, n_towns, n_communities = SCALES[city.scale]
    departments = list(names.CITY_DEPARTMENTS)
    # The demo accounts' units must exist even at the small scale.
    required = {"住建局", "城管局", "督查局"}
    chosen = [d for d in departments if d[1] in required]
    chosen += [d for d in departments if d[1] not in required][: n_depts - len(chosen)]
    for order, (name, short) in enumerate(chosen):
        city.units[short] = org_actions.do_create_unit(
            name=name, short_name=short, kind=UnitKind.CITY_DEPT, sort_order=order)
    towns = ["东城街道"] + [t for t in names.TOWNS if t != "东城街道"][: n_towns - 1]
    for order, town in enumerate(towns, start=1):
        code = f"{names.COUNTY_CODE}{order:03d}000"
        unit = org_actions.do_create_unit(name=town, short_name=town, kind=UnitKind.TOWN,
                                          admin_code=code, sort_order=order)
        city.units[town] = unit
        for seq in range(1, n_communities + 1):
            stem = names.COMMUNITY_STEMS[(order * 7 + seq) % len(names.COMMUNITY_STEMS)]
            suffix = names.COMMUNITY_SUFFIXES[seq % 2]
            name = f"{town}{stem}{suffix}"
            city.units[name] = org_actions.do_create_unit(
                name=name, kind=UnitKind.COMMUNITY, parent=unit, sort_order=seq,
                admin_code=f"{names.COUNTY_CODE}{order:03d}{seq:03d}")


def build_people_and_leaders(city: DemoCity):
    rng = city.rng
    for unit in city.units.values():
        if unit.kind == UnitKind.COMMUNITY:
            titles = ["书记", "网格员"]
        elif unit.kind == UnitKind.TOWN:
            titles = names.TOWN_TITLES
        else:
            titles = names.DEPT_TITLES
        for title in titles:
            org_actions.do_create_person(name=person_name(rng), unit=unit, title=title,
                                         phone=phone_number(rng))
    top_units = [u for u in city.units.values() if u.kind != UnitKind.COMMUNITY]
    for order, position in enumerate(names.LEADER_POSITIONS):
        person = org_actions.do_create_person(name=person_name(rng), title=position,
                                              phone=phone_number(rng))
        leader = org_actions.do_create_leader(person=person, position=position, sort_order=order)
        city.leaders.append(leader)
    # Each top-level unit gets one contact leader, round-robin after a shuffle.
    shuffled = top_units[:]
    rng.shuffle(shuffled)
    for i, unit in enumerate(shuffled):
        org_actions.do_assign_leader(city.leaders[i % len(city.leaders)], unit)


def plan_start_year(today) -> int:
    """The demo's three-year plan runs from last year to next year, whatever today is, so
    the city has a year behind it (reports, lateness, a first-half evaluation) and a year
    ahead (projects not yet started)."""
    return today.year - 1


def build_plans(city: DemoCity):
    from datetime import date

    start_year = plan_start_year(city.today)
    plan = plan_actions.do_create_plan(
        **seed.three_year_plan(start_year), lead_unit=city.units["住建局"],
        description="对拟实施的项目进行归类梳理，建立工作台账，明确完成的推进时序、具体责任人，"
                    "实行挂图作战、一抓到底。")
    for kind, rows in (("category", seed.CATEGORIES), ("task", seed.TASKS),
                       ("programme", seed.PROGRAMMES)):
        for order, row in enumerate(rows):
            plan_actions.do_add_taxonomy(plan, kind, code=row[0], name=row[1],
                                         description=row[2] if len(row) > 2 else "",
                                         sort_order=order)
    plan_actions.do_approve_plan(plan, on=date(start_year, 3, 15))
    city.plan = plan
    periurban = plan_actions.do_create_plan(**seed.periurban_plan(start_year), kind="town_work_ledger",
                                            lead_unit=city.units["住建局"])
    for order, (code, name) in enumerate(seed.PERIURBAN_TASKS):
        plan_actions.do_add_taxonomy(periurban, "task", code=code, name=name, sort_order=order)


def _district_centres(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Centres in metres from the city centre: the first in the middle, three
    urban ones on an inner ring, the rest as towns on an outer ring. Rings are
    wide enough apart that 3 km² shapes cannot touch."""
    centres = [(0.0, 0.0)]
    inner, outer = 3, count - 4
    for i in range(inner):
        angle = 2 * math.pi * i / inner + rng.uniform(-0.2, 0.2)
        centres.append((4500 * math.cos(angle), 4500 * math.sin(angle)))
    for i in range(outer):
        angle = 2 * math.pi * i / outer + math.pi / outer + rng.uniform(-0.15, 0.15)
        radius = rng.uniform(11000, 15000)
        centres.append((radius * math.cos(angle), radius * math.sin(angle)))
    return centres


def _blob(rng: random.Random, cx: float, cy: float, area_m2: float) -> Polygon:
    """An irregular 14-gon around (cx, cy), scaled to exactly `area_m2`."""
    points = []
    for i in range(14):
        angle = 2 * math.pi * i / 14
        r = rng.uniform(0.8, 1.2)
        points.append((math.cos(angle) * r, math.sin(angle) * r))
    unit_poly = Polygon(points)
    k = math.sqrt(area_m2 / unit_poly.area)
    return Polygon([(cx + x * k, cy + y * k) for x, y in points])


def build_districts(city: DemoCity):
    rng = city.rng
    lon0, lat0 = names.CENTRE
    epsg = gauss_kruger_epsg(lon0)
    to_xy = Transformer.from_crs("EPSG:4490", f"EPSG:{epsg}", always_xy=True)
    to_lonlat = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4490", always_xy=True)
    x0, y0 = to_xy.transform(lon0, lat0)
    towns = [u for u in city.units.values() if u.kind == UnitKind.TOWN]
    shapes = []
    for order, (name, (dx, dy)) in enumerate(zip(seed.CORE_DISTRICTS,
                                                 _district_centres(rng, len(seed.CORE_DISTRICTS)))):
        blob = _blob(rng, x0 + dx, y0 + dy, rng.uniform(1.2e6, 2.8e6))
        assert not any(blob.intersects(other) for other in shapes), "demo districts overlap"
        shapes.append(blob)
        ring = [to_lonlat.transform(x, y) for x, y in blob.exterior.coords]
        boundary = mapping(Polygon([(round(x, 6), round(y, 6)) for x, y in ring]))
        lead = city.units["住建局"] if order < 4 else towns[order % len(towns)]
        plan_actions.do_create_district(
            name=name, boundary={"type": "Polygon", "coordinates": boundary["coordinates"]},
            plan=city.plan, lead_unit=lead, sort_order=order,
            goal_year1=names.DISTRICT_GOALS[1].format(n=name),
            goal_year3=names.DISTRICT_GOALS[3].format(n=name),
            goal_year5=names.DISTRICT_GOALS[5].format(n=name),
        )


def build_accounts(city: DemoCity):
    from org.models import Person

    leader_person = city.leaders[3].person  # a 副市长
    for username, role, unit_key, _description in DEMO_ACCOUNTS:
        unit = city.units[unit_key] if unit_key else None
        person = None
        if role == Role.CITY_LEADER:
            person = leader_person
        elif unit is not None:
            person = Person.objects.filter(unit=unit, account__isnull=True).order_by("pk").first()
        org_actions.do_create_account(username=username, role=role, password=DEMO_PASSWORD,
                                      unit=unit, person=person)


def accounts_table() -> list[tuple[str, str, str, str]]:
    """(username, password, role label, description) for printing at start-up."""
    labels = dict(Role.choices)
    return [(u, DEMO_PASSWORD, labels[r], d) for u, r, _, d in DEMO_ACCOUNTS]
