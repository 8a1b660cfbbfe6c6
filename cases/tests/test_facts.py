"""Facts for evaluation: a unit's 按期结案率 with the cases behind it (cases.facts), and the
fact 案件按期结案率 scored by an evaluation scheme (evaluation.facts.collect)."""

from datetime import date
from decimal import Decimal

import time_machine

from cases import facts, performance
from cases.models_stats import Dimension
from cases.tests.test_performance import MAY, NOW, Timeline
from evaluation import actions as evaluation
from evaluation import facts as evaluation_facts
from evaluation.choices import COUNTED_FACTS, FACT_UNITS, Fact, FactKind, Formula
from evaluation.models import ItemScore, UnitScore
from evaluation.validation import ItemSpec


@time_machine.travel(NOW, tick=False)
class CaseFactTests(Timeline):
    def test_on_time_and_late_cases_per_unit(self):
        got = facts.on_time_by_unit(*MAY)
        a, b = got[self.cast.unit_a.pk], got[self.cast.unit_b.pk]
        self.assertEqual(sorted(a["on_time"]), sorted([self.c1.pk, self.c9.pk]))
        self.assertEqual(sorted(a["late"]), sorted([self.c2.pk, self.c3.pk]))
        self.assertEqual((b["on_time"], b["late"]), ([self.c4.pk], [self.c6.pk]))
        self.assertEqual(set(got), {self.cast.unit_a.pk, self.cast.unit_b.pk})

    def test_the_fact_is_the_performance_tables_按期结案率(self):
        table = performance.figures(Dimension.UNIT, *MAY)
        for unit, f in facts.on_time_by_unit(*MAY).items():
            row = table[str(unit)]
            self.assertEqual((len(f["on_time"]), len(f["on_time"]) + len(f["late"])),
                             (row.closed_on_time, row.due))

    def test_evaluation_collects_it_and_names_the_late_cases(self):
        self.assertIn(Fact.CASES_ON_TIME, COUNTED_FACTS)
        self.assertEqual(FACT_UNITS[Fact.CASES_ON_TIME], "件")
        got = evaluation_facts.collect(*MAY, date(2026, 5, 20), [Fact.CASES_ON_TIME])
        a = got[Fact.CASES_ON_TIME][self.cast.unit_a.pk]
        self.assertEqual((a.achieved, a.target, a.value), (2, 4, Decimal("0.5")))
        names = {row.object_id: row for row in a.rows}
        self.assertEqual(set(names), {self.c2.pk, self.c3.pk})
        c2 = names[self.c2.pk]
        self.assertEqual((c2.kind, c2.name, c2.day, c2.done_on, c2.on_time),
                         (FactKind.CASE, "2026c2 市容环境·暴露垃圾", date(2026, 5, 6),
                          date(2026, 5, 7), False))
        self.assertEqual(names[self.c3.pk].state, "处置中")

    def test_a_scheme_scores_units_on_it(self):
        office = self.cast.office_admin
        scheme = evaluation.do_create_scheme(name="数字城管考评", acting_user=office)
        evaluation.do_save_draft(scheme.draft, total_points=Decimal(100), bonus_cap=Decimal(5),
                                 deduction_cap=Decimal(10), acting_user=office, items=[
                                     ItemSpec(Fact.CASES_ON_TIME, Formula.RATIO, Decimal(100),
                                              {"cap": Decimal(1)})])
        evaluation.do_publish_version(scheme.draft, acting_user=office)
        ev = evaluation.do_create_evaluation(scheme=scheme, period_start=MAY[0],
                                             period_end=MAY[1], acting_user=office)
        evaluation.do_compute(ev, acting_user=office)
        a = UnitScore.objects.get(evaluation=ev, unit=self.cast.unit_a)
        b = UnitScore.objects.get(evaluation=ev, unit=self.cast.unit_b)
        self.assertEqual(ItemScore.objects.get(score=a).points, Decimal(50))
        self.assertEqual(ItemScore.objects.get(score=b).points, Decimal(50))
        late = ItemScore.objects.get(score=a).facts.all()
        self.assertEqual({f.object_id for f in late}, {self.c2.pk, self.c3.pk})
        self.assertTrue(all(f.kind == FactKind.CASE for f in late))
