"""Evaluation benchmark at --scale large (issue 5): compute a scheme for every unit.

    CHENGJIAN_VAR_DIR=/tmp/cjl python bench/evaluation.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengjian_bench python bench/evaluation.py

The product scores 市直部门 and 乡镇办; to measure the issue's 300 units the run also scores
the large city's 240 社区(村) as a third group (rolled back afterwards).
"""

import time
from datetime import date

from _django import database_label

from django.db import transaction
from django.utils import timezone

from evaluation import actions
from evaluation.choices import GROUPS, Fact
from evaluation.facts import collect
from evaluation.models import ScoreFact, UnitScore
from evaluation.presets import preset_scheme
from org.choices import UnitKind
from org.models import User
from projects.models import ProgressReport


class Rollback(Exception):
    pass


def main():
    office = User.objects.get(username="bangongshi")
    today = timezone.localdate()
    print(f"database: {database_label()}; {ProgressReport.objects.count()} reports")
    GROUPS[UnitKind.COMMUNITY] = UnitKind.COMMUNITY.label
    try:
        with transaction.atomic():
            evaluation = actions.do_create_evaluation(
                scheme=preset_scheme("comprehensive", acting_user=office),
                period_start=date(today.year, 1, 1), period_end=today, acting_user=office)
            start = time.perf_counter()
            facts = collect(evaluation.period_start, today, today, list(Fact))
            facts_only = time.perf_counter() - start
            start = time.perf_counter()
            n = actions.do_compute(evaluation, acting_user=office)
            full = time.perf_counter() - start
            written = UnitScore.objects.filter(evaluation=evaluation).count()
            named = ScoreFact.objects.filter(item_score__score__evaluation=evaluation).count()
            print(f"## evaluation of {n} units ({written} scores, {named} named facts "
                  f"written): {full:6.2f} s")
            print(f"  ceiling: collecting the facts alone {facts_only:6.2f} s "
                  f"({sum(len(v) for v in facts.values())} unit-facts)")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
