"""Meeting pack and bulletin benchmarks at --scale large (issue 5).

    CHENGJIAN_VAR_DIR=/tmp/cjl python bench/supervision.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengjian_bench python bench/supervision.py
"""

import time
from datetime import time as clock
from datetime import timedelta

from _django import database_label

from django.db import transaction
from django.utils import timezone

from org.models import User
from supervision import actions
from supervision.bulletins import render_docx, render_pdf
from supervision.choices import MeetingKind
from supervision.models import Meeting


class Rollback(Exception):
    pass


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    office = User.objects.get(username="bangongshi")
    bureau = User.objects.get(username="duchaju")
    today = timezone.localdate()
    print(f"database: {database_label()}")
    try:
        with transaction.atomic():
            from plans.models import Plan

            plan = Plan.objects.get(short_name="三年行动计划")
            for kind in (MeetingKind.WEEKLY_DISPATCH, MeetingKind.QUARTERLY_ONSITE):
                meeting = Meeting.objects.create(plan=plan, kind=kind, date=today,
                                                 start_time=clock(9), title=f"基准{kind}")
                pack, seconds = timed(lambda m=meeting: actions.do_generate_pack(
                    m, acting_user=office))
                c = pack.content
                print(f"## meeting pack ({meeting.get_kind_display()}): {seconds:6.2f} s — "
                      f"{len(c['changed'])} colour changes, {len(c['reports'])} units with "
                      f"missing/late reports, {len(c['items'])} open items")
            bulletin, seconds = timed(lambda: actions.do_draft_bulletin(
                period_start=today - timedelta(days=7), period_end=today, acting_user=bureau))
            print(f"## bulletin draft from data: {seconds:6.2f} s, {bulletin.lines.count()} lines")
            bulletin.year, bulletin.number = today.year, 999
            bulletin.issued_at = timezone.now()
            docx, seconds_docx = timed(lambda: render_docx(bulletin))
            pdf, seconds_pdf = timed(lambda: render_pdf(bulletin))
            print(f"  .docx {seconds_docx:6.2f} s ({len(docx) / 1024:.0f} KB); "
                  f"PDF {seconds_pdf:6.2f} s ({len(pdf) / 1024:.0f} KB)")
            from docx import Document

            _, ceiling = timed(lambda: Document().save(__import__("io").BytesIO()))
            print(f"  ceiling: an empty python-docx document {ceiling:6.2f} s")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
