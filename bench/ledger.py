"""Ledger benchmarks at --scale large (issue 3). Run against a database that holds the
large demo city (see bench/RESULTS.md for how it is built), e.g.

    CHENGJIAN_VAR_DIR=/tmp/cjl python bench/ledger.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengjian_bench python bench/ledger.py

`python bench/ledger.py progress` (issue 8) needs no demo city: on any database (migrated
first if empty) it builds 5,000 projects inside a transaction it rolls back, and imports
their exported ledger with every row's 累计完成投资 and 形象进度 changed, preview then apply:

    CHENGJIAN_VAR_DIR=/tmp/cjbench python bench/ledger.py progress
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/ledger.py progress

Each figure is printed beside a ceiling measured in the same run.
"""

import io
import json
import resource
import sys
import time
from datetime import date

from _django import database_label, median_ms

from django.db import connection, reset_queries
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from org.models import User
from projects import engine
from projects.ledger_export import export_queryset
from projects.ledger_import import LedgerImporter
from projects.models import ProgressReport, Project


def page_benchmarks(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    unit = Project.objects.values_list("lead_unit", flat=True).first()
    page = f"/projects/?stage=construction&lead_unit={unit}"
    page2 = "/projects/?stage=construction&category=" + str(
        Project.objects.values_list("category", flat=True).first())
    api = f"/api/projects/projects/?limit=50&stage=construction&lead_unit={unit}"
    api2 = "/api/projects/projects/?limit=50&stage=construction&colour=red"

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            get(url)
        return len(ctx)

    def raw_page():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id, p.code, p.name, u.name, s.overall FROM projects_project p "
                "JOIN org_unit u ON u.id = p.lead_unit_id "
                "LEFT JOIN projects_projectstatus s ON s.project_id = p.id "
                "WHERE p.stage = %s ORDER BY p.code LIMIT 50", ["construction"])
            cursor.fetchall()

    print("## ledger list (page of 50, two filters)")
    for label, url in (("page stage+unit", page), ("page stage+category", page2),
                       ("API stage+unit", api), ("API stage+colour", api2)):
        print(f"  {label:22s} median {median_ms(lambda u=url: get(u)):7.1f} ms   "
              f"queries {queries(url)}")
    print(f"  ceiling: bare view /healthz     median {median_ms(lambda: get('/healthz')):7.1f} ms")
    print(f"  ceiling: raw SQL, 50 rows+joins median {median_ms(raw_page):7.1f} ms")
    q50 = queries("/api/projects/projects/?limit=50")
    q200 = queries("/api/projects/projects/?limit=200")
    p1 = queries("/projects/?page=1")
    p5 = queries("/projects/?page=5")
    print(f"  queries do not grow: API limit 50 → {q50}, limit 200 → {q200}; "
          f"page 1 → {p1}, page 5 → {p5}")


def recompute_benchmarks():
    projects = Project.objects.active()
    n = projects.count()
    print(f"## status recomputation ({n} projects, "
          f"{ProgressReport.objects.count()} reports)")
    start = time.perf_counter()
    engine.recompute(projects)
    full = time.perf_counter() - start
    ids = list(projects.values_list("pk", flat=True))
    start = time.perf_counter()
    for i in range(0, len(ids), 1000):
        engine.load_facts(list(Project.objects.filter(pk__in=ids[i:i + 1000])),
                          engine.timezone.localdate())
    facts_only = time.perf_counter() - start
    print(f"  full recompute, nightly (few changes)   {full:7.2f} s")
    from django.db import transaction

    from projects.models import ProjectStatus

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            ProjectStatus.objects.all().delete()
            start = time.perf_counter()
            engine.recompute(projects)
            scratch = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    print(f"  full recompute, from scratch (all rows) {scratch:7.2f} s")
    print(f"  ceiling: loading the facts alone        {facts_only:7.2f} s")
    project = Project.objects.filter(stage="construction").first()
    one = median_ms(lambda: engine.recompute_one(project, "report"), repeat=25)

    def raw_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM projects_progressreport WHERE project_id = %s "
                           "ORDER BY period_start DESC LIMIT 5", [project.pk])
            cursor.fetchall()

    print(f"  incremental (one project) median {one:6.1f} ms")
    print(f"  ceiling: one raw indexed query   median {median_ms(raw_one, repeat=25):6.2f} ms")


def excel_benchmarks(user):
    from openpyxl import Workbook

    qs = Project.objects.visible_to(user)
    n = qs.count()
    start = time.perf_counter()
    data = export_queryset(qs, title="项目台账")
    export = time.perf_counter() - start
    rows = [[i, f"2024-JC-{i:04d}", "某某道路综合改造工程", "全长约3公里", 12000.0, 3000.0, 1500.0,
             0.5, "主体施工（50%）", "市住房和城乡建设局", "张三", "李四", "无", "绿灯"]
            for i in range(n)]
    start = time.perf_counter()
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(io.BytesIO())
    ceiling = time.perf_counter() - start
    print(f"## Excel ({n} projects)")
    print(f"  export (ledger logic, styles)  {export:6.2f} s   "
          f"ratio to ceiling {export / ceiling:4.1f}×")
    print(f"  ceiling: same cells, bare openpyxl {ceiling:6.2f} s")
    return data


def import_benchmark(data, user):
    plan = Project.objects.first().plan
    start = time.perf_counter()
    result = LedgerImporter(data, user=user, plan=plan).run(apply=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"## import + validation of the exported file ({result.rows} rows)")
    print(f"  unchanged file      {elapsed:6.2f} s, problems {len(result.problems)}, "
          f"changes {len(result.changes)}, peak RSS so far {peak:.0f} MB")
    from django.db import transaction
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for row in range(4, ws.max_row):
        ws.cell(row, 5).value = float(ws.cell(row, 5).value) + 1  # every 总投资 changes
    buffer = io.BytesIO()
    wb.save(buffer)

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            start = time.perf_counter()
            changed = LedgerImporter(buffer.getvalue(), user=user, plan=plan).run(apply=True)
            elapsed = time.perf_counter() - start
            raise Rollback  # leave the benchmark database as it was
    except Rollback:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  every row changed   {elapsed:6.2f} s, problems {len(changed.problems)}, "
          f"updated {changed.updated}, peak RSS of this process {peak:.0f} MB")
    start = time.perf_counter()
    load_workbook(io.BytesIO(data))
    print(f"  ceiling: openpyxl just opening the file {time.perf_counter() - start:6.2f} s")


class _Rollback(Exception):
    pass


def _progress_fixture(n):
    """n projects in construction with a year plan and last period's report (cents)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from core.choices import ChangeSource
    from core.history import change_context
    from plans import actions as plan_actions
    from projects.choices import ReportStatus, Stage
    from projects.models import ProjectYearPlan
    from tests.cast import build_cast

    now = timezone.now()
    with change_context(ChangeSource.SYSTEM, label="bench"):
        cast = build_cast()
        category = plan_actions.do_add_taxonomy(cast.plan, "category", code="BM", name="基准")
        today = timezone.localdate(now)
        Project.objects.bulk_create([Project(
            code=f"2024-BM-{i:04d}", name=f"基准道路{i}号", plan=cast.plan, category=category,
            lead_unit=cast.unit_a, total_investment=Decimal("12000"),
            stage=Stage.CONSTRUCTION, content="全长约3公里") for i in range(n)], batch_size=1000)
        projects = list(Project.objects.filter(category=category))
        ProjectYearPlan.objects.bulk_create([ProjectYearPlan(
            project=p, year=today.year, planned_investment=Decimal("3000"))
            for p in projects], batch_size=1000)
        reporting = engine.reporting_for(cast.plan)
        last = reporting.period_start(today) - timedelta(days=reporting.cycle_days)
        ProgressReport.objects.bulk_create([ProgressReport(
            project=p, period_start=last, period_end=reporting.period_end(last),
            deadline=reporting.deadline(last), status=ReportStatus.SUBMITTED, submitted_at=now,
            investment_period=Decimal("12.34"),
            investment_year_cumulative=Decimal(f"{1000 + i % 500}.37"),
            progress_text="路基施工", progress_percent=30) for i, p in enumerate(projects)],
            batch_size=1000)
        engine.recompute(Project.objects.filter(category=category))
    return cast, category


def progress_benchmark(n=5000):
    """Preview + apply of a ledger whose every row reports new progress (issue 8)."""
    from django.core.management import call_command
    from django.db import transaction
    from openpyxl import load_workbook

    from projects.ledger_sheet import Sheet

    call_command("migrate", verbosity=0)
    print(f"database: {database_label()}")
    try:
        with transaction.atomic():
            start = time.perf_counter()
            cast, category = _progress_fixture(n)
            qs = Project.objects.filter(category=category)
            data = export_queryset(qs, title="基准台账")
            wb = load_workbook(io.BytesIO(data))
            ws = wb.active
            for row in range(4, ws.max_row):  # every 累计完成投资 and 形象进度 changes
                ws.cell(row, 7).value = float(ws.cell(row, 7).value or 0) + 123.45
                ws.cell(row, 9).value = f"主体施工（{40 + row % 50}%）"
            buffer = io.BytesIO()
            wb.save(buffer)
            data = buffer.getvalue()
            print(f"## ledger progress import ({n} rows, every 累计完成投资 and 形象进度 changed)")
            print(f"  (fixture and file built in {time.perf_counter() - start:5.1f} s, "
                  f"{len(data) // 1024} KB)")
            user, plan = cast.office_admin, cast.plan
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            importer = LedgerImporter(data, user=user, plan=plan)
            preview = importer.run(apply=False)
            preview_s = time.perf_counter() - start
            # what the web preview keeps for the apply: the rows read and what was validated
            stored = json.dumps({"sheet": importer.sheet.to_json(),
                                 "prepared": importer.prepared}, ensure_ascii=False)
            start = time.perf_counter()
            try:  # for comparison, the apply as it was: every row read and checked again
                with transaction.atomic():
                    LedgerImporter(None, user=user, plan=plan,
                                   sheet=Sheet.from_json(json.loads(stored)["sheet"])
                                   ).run(apply=True)
                    raise _Rollback
            except _Rollback:
                recheck_s = time.perf_counter() - start
            start = time.perf_counter()
            kept = json.loads(stored)
            applied = LedgerImporter(None, user=user, plan=plan,
                                     sheet=Sheet.from_json(kept["sheet"])).apply_prepared(
                kept["prepared"])
            apply_s = time.perf_counter() - start
            assert applied is not None, "fingerprint changed between preview and apply"
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            current = engine.reporting_for(plan).period_start(engine.timezone.localdate())
            filed = ProgressReport.objects.filter(project__category=category,
                                                  period_start=current).count()
            assert preview.ok and applied.applied, [str(p) for p in applied.problems[:5]]
            print(f"  preview (read, check, dry run rolled back) {preview_s:6.2f} s, "
                  f"{preview.reported} rows to report, problems {len(preview.problems)}")
            print(f"  apply (what the preview validated)         {apply_s:6.2f} s, "
                  f"{applied.reported} reports filed ({filed} new rows)")
            print(f"  (before: an apply checking every row again {recheck_s:6.2f} s, rolled back)")
            print(f"  preview + apply                            {preview_s + apply_s:6.2f} s; "
                  f"peak RSS of the process {rss:.0f} MB "
                  f"(before the import {rss_before:.0f} MB, after building the fixture)")
            start = time.perf_counter()
            raw_wb = load_workbook(io.BytesIO(data), data_only=True)
            sum(1 for _ in raw_wb.worksheets[0].iter_rows(values_only=True))
            print(f"  ceiling: openpyxl reading the same file    {time.perf_counter() - start:6.2f} s")
            day = date(2000, 1, 3)  # a period no report uses
            rows = [ProgressReport(project=p, period_start=day, period_end=day,
                                   deadline=engine.timezone.now(),
                                   status="submitted", progress_text="x") for p in qs]
            start = time.perf_counter()
            QuerySet(ProgressReport).bulk_create(rows, batch_size=1000)  # no history rows
            print(f"  ceiling: raw bulk insert of {len(rows)} report rows   "
                  f"{time.perf_counter() - start:6.2f} s")
            raise _Rollback
    except _Rollback:
        pass


def main():
    reset_queries()
    if sys.argv[1:2] == ["progress"]:
        progress_benchmark()
        return
    user = User.objects.get(username="bangongshi")
    print(f"database: {database_label()}")
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("all", "pages"):
        page_benchmarks(user)
    if which in ("all", "recompute"):
        recompute_benchmarks()
    if which in ("all", "excel", "import"):
        data = excel_benchmarks(user)
        if which in ("all", "import"):
            import_benchmark(data, user)


if __name__ == "__main__":
    main()
