"""The demo city: deterministic, attributed to its command, with the speech's structure."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from shapely.geometry import shape

from core.choices import ChangeSource
from core.models import ObjectChange
from demo.build import DEMO_ACCOUNTS
from org.choices import Role, UnitKind
from org.models import Person, Unit, User
from plans.models import Category, CoreDistrict, Plan, Task


def run_demo(*args):
    out = io.StringIO()
    call_command("demo_city", *args, stdout=out)
    return out.getvalue()


class DemoCityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo("--scale", "small", "--seed", "11")

    def test_it_has_the_speech_structure(self):
        plan = Plan.objects.get(short_name="三年行动计划")
        self.assertEqual(list(Category.objects.filter(plan=plan).values_list("name", flat=True)),
                         ["城市核心板块", "重大基础设施", "公共服务和生态绿化"])
        self.assertEqual(Task.objects.filter(plan=plan).count(), 5)
        self.assertEqual(Task.objects.filter(plan__short_name="城乡结合部综合改造").count(), 7)
        self.assertEqual(CoreDistrict.objects.count(), 11)

    def test_core_districts_are_1_to_3_km2_and_do_not_overlap(self):
        districts = list(CoreDistrict.objects.all())
        shapes = [shape(d.boundary) for d in districts]
        for d in districts:
            self.assertGreaterEqual(d.area_km2, 1)
            self.assertLessEqual(d.area_km2, 3)
        for i, a in enumerate(shapes):
            for b in shapes[i + 1:]:
                self.assertFalse(a.intersects(b))

    def test_one_account_per_role(self):
        roles = set(User.objects.values_list("role", flat=True))
        self.assertEqual(roles, set(Role.values))
        # The cases part adds the field force (监督员, 路长, unit 填报员) beside the named accounts.
        names = {account[0] if isinstance(account, (tuple, list)) else account
                 for account in DEMO_ACCOUNTS}
        self.assertLessEqual(names, set(User.objects.values_list("username", flat=True)))

    def test_changes_are_attributed_to_the_command(self):
        change = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Unit)).first()
        self.assertEqual(change.source, ChangeSource.IMPORT)
        self.assertIn("demo_city", change.actor)

    def test_second_run_changes_nothing(self):
        before = ObjectChange.objects.count()
        self.assertIn("已有数据", run_demo("--scale", "small", "--seed", "11"))
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_towns_have_12_digit_codes(self):
        for unit in Unit.objects.filter(kind=UnitKind.TOWN):
            self.assertRegex(unit.admin_code, r"^\d{12}$")


class _Rollback(Exception):
    pass


def build_and_snapshot(seed: int):
    """Build a small city inside a transaction that is then rolled back."""
    snap = None
    try:
        with transaction.atomic():
            run_demo("--scale", "small", "--seed", str(seed))
            snap = (
                list(Person.objects.order_by("name", "phone").values_list("name", "phone",
                                                                         "unit__name")),
                list(CoreDistrict.objects.order_by("name").values_list("name", "area_km2",
                                                                       "min_lon", "min_lat")),
            )
            raise _Rollback
    except _Rollback:
        return snap


class DeterminismTests(TestCase):
    def test_same_seed_same_city_other_seed_other_city(self):
        first = build_and_snapshot(5)
        self.assertEqual(first, build_and_snapshot(5))
        self.assertNotEqual(first, build_and_snapshot(6))


SHANGHAI = ZoneInfo("Asia/Shanghai")


class CityScaleLedgerTests(TestCase):
    """The city-scale demo shows every colour and every kind of reason, and its figures hang
    together, on the day it is built. Subclasses build it on other days of the year."""

    # The calendar edges below test the ledger; the cases part is built here, on New Year's
    # Eve and in demo/tests/test_demo_cases.py (it adds about 30 s to a city build).
    demo_args: tuple = ()

    @classmethod
    def setUpTestData(cls):
        run_demo("--scale", "city", "--seed", "2024", *cls.demo_args)

    def test_every_colour_and_reason_appears(self):
        from projects.choices import Colour
        from projects.models import ProgressReport, Project, ProjectStatus

        self.assertEqual(Project.objects.count(), 200)
        colours = set(ProjectStatus.objects.values_list("overall", flat=True))
        self.assertEqual(colours, set(Colour.values))
        reasons = [r for s in ProjectStatus.objects.all() for r in s.all_reasons()]
        for fragment in ("已超期", "尚未完成", "落后序时进度", "未按时报送", "已连续", "手续「",
                         "项目停工", "观察期", "谋划阶段", "项目已"):
            self.assertTrue(any(fragment in r for r in reasons), fragment)
        self.assertTrue(ProgressReport.objects.filter(is_late=True).exists())
        self.assertTrue(ProgressReport.objects.filter(status="missing").exists())
        categories = set(Project.objects.values_list("category__name", flat=True))
        self.assertEqual(len(categories), 3)
        self.assertEqual(Project.objects.values("task").distinct().count(), 5)
        self.assertEqual(Project.objects.exclude(core_district=None)
                         .values("core_district").distinct().count(), 11)

    def test_the_plan_runs_from_last_year_to_next(self):
        year = timezone.localdate().year
        plan = Plan.objects.get(short_name="三年行动计划")
        self.assertEqual((plan.start_year, plan.end_year), (year - 1, year + 1))
        self.assertIn(f"（{year - 1}—{year + 1}年）", plan.name)

    def test_year_plans_lie_inside_the_project_period_and_add_up(self):
        from projects.models import Project, ProjectYearPlan

        totals = {}
        for yp in ProjectYearPlan.objects.select_related("project"):
            project = yp.project
            self.assertLessEqual(project.start_date.year, yp.year, project.name)
            self.assertLessEqual(yp.year, project.finish_date.year, project.name)
            schedule = yp.schedule()
            self.assertEqual(schedule[-1], yp.planned_investment)
            self.assertEqual(schedule, sorted(schedule))
            totals[project.pk] = totals.get(project.pk, 0) + yp.planned_investment
        for project in Project.objects.filter(pk__in=totals):
            self.assertLessEqual(totals[project.pk], project.total_investment)

    def test_reports_hang_together(self):
        from django.db.models import Max, Sum

        from projects.choices import Stage
        from projects.models import ProgressReport, Project, ProjectYearPlan

        filed = ProgressReport.objects.filter(status__in=("submitted", "accepted"))
        early = filed.filter(project__stage__in=(Stage.PRELIMINARY, Stage.PLANNING))
        self.assertTrue(early.exists())
        self.assertFalse(early.filter(investment_period__gt=0).exists())
        self.assertFalse(early.filter(progress_percent__gt=0).exists())
        self.assertFalse(early.exclude(progress_text__startswith="前期工作").exists())
        self.assertFalse(filed.filter(progress_percent__gt=100).exists())
        # What a year's reports add up to is what the year reports as its cumulative, and
        # no year is above its plan; all years together never pass the total.
        per_year = {}
        for row in (filed.values("project", "period_start__year")
                    .annotate(s=Sum("investment_period"), m=Max("investment_year_cumulative"))):
            per_year[(row["project"], row["period_start__year"])] = row
        plans = {(yp.project_id, yp.year): yp.planned_investment
                 for yp in ProjectYearPlan.objects.all()}
        totals = dict(Project.objects.values_list("pk", "total_investment"))
        by_project = {}
        for (pid, year), row in per_year.items():
            self.assertLessEqual(row["m"], plans.get((pid, year), 0), (pid, year))
            by_project[pid] = by_project.get(pid, 0) + row["m"]
        for pid, invested in by_project.items():
            self.assertLessEqual(invested, totals[pid])


@time_machine.travel(datetime(2031, 1, 2, 9, 30, tzinfo=SHANGHAI), tick=False)
class CityOnTheSecondOfJanuaryTests(CityScaleLedgerTests):
    """A Thursday: last year's final figures are still the ones on the table."""

    demo_args = ("--without-cases",)


@time_machine.travel(datetime(2029, 1, 21, 23, 50, tzinfo=SHANGHAI), tick=False)
class CityInLateJanuaryTests(CityScaleLedgerTests):
    """A Sunday night, when an evenly spread year plan has barely begun."""

    demo_args = ("--without-cases",)


@time_machine.travel(datetime(2028, 2, 29, 8, 0, tzinfo=SHANGHAI), tick=False)
class CityOnLeapDayTests(CityScaleLedgerTests):
    """Around 春节 in a leap year."""

    demo_args = ("--without-cases",)


@time_machine.travel(datetime(2027, 7, 1, 0, 5, tzinfo=SHANGHAI), tick=False)
class CityAtMidYearTests(CityScaleLedgerTests):
    """Five minutes into the second half (00:05 in Beijing is still June 30 in UTC)."""

    demo_args = ("--without-cases",)


@time_machine.travel(datetime(2026, 12, 31, 22, 0, tzinfo=SHANGHAI), tick=False)
class CityOnNewYearsEveTests(CityScaleLedgerTests):
    """The last evening of a year."""
