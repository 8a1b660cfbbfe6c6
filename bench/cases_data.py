"""Generate N city-management cases (with the events the 绩效评价 figures read) in bulk into
a throwaway PostgreSQL database, then build the daily roll-up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cases_bench python bench/cases_data.py 5000000

(--no-rollup: leave the roll-up to `manage.py cases_rollup --rebuild`.)

The database named in DATABASE_URL is DROPPED and recreated (it must not be `test`,
`chengjian` or another database someone uses). Cases spread evenly over the two years
before now, ~92 % closed (2 % of them reworked, 3 % extended, 2 % returned and redispatched),
4 % rejected, 2 % voided, 1 % 挂账, 1 % overdue and open, and about half of the last three
days' cases still open. Rows go in with INSERT … SELECT generate_series, with the case
and event tables' secondary indexes dropped during the load and rebuilt after it.

Events written: 派遣 (and 改派), 处置, 核查不通过, 批准延期, 回退, and each finished case's
final event (结案/不予立案/作废) — what the figures and the roll-up's partition read. The
上报/受理/立案 events of a real timeline are left out (no figure counts them).
"""

import os
import sys
import time
from urllib.parse import urlparse

UNITS = 60
GRIDS = 1000
SEGMENTS = 200
PROTECTED = {"test", "chengjian", "postgres", "chengjian_bench"}


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name or name in PROTECTED or name.startswith("test_"):
        sys.exit(f"refusing to drop database {name!r}: name a throwaway one, e.g. cases_bench")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is dropped and recreated).")
    recreate_database(url)

    import _django  # noqa: F401  (Django set up on the new database)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")
    ids = base_data()
    t0 = time.perf_counter()
    load(n, ids)
    load_s = time.perf_counter() - t0
    print(f"## generated {n:,} cases with events: {load_s:.1f} s")
    if "--no-rollup" in sys.argv:
        return
    from cases import performance

    t0 = time.perf_counter()
    result = performance.roll_up(rebuild=True)
    print(f"## roll-up (--rebuild) of everything before {result['until']}: "
          f"{time.perf_counter() - t0:.1f} s, {result['rows']:,} rows")


def base_data() -> dict:
    """Units, an office account, a reporter, types, grids and segments (ORM, a few seconds)."""
    from django.utils import timezone

    from cases import type_table
    from cases.models import CaseType, CaseTypeVersion, Grid, Road, RoadSegment
    from org.choices import Role, UnitKind
    from org.models import Unit, User

    units = Unit.objects.bulk_create([
        Unit(name=f"处置单位{i:02d}", kind=UnitKind.CITY_DEPT if i < 20 else UnitKind.TOWN,
             sort_order=i) for i in range(UNITS)])
    office = User.objects.create_user(username="bench_office", password="Bench@Password2024",
                                      role=Role.OFFICE_STAFF)
    User.objects.filter(pk=office.pk).update(password_changed_at=timezone.now())
    reporter = User.objects.create_user(username="bench_inspector",
                                        password="Bench@Password2024", role=Role.INSPECTOR)
    versions = []
    for row in [*type_table.COMPONENTS, *type_table.EVENTS]:
        t = CaseType.objects.create(kind=row["kind"], major_code=row["major_code"],
                                    major_name=row["major_name"], minor_code=row["minor_code"],
                                    minor_name=row["minor_name"], group=row["group"])
        (na, nu), (ua, uu) = row["limits"]["normal"], row["limits"]["urgent"]
        versions.append(CaseTypeVersion.objects.create(
            case_type=t, number=1, register_standard=row["register_standard"],
            close_standard=row["close_standard"], normal_amount=na, normal_unit=nu,
            urgent_amount=ua, urgent_unit=uu, owner_first=row["owner_first"]))
    grids = []
    for i in range(GRIDS):
        x, y = 113.30 + (i % 40) * 0.001, 34.70 + (i // 40) * 0.001
        ring = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
        grids.append(Grid(code=f"410102001{i // 100 + 1:03d}{i % 100 + 1:03d}",
                          geometry={"type": "Polygon", "coordinates": [ring]}, area_m2=10000,
                          min_lon=x, min_lat=y, max_lon=x + 0.001, max_lat=y + 0.001))
    grids = Grid.objects.bulk_create(grids)
    roads = Road.objects.bulk_create([Road(name=f"道路{i}") for i in range(20)])
    segments = RoadSegment.objects.bulk_create([
        RoadSegment(road=roads[i % 20], name=f"路段{i}", start_name="甲", end_name="乙",
                    order=i // 20, geometry={"type": "LineString",
                                             "coordinates": [[113.3, 34.7], [113.31, 34.7]]})
        for i in range(SEGMENTS)])
    return {"units": [u.pk for u in units], "versions": [v.pk for v in versions],
            "grids": [g.pk for g in grids], "segments": [s.pk for s in segments],
            "reporter": reporter.pk}


def _array(values) -> str:
    return "ARRAY[" + ",".join(str(v) for v in values) + "]::bigint[]"


def _pick(values, rnd) -> str:
    return f"({_array(values)})[1 + floor({rnd} * {len(values)})::int]"


def _columns(model, given: dict) -> tuple[str, str]:
    """Column list and SELECT expressions: `given`, else NULL or '' or the default."""
    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        if f.column in given:
            exprs.append(given[f.column])
        elif f.null:
            exprs.append("NULL")
        elif f.has_default() and not callable(f.default):
            exprs.append(f"'{f.default}'")
        elif f.get_internal_type() in ("CharField", "TextField"):
            exprs.append("''")
        elif f.get_internal_type() == "DateTimeField":
            exprs.append("now()")
        else:
            raise SystemExit(f"no value for {model.__name__}.{f.name}")
    return ", ".join(cols), ", ".join(exprs)


def load(n: int, ids: dict) -> None:
    from django.db import connection

    from cases.models import Case, CaseEvent

    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET session_replication_role = replica")  # no FK trigger per row
        dropped = _drop_indexes(cur, ["cases_case", "cases_caseevent"])
        t0 = time.perf_counter()
        cur.execute("SELECT setseed(0.42)")
        case_cols = {
            "number": "'B' || lpad(s.i::text, 12, '0')",
            "type_version_id": _pick(ids["versions"], "s.r5"),
            "urgency": "CASE WHEN s.r6 < 0.1 THEN 'urgent' ELSE 'normal' END",
            "source": "(ARRAY['inspector','inspector','inspector','road_chief','citizen',"
                      "'hotline','hotline','video','leader','media'])[1 + floor(s.r6 * 10)::int]",
            "state": "s.state", "description": "'基准测试案件'",
            "lon": "113.3 + s.r7 * 0.04", "lat": "34.7 + s.r8 * 0.025",
            "grid_id": _pick(ids["grids"], "s.r7"),
            "segment_id": f"CASE WHEN s.r8 < 0.6 THEN {_pick(ids['segments'], 's.r8 / 0.6')} END",
            "reporter_id": str(ids["reporter"]),
            "handling_unit_id": f"CASE WHEN s.state NOT IN ('rejected','void') "
                                f"THEN {_pick(ids['units'], 's.r9')} END",
            "reported_at": "s.rep",
            "registered_at": "CASE WHEN s.state <> 'rejected' THEN s.rep + interval '20 min' END",
            "dispatched_at": "CASE WHEN s.state NOT IN ('rejected','void') "
                             "THEN s.rep + interval '30 min' END",
            "deadline_at": "CASE WHEN s.state IN ('closed','handling') "
                           "THEN s.rep + interval '30 min' + interval '1 day' END",
            "handled_at": "CASE WHEN s.state = 'closed' THEN LEAST(s.rep + interval '30 min' "
                          "+ s.r3 * interval '30 hours', s.now - interval '2 hours') END",
            "closed_at": "CASE WHEN s.state = 'closed' THEN LEAST(s.rep + interval '30 min' "
                         "+ s.r3 * interval '30 hours', s.now - interval '2 hours') "
                         "+ interval '90 min' END",
            "created_at": "s.rep", "updated_at": "s.rep",
        }
        cols, exprs = _columns(Case, case_cols)
        cur.execute(f"""
            WITH raw AS (
              SELECT g AS i, now() AS now,
                     now() - interval '730 days' + (g::float8 / %s) * interval '730 days'
                       - random() * interval '1 hour' AS rep,
                     random() AS r1, random() AS r2, random() AS r3, random() AS r5,
                     random() AS r6, random() AS r7, random() AS r8, random() AS r9
              FROM generate_series(1, %s) g),
            s AS (
              SELECT raw.*, CASE
                WHEN r1 < 0.04 THEN 'rejected'
                WHEN r1 < 0.06 THEN 'void'
                WHEN rep > now - interval '3 hours' THEN 'handling'
                WHEN rep > now - interval '3 days' AND r2 < 0.5 THEN 'handling'
                WHEN r1 < 0.07 THEN 'hung'
                WHEN r1 < 0.08 THEN 'handling'
                ELSE 'closed' END AS state
              FROM raw)
            INSERT INTO cases_case ({cols}) SELECT {exprs} FROM s""", [n, n])
        print(f"cases: {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        # Events, from the cases' own columns; a hash of the id picks the exceptions.
        h = "((c.id * 2654435761) % 1000)"
        ev = [
            ("'dispatch'", "'registered'", "'dispatched'", "c.handling_unit_id",
             "c.dispatched_at", "c.dispatched_at IS NOT NULL"),
            ("'handle'", "'handling'", "'handled'", "c.handling_unit_id", "c.handled_at",
             "c.handled_at IS NOT NULL"),
            ("'close'", "'checked'", "'closed'", "NULL", "c.closed_at", "c.state = 'closed'"),
            ("'reject'", "'accepted'", "'rejected'", "NULL", "c.reported_at + interval '30 min'",
             "c.state = 'rejected'"),
            ("'void'", "'registered'", "'void'", "NULL", "c.reported_at + interval '25 min'",
             "c.state = 'void'"),
            ("'hang'", "'handling'", "'hung'", "c.handling_unit_id",
             "c.dispatched_at + interval '2 hours'", "c.state = 'hung'"),
            ("'extension_approve'", "'handling'", "'handling'", "c.handling_unit_id",
             "c.dispatched_at + interval '1 hour'",
             f"c.dispatched_at IS NOT NULL AND {h} < 30"),
            ("'check_fail'", "'checking'", "'rework'", "c.handling_unit_id",
             "c.handled_at - interval '2 min'", f"c.handled_at IS NOT NULL AND {h} BETWEEN 30 AND 49"),
            ("'handle'", "'handling'", "'handled'", "c.handling_unit_id",
             "c.handled_at - interval '4 min'", f"c.handled_at IS NOT NULL AND {h} BETWEEN 30 AND 49"),
            # 回退 by another unit before the 改派 to this one (its 派遣 first).
            ("'dispatch'", "'registered'", "'dispatched'",
             f"{_pick(ids['units'], 'random()')}", "c.dispatched_at - interval '20 min'",
             f"c.dispatched_at IS NOT NULL AND {h} BETWEEN 50 AND 69"),
        ]
        for kind, from_state, to_state, unit, at, where in ev:
            cols, exprs = _columns(CaseEvent, {
                "case_id": "c.id", "kind": kind, "from_state": from_state, "to_state": to_state,
                "unit_id": unit, "at": at, "created_at": at, "updated_at": at})
            cur.execute(f"INSERT INTO cases_caseevent ({cols}) SELECT {exprs} "
                        f"FROM cases_case c WHERE {where}")
        # The 回退 events: by the unit of that first 派遣.
        cols, exprs = _columns(CaseEvent, {
            "case_id": "e.case_id", "kind": "'return'", "from_state": "'dispatched'",
            "to_state": "'returned'", "unit_id": "e.unit_id", "at": "e.at + interval '5 min'",
            "created_at": "e.at", "updated_at": "e.at"})
        cur.execute(f"""INSERT INTO cases_caseevent ({cols}) SELECT {exprs}
                        FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
                        WHERE e.kind = 'dispatch' AND e.at = c.dispatched_at - interval '20 min'""")
        print(f"events: {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        for statement in dropped:
            cur.execute(statement)
        cur.execute("SET session_replication_role = origin")
        # What autovacuum does after a load: statistics and the visibility map (so the
        # open cases' partial index is read without visiting the table).
        cur.execute("VACUUM ANALYZE cases_case")
        cur.execute("VACUUM ANALYZE cases_caseevent")
        print(f"indexes and analyze: {time.perf_counter() - t0:.1f} s")
        cur.execute("SELECT count(*) FROM cases_caseevent")
        print(f"{cur.fetchone()[0]:,} events")


def _drop_indexes(cur, tables) -> list[str]:
    """Drop the tables' secondary indexes (not those backing a constraint); return their
    CREATE statements to run after the load."""
    cur.execute("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND NOT EXISTS (
          SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [tables])
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


if __name__ == "__main__":
    main()
