"""Filing cases through the API at 32 concurrent connections, beside a bare Django view that
inserts one row, both served by the same gunicorn in the same run (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cases_api_bench python bench/cases_api.py

The database named in DATABASE_URL is DROPPED and recreated (it must not be `test`,
`chengjian` or another database someone uses). Options: --seconds N (each measured round,
default 20), --connections N (default 32), --workers N and --threads N (gunicorn, default 2
workers × 16 threads: every client connection has a server thread and a database
connection), --port N (default 8791), --photo (also file with one small JPEG, multipart).

What is compared:
- bare: POST /bench/bare/ — Django's whole middleware stack, a JSON body parsed, one
  INSERT (autocommit) and a JSON answer; no authentication. The floor any Django endpoint
  on this server stands on.
- api: POST /api/cases/cases/ — token authentication, the body validated, the type's current
  version, the grid located from the point (bbox query + exact test), the road segment
  matched, the case inserted with its number and its 上报 event (each with its history row)
  in one transaction, and the case's detail (clock, timeline) serialised from the rows just
  written (the body a GET of the case gives). Each request carries its own Idempotency-Key;
  every connection is its own inspector (a phone). 19 SQL statements a report on PostgreSQL
  (cases/tests/test_api_filing_queries.py bounds it).

Rounds alternate bare, api, bare, api (after a warm-up of each) so that drift on a shared
machine shows in the pairs. The load generator is this script: one thread per connection,
each with one keep-alive HTTP/1.1 connection (http.client), sending the next request as
soon as the answer is read (closed loop). Afterwards the rows are counted: every 201 must be
one case (or one bare row), and no answer may be a 5xx.
"""

import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PROTECTED = {"test", "chengjian", "postgres", "chengjian_bench"}
BARE_TABLE = "bench_bare_row"


def option(name, default):
    if name in sys.argv:
        return type(default)(sys.argv[sys.argv.index(name) + 1])
    return default


SECONDS = option("--seconds", 20.0)
CONNECTIONS = option("--connections", 32)
WORKERS = option("--workers", 2)
THREADS = option("--threads", 16)
PORT = option("--port", 8791)
WARMUP = 3.0


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name or name in PROTECTED or name.startswith("test_"):
        sys.exit(f"refusing to drop database {name!r}: name a throwaway one, e.g. "
                 "cases_api_bench")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def base_data() -> dict:
    """A street and community, a grid holding the point, roads, a type, and one inspector
    with an API token per connection."""
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from cases.choices import CaseKind, LimitUnit
    from cases.models import CaseType, CaseTypeVersion, Grid, Road, RoadSegment
    from org.choices import Role, UnitKind
    from org.models import Unit, User

    town = Unit.objects.create(name="基准街道", kind=UnitKind.TOWN, admin_code="410102001000")
    community = Unit.objects.create(name="基准社区", kind=UnitKind.COMMUNITY, parent=town,
                                    admin_code="410102001001")
    for i in range(100):  # a realistic neighbourhood of grids around the point
        x, y = 113.30 + (i % 10) * 0.001, 34.70 + (i // 10) * 0.001
        ring = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
        Grid.objects.create(code=f"410102001001{i + 1:03d}", street_unit=town,
                            community_unit=community,
                            geometry={"type": "Polygon", "coordinates": [ring]})
    for r in range(20):
        road = Road.objects.create(name=f"道路{r}")
        for k in range(10):
            y = 34.70 + r * 0.0005
            x = 113.30 + k * 0.001
            RoadSegment.objects.create(road=road, name=f"道路{r}第{k}段", start_name="甲",
                                       end_name="乙", order=k, geometry={
                                           "type": "LineString",
                                           "coordinates": [[x, y], [x + 0.001, y]]})
    case_type = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01", major_name="市容环境",
                                        minor_code="02", minor_name="暴露垃圾", group="clean")
    CaseTypeVersion.objects.create(
        case_type=case_type, number=1, register_standard="成堆垃圾", close_standard="清理",
        normal_amount=4, normal_unit=LimitUnit.HOUR, urgent_amount=2,
        urgent_unit=LimitUnit.HOUR, owner_first=False)
    tokens = []
    for i in range(CONNECTIONS):
        user = User.objects.create_user(username=f"bench_jdy{i:02d}",
                                        password="Bench@Password2024", role=Role.INSPECTOR,
                                        unit=community)
        tokens.append(Token.objects.create(user=user).key)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {BARE_TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL,"
                       " at timestamptz NOT NULL)")
    return {"type": case_type.pk, "tokens": tokens}


def write_server_modules(directory: Path) -> None:
    """Settings and URLs for the server: the project's own (production-like, DEBUG off) plus
    the bare view at /bench/bare/. Written to a temporary directory, not the repository."""
    (directory / "cases_api_bench_urls.py").write_text(textwrap.dedent(f"""\
        import json

        from django.contrib.auth.decorators import login_not_required
        from django.db import connection
        from django.http import JsonResponse
        from django.urls import path
        from django.views.decorators.csrf import csrf_exempt

        from config.urls import urlpatterns as project


        @login_not_required
        @csrf_exempt
        def bare(request):
            body = json.loads(request.body)
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO {BARE_TABLE} (body, at) VALUES (%s, now()) "
                               "RETURNING id", [json.dumps(body)])
                pk = cursor.fetchone()[0]
            return JsonResponse({{"id": pk}}, status=201)


        urlpatterns = [path("bench/bare/", bare), *project]
        """))
    (directory / "cases_api_bench_settings.py").write_text(textwrap.dedent("""\
        from config.test_settings import *  # noqa: F401,F403

        ROOT_URLCONF = "cases_api_bench_urls"
        DEBUG = False
        LOGGING = {"version": 1, "disable_existing_loggers": False,
                   "loggers": {"django.request": {"level": "ERROR"}}}
        """))


def start_server(directory: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cases_api_bench_settings",
           "PYTHONPATH": f"{directory}{os.pathsep}{ROOT}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--threads",
         str(THREADS), "--worker-class", "gthread", "--keep-alive", "30",
         "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(directory / "server.log", "w"))
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            sys.exit(f"gunicorn exited: see {directory / 'server.log'}")
        time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 30 s")


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 80)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def multipart(fields: dict, photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                 f'filename="现场.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + photo
                 + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_round(kind: str, world: dict, seconds: float, photo: bytes | None = None) -> dict:
    """Closed loop at CONNECTIONS connections for `seconds`; latencies of the answers that
    arrive inside the window."""
    start_at = time.perf_counter() + 0.5  # every thread connected before the clock starts
    stop_at = start_at + seconds
    latencies, statuses, created, lock = [], {}, [0], threading.Lock()

    def client(index: int):
        token = world["tokens"][index]
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        mine, codes, n, made = [], {}, 0, 0
        while time.perf_counter() < start_at:
            time.sleep(0.001)
        while time.perf_counter() < stop_at:
            n += 1
            key = f"{kind}-{index}-{n}-{uuid.uuid4().hex[:8]}"
            fields = {"case_type": world["type"], "description": "路边成堆垃圾",
                      "lon": 113.3035 + (n % 7) * 0.0001, "lat": 34.7015, "address": "基准路"}
            headers = {"Idempotency-Key": key}
            if kind == "bare":
                path, body = "/bench/bare/", json.dumps(fields).encode()
                headers["Content-Type"] = "application/json"
            elif photo is not None:
                path = "/api/cases/cases/"
                body, headers["Content-Type"] = multipart(fields, photo)
                headers["Authorization"] = f"Token {token}"
            else:
                path, body = "/api/cases/cases/", json.dumps(fields).encode()
                headers["Content-Type"] = "application/json"
                headers["Authorization"] = f"Token {token}"
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                status = "error"
            ended = time.perf_counter()
            made += status == 201  # answers after the window still wrote their row
            if ended <= stop_at:
                mine.append(ended - began)
                codes[status] = codes.get(status, 0) + 1
        conn.close()
        with lock:
            created[0] += made
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"kind": kind, "requests": len(latencies), "per_second": len(latencies) / seconds,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0,
            "statuses": statuses, "created": created[0]}


def show(result: dict) -> None:
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items(), key=str))
    print(f"  {result['kind']:<10} {result['per_second']:8.1f} req/s   p50 {result['p50']:7.1f} ms"
          f"   p95 {result['p95']:7.1f} ms   p99 {result['p99']:7.1f} ms   ({codes})")


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is dropped and recreated).")
    recreate_database(url)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _django import database_label  # Django set up on the new database

    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database: {database_label()}; migrate {time.perf_counter() - t0:.1f} s")
    world = base_data()
    connection.close()  # the server's connections only, while measuring
    directory = Path(tempfile.mkdtemp(prefix="cases-api-bench-"))
    write_server_modules(directory)
    server = start_server(directory)
    print(f"server: gunicorn {WORKERS} workers × {THREADS} threads (gthread), keep-alive; "
          f"load: {CONNECTIONS} keep-alive connections, closed loop, {SECONDS:.0f} s a round")
    try:
        kinds = ["bare", "api"]
        photo = jpeg() if "--photo" in sys.argv else None
        if photo is not None:
            kinds.append("api+photo")
        warmups = [run_round(kind.split("+")[0], world, WARMUP,
                             photo if kind == "api+photo" else None)
                   for kind in kinds]  # imports, connections, caches (segments, grids)
        results = []
        for _ in range(2):
            for kind in kinds:
                result = run_round(kind.split("+")[0], world, SECONDS,
                                   photo if kind == "api+photo" else None)
                result["kind"] = kind
                show(result)
                results.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    from cases.models import Case

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BARE_TABLE}")
        bare_rows = cursor.fetchone()[0]
    cases = Case.objects.count()
    made = {"bare": 0, "api": 0}
    for r in [*warmups, *results]:
        made["bare" if r["kind"] == "bare" else "api"] += r["created"]
    print(f"rows: {cases} cases for {made['api']} answers 201, {bare_rows} bare rows for "
          f"{made['bare']} answers 201" + ("" if (cases, bare_rows) == (made["api"], made["bare"])
                                           else "  <-- MISMATCH"))
    errors = sum(v for r in results for k, v in r["statuses"].items()
                 if k == "error" or (isinstance(k, int) and k >= 500))
    by_kind = {}
    for r in results:
        by_kind.setdefault(r["kind"], []).append(r["per_second"])
    bare = statistics.fmean(by_kind["bare"])
    print("## filing throughput at "
          f"{CONNECTIONS} connections (mean of the two rounds; server errors: {errors})")
    for kind, rates in by_kind.items():
        print(f"  {kind:<10} {statistics.fmean(rates):8.1f} req/s  "
              f"({statistics.fmean(rates) / bare:5.1%} of the bare insert)")


if __name__ == "__main__":
    main()
