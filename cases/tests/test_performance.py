"""绩效评价: each figure on a hand-built timeline (time frozen), the roll-up against the
direct computation, the 综合指标值 and grades, and who sees which figures and cases."""

from datetime import date, datetime
from decimal import Decimal

import time_machine
from django.core.management import call_command
from django.urls import reverse

from cases import performance
from cases.choices import CaseKind, CaseSource, CaseState, EventType, LimitUnit, PauseKind
from cases.models import (
    Case,
    CaseDayStat,
    CaseEvent,
    CasePause,
    CaseType,
    CaseTypeVersion,
    Grid,
    PerformanceWeight,
)
from cases.models_stats import Dimension, Metric
from org import actions as org
from org.choices import Role
from tests.base import SHANGHAI, CastTestCase
from tests.cast import PASSWORD

# Wednesday 20 May 2026, 10:00 in Beijing (1–5 May are the 劳动节 holiday).
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)
MAY = (date(2026, 5, 1), date(2026, 5, 31))
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Timeline(CastTestCase):
    """Nine cases of May 2026 (and one of April) written as rows, as the actions write
    them: the case's columns and its events."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.inspector = org.do_create_account(username="inspector", role=Role.INSPECTOR,
                                              password=PASSWORD, unit=c.community)
        cls.grid = Grid.objects.create(code="419901001001001", name="丁社区1号网格",
                                       street_unit=c.town, community_unit=c.community,
                                       geometry=SQUARE)
        garbage = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                          major_name="市容环境", minor_code="02",
                                          minor_name="暴露垃圾", group="clean")
        cls.garbage = CaseTypeVersion.objects.create(
            case_type=garbage, number=1, register_standard="成堆垃圾", close_standard="清理",
            normal_amount=4, normal_unit=LimitUnit.HOUR, urgent_amount=2,
            urgent_unit=LimitUnit.HOUR, owner_first=False)
        cover = CaseType.objects.create(kind=CaseKind.COMPONENT, major_code="01",
                                        major_name="公用设施", minor_code="01",
                                        minor_name="上水井盖", group="order")
        cls.cover = CaseTypeVersion.objects.create(
            case_type=cover, number=1, register_standard="缺失", close_standard="修复",
            normal_amount=1, normal_unit=LimitUnit.DAY, urgent_amount=4,
            urgent_unit=LimitUnit.HOUR, owner_first=True)
        a, b = c.unit_a, c.unit_b
        S, E = CaseState, EventType
        # c1: A, handled within the limit, closed: on time. 60 working minutes.
        cls.c1 = cls.case("c1", at(5, 8, 9), unit=a, registered=at(5, 8, 9, 30),
                          dispatched=at(5, 8, 10), deadline=at(5, 8, 15),
                          handled=at(5, 8, 11), closed=at(5, 8, 16), state=S.CLOSED,
                          events=[(E.DISPATCH, at(5, 8, 10), a, S.DISPATCHED),
                                  (E.HANDLE, at(5, 8, 11), a, S.HANDLED),
                                  (E.CLOSE, at(5, 8, 16), None, S.CLOSED)])
        # c2: A, 返工 once, the second 处置 after the deadline: closed late. 10:00 on the
        # 6th to 10:00 on the 7th = 120 + 240 + 90 working minutes.
        cls.c2 = cls.case("c2", at(5, 6, 9), unit=a, registered=at(5, 6, 9, 30),
                          dispatched=at(5, 6, 10), deadline=at(5, 6, 16),
                          handled=at(5, 7, 10), closed=at(5, 7, 11), state=S.CLOSED,
                          source=CaseSource.HOTLINE,
                          events=[(E.DISPATCH, at(5, 6, 10), a, S.DISPATCHED),
                                  (E.HANDLE, at(5, 6, 15), a, S.HANDLED),
                                  (E.CHECK_FAIL, at(5, 6, 17), a, S.REWORK),
                                  (E.HANDLE, at(5, 7, 10), a, S.HANDLED),
                                  (E.CLOSE, at(5, 7, 11), None, S.CLOSED)])
        # c3: A, 延期 approved, still open past its (moved) deadline: 超期未结, due on the 12th.
        cls.c3 = cls.case("c3", at(5, 10, 9), unit=a, registered=at(5, 11, 8, 40),
                          dispatched=at(5, 11, 9), deadline=at(5, 12, 12), state=S.HANDLING,
                          type_version=cls.cover,
                          events=[(E.DISPATCH, at(5, 11, 9), a, S.DISPATCHED),
                                  (E.EXTENSION_APPROVE, at(5, 11, 10), a, S.DISPATCHED)])
        # c4: sent to A, 回退 by A, 改派 to B, handled and closed by B on time.
        cls.c4 = cls.case("c4", at(5, 12, 9), unit=b, registered=at(5, 12, 9, 30),
                          dispatched=at(5, 12, 14), deadline=at(5, 13, 12),
                          handled=at(5, 13, 9), closed=at(5, 13, 10), state=S.CLOSED,
                          events=[(E.DISPATCH, at(5, 12, 10), a, S.DISPATCHED),
                                  (E.RETURN, at(5, 12, 11), a, S.RETURNED),
                                  (E.REASSIGN, at(5, 12, 14), b, S.DISPATCHED),
                                  (E.HANDLE, at(5, 13, 9), b, S.HANDLED),
                                  (E.CLOSE, at(5, 13, 10), None, S.CLOSED)])
        # c5: 不予立案 — only reported, no unit.
        cls.c5 = cls.case("c5", at(5, 14, 9), state=S.REJECTED,
                          events=[(E.REJECT, at(5, 14, 10), None, S.REJECTED)])
        # c6: reported in April, B, handled after the deadline, closed in May: late, in May.
        cls.c6 = cls.case("c6", at(4, 28, 9), unit=b, registered=at(4, 28, 9, 30),
                          dispatched=at(4, 28, 10), deadline=at(4, 29, 10),
                          handled=at(5, 1, 9), closed=at(5, 6, 9), state=S.CLOSED,
                          events=[(E.DISPATCH, at(4, 28, 10), b, S.DISPATCHED),
                                  (E.HANDLE, at(5, 1, 9), b, S.HANDLED),
                                  (E.CLOSE, at(5, 6, 9), None, S.CLOSED)])
        # c7: B, open and within its limit: not due.
        cls.c7 = cls.case("c7", at(5, 19, 9), unit=b, registered=at(5, 19, 9, 30),
                          dispatched=at(5, 19, 10), deadline=at(5, 21, 10),
                          state=S.DISPATCHED,
                          events=[(E.DISPATCH, at(5, 19, 10), b, S.DISPATCHED)])
        # c8: A, 挂账: no deadline, not due.
        cls.c8 = cls.case("c8", at(5, 15, 9), unit=a, registered=at(5, 15, 9, 30),
                          dispatched=at(5, 15, 10), state=S.HUNG,
                          events=[(E.DISPATCH, at(5, 15, 10), a, S.DISPATCHED),
                                  (E.HANG, at(5, 15, 11), a, S.HUNG)])
        CasePause.objects.create(case=cls.c8, kind=PauseKind.HANG, start=at(5, 15, 11))
        # c9: today, A: reported, registered, dispatched and closed on time this morning.
        cls.c9 = cls.case("c9", at(5, 20, 8, 30), unit=a, registered=at(5, 20, 8, 40),
                          dispatched=at(5, 20, 8, 45), deadline=at(5, 20, 12),
                          handled=at(5, 20, 9), closed=at(5, 20, 9, 30), state=S.CLOSED,
                          source=CaseSource.HOTLINE,
                          events=[(E.DISPATCH, at(5, 20, 8, 45), a, S.DISPATCHED),
                                  (E.HANDLE, at(5, 20, 9), a, S.HANDLED),
                                  (E.CLOSE, at(5, 20, 9, 30), None, S.CLOSED)])

    @classmethod
    def case(cls, name, reported, *, unit=None, registered=None, dispatched=None,
             deadline=None, handled=None, closed=None, state, events, type_version=None,
             source=CaseSource.INSPECTOR):
        case = Case.objects.create(
            number=f"2026{name}", type_version=type_version or cls.garbage, source=source,
            state=state, description=name, lon=113.38, lat=34.51, grid=cls.grid,
            reporter=cls.inspector, handling_unit=unit, reported_at=reported,
            registered_at=registered, dispatched_at=dispatched, deadline_at=deadline,
            handled_at=handled, closed_at=closed)
        CaseEvent.objects.create(case=case, kind=EventType.REPORT, to_state=CaseState.REPORTED,
                                 at=reported)
        for kind, moment, event_unit, to_state in events:
            CaseEvent.objects.create(case=case, kind=kind, to_state=to_state, at=moment,
                                     unit=event_unit)
        return case


@time_machine.travel(NOW, tick=False)
class FigureTests(Timeline):
    def unit_figures(self, unit, start=MAY[0], end=MAY[1]):
        return performance.figures(Dimension.UNIT, start, end)[str(unit.pk)]

    def test_each_figure_of_unit_a_in_may(self):
        f = self.unit_figures(self.cast.unit_a)
        # Case figures take the case's unit now: c1 c2 c3 c8 c9 (c4 went to B).
        self.assertEqual((f.reported, f.registered), (5, 5))
        self.assertEqual((f.closed, f.closed_on_time, f.overdue_open, f.due), (3, 2, 1, 4))
        self.assertEqual((f.close_rate, f.on_time_rate), (3 / 4, 2 / 4))
        # Event figures take the event's unit: A was sent c1 c2 c3 c4 c8 c9.
        self.assertEqual((f.dispatched, f.handled, f.reworked, f.extended, f.returned),
                         (6, 4, 1, 1, 1))
        self.assertEqual(f.rework_rate, 1 / 4)
        self.assertEqual((f.extension_rate, f.return_rate), (1 / 6, 1 / 6))
        # c1 60, c2 450, c9 15 working minutes (08:45–09:00).
        self.assertEqual((f.handling_minutes, f.handling_cases), (525, 3))
        self.assertAlmostEqual(f.mean_handling_hours, 525 / 3 / 60)
        self.assertEqual(f.register_rate, 1.0)

    def test_unit_b_counts_the_case_redispatched_to_it_and_the_april_case_closed_late(self):
        f = self.unit_figures(self.cast.unit_b)
        self.assertEqual((f.reported, f.closed, f.closed_on_time, f.due), (2, 2, 1, 2))
        self.assertEqual((f.dispatched, f.returned), (2, 0))  # c4's 改派, c7 (c6 is April)

    def test_a_case_without_unit_and_the_city_totals(self):
        units = performance.figures(Dimension.UNIT, *MAY)
        self.assertEqual(units[""].reported, 1)  # c5, rejected
        sources = performance.figures(Dimension.SOURCE, *MAY)
        self.assertEqual(sources[CaseSource.HOTLINE].reported, 2)
        self.assertEqual(sum(f.reported for f in sources.values()), 8)
        total = performance.Figures()
        for f in units.values():
            total.add(f)
        self.assertEqual((total.reported, total.registered, total.closed, total.due),
                         (8, 7, 5, 6))

    def test_the_period_is_by_each_figures_own_day(self):
        april = performance.figures(Dimension.UNIT, date(2026, 4, 1), date(2026, 4, 30))
        b = april[str(self.cast.unit_b.pk)]
        self.assertEqual((b.reported, b.registered, b.dispatched, b.closed, b.due),
                         (1, 1, 1, 0, 0))
        today = performance.figures(Dimension.UNIT, date(2026, 5, 20), date(2026, 5, 20))
        self.assertEqual(today[str(self.cast.unit_a.pk)].closed, 1)

    def test_a_case_overdue_now_counts_once_its_deadline_passes(self):
        with time_machine.travel(at(5, 21, 11), tick=False):
            f = performance.figures(Dimension.UNIT, *MAY)[str(self.cast.unit_b.pk)]
        self.assertEqual((f.overdue_open, f.due), (1, 3))  # c7 due at 10:00 on the 21st

    def test_score_and_grade(self):
        f = self.unit_figures(self.cast.unit_a)
        weights = performance.weights()
        self.assertEqual(weights[Metric.ON_TIME_RATE], Decimal("50"))
        # 50×50 + 20×75 + 10×75 (返工) + 10×(100−16.67) ×2, over 100.
        expected = (50 * 50 + 20 * 75 + 10 * 75 + 2 * 10 * (100 - 100 / 6)) / 100
        self.assertAlmostEqual(f.score(weights), round(expected, 2))
        self.assertEqual(performance.grade_of(f.score(weights)), "C")
        PerformanceWeight.objects.filter(metric=Metric.ON_TIME_RATE).update(weight=0)
        PerformanceWeight.objects.filter(metric=Metric.CLOSE_RATE).update(weight=100)
        PerformanceWeight.objects.exclude(metric=Metric.CLOSE_RATE).update(weight=0)
        self.assertEqual(f.score(performance.weights()), 75.0)
        self.assertIsNone(performance.Figures().score(performance.weights()))

    def test_grades_at_their_bounds(self):
        cases = [(90, "A"), (89.99, "B"), (75, "B"), (74.9, "C"), (60, "C"), (59.9, "D"),
                 (40, "D"), (39.99, "E"), (0, "E"), (None, "")]
        for score, grade in cases:
            self.assertEqual(performance.grade_of(score), grade, score)

    def test_the_cases_behind_each_figure_are_as_many_as_it_counts(self):
        dims = {Dimension.UNIT: str(self.cast.unit_a.pk), Dimension.TYPE:
                str(self.garbage.case_type_id), Dimension.SOURCE: CaseSource.INSPECTOR,
                Dimension.GRID: str(self.grid.pk)}
        for dimension, key in dims.items():
            f = performance.figures(dimension, *MAY)[key]
            for figure in performance.CASE_FIGURES:
                expected = {"due": f.due, "late": f.late,
                            "handling": f.handling_cases}.get(figure)
                expected = getattr(f, figure) if expected is None else expected
                got = performance.cases_behind(Case.objects.all(), figure, dimension, key,
                                               *MAY).count()
                self.assertEqual(got, expected, (dimension, figure))
            for figure in performance.EVENT_FIGURES:
                rows = performance.cases_behind(Case.objects.all(), figure, dimension, key,
                                                *MAY)
                self.assertEqual(sum(r.times for r in rows), getattr(f, figure),
                                 (dimension, figure))


@time_machine.travel(NOW, tick=False)
class RollupTests(Timeline):
    def assert_same_as_direct(self, start, end):
        for dimension in Dimension:
            want = performance.direct(dimension, start, end)
            got = performance.figures(dimension, start, end)
            self.assertEqual({k: f.counters() for k, f in got.items() if any(f.counters().values())},
                             {k: f.counters() for k, f in want.items() if any(f.counters().values())},
                             dimension)

    def test_rollup_plus_live_equals_direct_in_every_dimension_and_period(self):
        periods = [MAY, (date(2026, 4, 1), date(2026, 4, 30)), (None, None),
                   (date(2026, 5, 12), date(2026, 5, 12)), (date(2026, 5, 20), date(2026, 5, 20))]
        self.assert_same_as_direct(*MAY)
        with time_machine.travel(at(5, 10, 1), tick=False):
            performance.roll_up()  # through the 9th
        self.assertTrue(CaseDayStat.objects.exists())
        for period in periods:
            self.assert_same_as_direct(*period)
        call_command("cases_rollup", stdout=open("/dev/null", "w"))  # through the 19th
        self.assertEqual(performance.watermark(), at(5, 20, 0))
        for period in periods:
            self.assert_same_as_direct(*period)

    def test_a_second_run_adds_nothing_and_rebuild_gives_the_same_rows(self):
        performance.roll_up()
        rows = set(CaseDayStat.objects.values_list("day", "dimension", "key", "closed",
                                                   "dispatched", "handling_minutes"))
        self.assertEqual(performance.roll_up()["rows"], 0)
        performance.roll_up(rebuild=True)
        self.assertEqual(set(CaseDayStat.objects.values_list(
            "day", "dimension", "key", "closed", "dispatched", "handling_minutes")), rows)

    def test_the_rollup_holds_only_finished_cases_and_past_events(self):
        performance.roll_up()
        stored = CaseDayStat.objects.filter(dimension=Dimension.UNIT,
                                            key=str(self.cast.unit_a.pk))
        # c3 and c8 are open: their reports are live, not stored; today's c9 is live too.
        self.assertEqual(sum(stored.values_list("reported", flat=True)), 2)
        self.assertFalse(stored.filter(day=date(2026, 5, 20)).exists())

    def test_a_case_finishing_after_the_rollup_moves_from_live_to_rolled_correctly(self):
        with time_machine.travel(at(5, 13, 1), tick=False):
            performance.roll_up()
        # c3 is closed on the 18th (late), after the roll-up ran.
        Case.objects.filter(pk=self.c3.pk).update(state=CaseState.CLOSED, handled_at=at(5, 18, 9),
                                                  closed_at=at(5, 18, 10))
        CaseEvent.objects.create(case=self.c3, kind=EventType.CLOSE, to_state=CaseState.CLOSED,
                                 at=at(5, 18, 10))
        self.assert_same_as_direct(*MAY)
        performance.roll_up()
        self.assert_same_as_direct(*MAY)
        a = performance.figures(Dimension.UNIT, *MAY)[str(self.cast.unit_a.pk)]
        self.assertEqual((a.closed, a.overdue_open, a.closed_on_time), (4, 0, 2))


class HandlingTimeTests(Timeline):
    def test_pauses_are_not_handling_time(self):
        Case.objects.filter(pk=self.c2.pk)
        CasePause.objects.create(case=self.c2, kind=PauseKind.EXTENSION, start=at(5, 6, 14),
                                 end=at(5, 6, 18))
        with time_machine.travel(NOW, tick=False):
            f = performance.figures(Dimension.UNIT, *MAY)[str(self.cast.unit_a.pk)]
        self.assertEqual(f.handling_minutes, 525 - 240)


PAGE_CASES = {
    # who: (sees the ranking, unit rows they see)
    "office_staff": (200, {"unit_a", "unit_b", ""}),
    "supervision": (200, {"unit_a", "unit_b", ""}),
    "city_leader": (200, {"unit_a", "unit_b", ""}),
    "reporter_a": (200, {"unit_a"}),
    "head_a": (200, {"unit_a"}),
    "reporter_b": (200, {"unit_b"}),
    "citizen": (403, set()),
    "sys_admin": (403, set()),
}


@time_machine.travel(NOW, tick=False)
class PageTests(Timeline):
    def keys(self, names):
        return {str(getattr(self.cast, n).pk) if n else "" for n in names}

    def test_who_sees_which_rows_of_the_ranking(self):
        for who, (status, rows) in PAGE_CASES.items():
            client = self.login(getattr(self.cast, who))
            response = client.get(reverse("cases:performance"), {"period": "2026-05"})
            self.assertEqual(response.status_code, status, who)
            if status == 200:
                got = {r.key for r in response.context["rows"]}
                self.assertEqual(got, self.keys(rows), who)

    def test_the_inspector_does_not_see_the_ranking(self):
        response = self.login(self.inspector).get(reverse("cases:performance"))
        self.assertEqual(response.status_code, 403)

    def test_ranking_orders_units_by_score_with_grades(self):
        response = self.login(self.cast.office_staff).get(
            reverse("cases:performance"), {"period": "2026-05"})
        ranked = [r for r in response.context["rows"] if r.rank]
        self.assertEqual([r.rank for r in ranked], list(range(1, len(ranked) + 1)))
        self.assertTrue(all(r.grade in "ABCDE" for r in ranked))
        self.assertContains(response, "按期结案率")
        self.assertContains(response, "甲局")

    def test_every_dimension_and_period_kind_renders(self):
        client = self.login(self.cast.office_staff)
        for dimension in Dimension.values:
            for period in ("2026-05", "2026-Q2", "2026-H1", "2026", "all"):
                response = client.get(reverse("cases:performance"),
                                      {"dim": dimension, "period": period})
                self.assertEqual(response.status_code, 200, (dimension, period))

    def test_bad_input_is_a_chinese_400(self):
        client = self.login(self.cast.office_staff)
        for params in ({"period": "2026-13"}, {"dim": "nope"}, {"period": "x"}):
            response = client.get(reverse("cases:performance"), params)
            self.assertEqual(response.status_code, 400, params)
            self.assertContains(response, "无效", status_code=400)
        response = client.get(reverse("cases:performance_cases"), {"figure": "nope"})
        self.assertEqual(response.status_code, 400)

    def test_drill_down_lists_the_cases_behind_a_figure_within_scope(self):
        url = reverse("cases:performance_cases")
        params = {"dim": "unit", "key": self.cast.unit_a.pk, "figure": "late",
                  "period": "2026-05"}
        response = self.login(self.cast.office_staff).get(url, params)
        self.assertEqual({c.pk for c in response.context["page_obj"]}, {self.c2.pk, self.c3.pk})
        # A's staff sees its own; B's staff sees none of A's cases, nor A's figures.
        response = self.login(self.cast.reporter_a).get(url, params)
        self.assertEqual({c.pk for c in response.context["page_obj"]}, {self.c2.pk, self.c3.pk})
        response = self.login(self.cast.reporter_b).get(url, params)
        self.assertEqual(response.status_code, 403)
        # B's staff asking for the sources dimension sees only its own cases behind it.
        response = self.login(self.cast.reporter_b).get(url, {
            "dim": "source", "key": "inspector", "figure": "reported", "period": "2026-05"})
        self.assertEqual({c.pk for c in response.context["page_obj"]}, {self.c4.pk, self.c7.pk})

    def test_drill_down_of_an_event_figure_counts_events(self):
        response = self.login(self.cast.office_staff).get(reverse("cases:performance_cases"), {
            "dim": "unit", "key": self.cast.unit_a.pk, "figure": "returned",
            "period": "2026-05"})
        self.assertEqual([c.pk for c in response.context["page_obj"]], [self.c4.pk])

    def test_export_is_an_xlsx_of_the_same_rows(self):
        from io import BytesIO

        from openpyxl import load_workbook

        response = self.login(self.cast.office_staff).get(
            reverse("cases:performance_export"), {"period": "2026-05"})
        self.assertEqual(response.status_code, 200)
        ws = load_workbook(BytesIO(response.content)).active
        names = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
        self.assertIn("甲局", names)
        self.assertIn("乙局", names)
        response = self.login(self.cast.reporter_b).get(
            reverse("cases:performance_export"), {"period": "2026-05"})
        ws = load_workbook(BytesIO(response.content)).active
        names = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
        self.assertNotIn("甲局", names)

    def test_a_unit_name_that_looks_like_a_formula_is_exported_as_text(self):
        from io import BytesIO

        from openpyxl import load_workbook

        from org.models import Unit

        Unit.objects.filter(pk=self.cast.unit_a.pk).update(name="=1+2甲局")
        response = self.login(self.cast.office_staff).get(
            reverse("cases:performance_export"), {"period": "2026-05"})
        ws = load_workbook(BytesIO(response.content)).active
        cell = next(ws.cell(row=r, column=2) for r in range(1, ws.max_row + 1)
                    if ws.cell(row=r, column=2).value == "=1+2甲局")
        self.assertEqual((cell.data_type, cell.quotePrefix), ("s", True))

    def test_heat_map_counts_reports_by_type_and_month(self):
        response = self.login(self.cast.office_staff).get(
            reverse("cases:performance_heatmap"), {"period": "2026"})
        self.assertEqual(response.status_code, 200)
        rows = {r["label"]: r["cells"] for r in response.context["heat"]["rows"]}
        garbage = next(v for k, v in rows.items() if "暴露垃圾" in k)
        self.assertEqual([c["n"] for c in garbage][3:5], [1, 7])  # April, May

    def test_only_the_office_edits_weights(self):
        url = reverse("cases:performance_weights")
        self.assertEqual(self.login(self.cast.supervision).post(url, {}).status_code, 403)
        data = {m: "10" for m in Metric.values}
        data[Metric.ON_TIME_RATE] = "60"
        response = self.login(self.cast.office_admin).post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(PerformanceWeight.objects.get(metric=Metric.ON_TIME_RATE).weight, 60)
        data[Metric.ON_TIME_RATE] = "-1"
        response = self.login(self.cast.office_admin).post(url, data)
        self.assertEqual(response.status_code, 400)



class WorkIndexTests(CastTestCase):
    def test_it_counts_as_workclock_does(self):
        import random

        from cases import workclock

        cal = workclock.default_calendar()
        index = performance.WorkIndex(cal)
        rnd = random.Random(7)
        base = datetime(2025, 12, 20, tzinfo=SHANGHAI)
        from datetime import timedelta

        for _ in range(3000):
            a = base + timedelta(minutes=rnd.randrange(0, 200 * 24 * 60),
                                 seconds=rnd.randrange(60))
            b = a + timedelta(minutes=rnd.randrange(-600, 20 * 24 * 60), seconds=rnd.randrange(60))
            self.assertEqual(index.minutes(a, b), workclock.working_minutes(a, b, cal), (a, b))


@time_machine.travel(NOW, tick=False)
class UnitScopedPageTests(Timeline):
    def test_a_units_heat_map_counts_only_its_own_cases(self):
        response = self.login(self.cast.reporter_b).get(
            reverse("cases:performance_heatmap"), {"period": "2026"})
        cells = {r["label"]: [c["n"] for c in r["cells"]] for r in response.context["heat"]["rows"]}
        garbage = next(v for k, v in cells.items() if "暴露垃圾" in k)
        self.assertEqual(garbage[3:5], [1, 2])  # c6 in April; c4 and c7 in May

    def test_a_unit_sees_its_own_cases_by_type(self):
        response = self.login(self.cast.reporter_b).get(
            reverse("cases:performance"), {"period": "2026-05", "dim": "type"})
        (row,) = response.context["rows"]
        self.assertEqual((row.fig.reported, row.fig.closed, row.fig.dispatched), (2, 2, 2))


MEDIA = __import__("tempfile").mkdtemp(prefix="cases-perf-media-")


def photo():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 80)).save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), "image/jpeg")


class ThroughTheActionsTests(Timeline):
    """A case taken through the real do_* steps is counted as the rows above are."""

    def test_a_case_closed_through_the_actions_counts_on_time(self):
        from django.test import override_settings

        from cases import actions

        desk, unit_staff = self.cast.office_staff, self.cast.reporter_a
        with override_settings(MEDIA_ROOT=MEDIA):
            with time_machine.travel(at(5, 18, 9), tick=False):
                case = actions.do_report_case(
                    acting_user=self.inspector, type_version=self.garbage, description="垃圾",
                    lon=113.38, lat=34.51, grid=self.grid, photos=[photo()])
                actions.do_accept(case, acting_user=desk)
                actions.do_register(case, acting_user=desk)
                actions.do_dispatch(case, acting_user=desk, unit=self.cast.unit_a)
            with time_machine.travel(at(5, 18, 10), tick=False):
                actions.do_start(case, acting_user=unit_staff)
                actions.do_handle(case, acting_user=unit_staff, photos=[photo()])
                actions.do_send_check(case, acting_user=desk, inspector=self.inspector)
                actions.do_check(case, acting_user=self.inspector, passed=True, photos=[photo()])
                actions.do_close(case, acting_user=desk)
        with time_machine.travel(NOW, tick=False):
            day = date(2026, 5, 18)
            f = performance.figures(Dimension.UNIT, day, day)[str(self.cast.unit_a.pk)]
            performance.roll_up()
            g = performance.figures(Dimension.UNIT, day, day)[str(self.cast.unit_a.pk)]
        self.assertEqual((f.reported, f.registered, f.dispatched, f.handled, f.closed,
                          f.closed_on_time, f.due, f.handling_minutes), (1, 1, 1, 1, 1, 1, 1, 60))
        self.assertEqual(g.counters(), f.counters())
