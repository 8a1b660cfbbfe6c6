"""绩效评价 benchmark (issue 10): the performance table of all units over a half-year and over
all time, beside the raw GROUP BY on the same case table measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cases_bench python bench/cases_data.py 5000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cases_bench python bench/cases_performance.py

Targets at 5,000,000 cases on PostgreSQL: half-year < 1 s, all time < 2 s. "table" is
cases.views_performance.ranking (roll-up + live part + names + 综合指标值 and ranks);
"page" is the whole GET of /cases/performance/ as the desk; the ceiling is one
SELECT … GROUP BY handling_unit_id over the case table for the same days (counts only,
none of the event figures or handling times).
"""

import time
from datetime import date, timedelta

from _django import database_label, median_ms

from django.db import connection
from django.test import Client
from django.utils import timezone

from cases import performance
from cases.models import Case, CaseDayStat
from cases.models_stats import Dimension
from cases.views_performance import parse_period, ranking
from org.models import User


def ceiling(start: date | None, end: date | None):
    lo, hi = performance.bounds(start, end)
    where, params = "", []
    if lo is not None:
        where, params = "WHERE reported_at >= %s AND reported_at < %s", [lo, hi]

    def run():
        with connection.cursor() as cur:
            cur.execute(f"""SELECT handling_unit_id, count(*),
                              count(*) FILTER (WHERE registered_at IS NOT NULL),
                              count(*) FILTER (WHERE state = 'closed'),
                              count(*) FILTER (WHERE state = 'closed'
                                               AND handled_at <= deadline_at)
                            FROM cases_case {where} GROUP BY handling_unit_id""", params)
            return cur.fetchall()
    return run


def main():
    today = timezone.localdate()
    cases = Case.objects.count()
    print(f"database: {database_label()}; {cases:,} cases")
    t0 = time.perf_counter()
    result = performance.roll_up()  # the nightly run: incremental from the last watermark
    print(f"roll-up (incremental, until {result['until']}): {time.perf_counter() - t0:.2f} s,"
          f" {result['rows']} rows; {CaseDayStat.objects.count():,} rows stored")
    half = f"{today.year}-H{1 if today.month <= 6 else 2}"
    previous = f"{today.year}-H1" if today.month > 6 else f"{today.year - 1}-H2"
    office = User.objects.get(username="bench_office")
    # A fresh password, or the page is a redirect to 修改密码 (PASSWORD_MAX_AGE_DAYS).
    User.objects.filter(pk=office.pk).update(password_changed_at=timezone.now())
    client = Client()
    client.force_login(office)
    for value in (half, previous, "all"):
        period = parse_period(value, today)
        rows = ranking(Dimension.UNIT, period, None)
        table = median_ms(lambda p=period: ranking(Dimension.UNIT, p, None), repeat=5, warmup=1)
        response = client.get("/cases/performance/", {"period": value})
        assert response.status_code == 200, response.status_code
        page = median_ms(lambda v=value: client.get("/cases/performance/",
                                                    {"period": v}).content, repeat=5, warmup=1)
        raw = median_ms(ceiling(period.start, period.end), repeat=3, warmup=1)
        print(f"## {period.label} ({value}), {len(rows)} units: table {table:8.1f} ms; "
              f"page {page:8.1f} ms; ceiling (raw GROUP BY on cases) {raw:8.1f} ms")
    for dimension in (Dimension.GRID, Dimension.TYPE, Dimension.SOURCE):
        period = parse_period(half, today)
        ms = median_ms(lambda d=dimension, p=period: ranking(d, p, None), repeat=3, warmup=1)
        print(f"   by {Dimension(dimension).label}, {period.label}: {ms:8.1f} ms")
    # Live part alone: what is computed per request on top of the stored rows.
    live = median_ms(lambda: performance.figures(Dimension.UNIT, None, None), repeat=5)
    print(f"   figures() all time, unit (roll-up sum + live part): {live:8.1f} ms")
    # The check: roll-up + live part = the direct computation (last month, every unit).
    month = parse_period(f"{today.year}-{today.month:02d}", today)
    if today.day < 15:
        last = today.replace(day=1) - timedelta(days=1)
        month = parse_period(f"{last.year}-{last.month:02d}", today)
    now = timezone.now()
    t0 = time.perf_counter()
    want = performance.direct(Dimension.UNIT, month.start, month.end, now=now)
    direct_s = time.perf_counter() - t0
    got = performance.figures(Dimension.UNIT, month.start, month.end, now=now)
    same = ({k: f.counters() for k, f in got.items()}
            == {k: f.counters() for k, f in want.items()})
    print(f"   roll-up + live == direct computation for {month.label}: {same} "
          f"(direct, without the roll-up: {direct_s:6.1f} s)")


if __name__ == "__main__":
    main()
