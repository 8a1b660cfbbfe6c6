"""The demo city's city-management cases (issue 10 item 7): grids, roads with road chiefs,
components, the type table, a year of cases whose timelines follow cases.workflow and whose
clocks are the ones the actions compute, and the demo accounts that work them."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase

from cases import gridcodes, workflow
from cases.actions import compute_deadline
from cases.choices import CaseState, EventType, ExtensionStatus, RoadChiefLevel
from cases.matching import segment_for_point
from cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    CaseType,
    Component,
    ExtensionRequest,
    Grid,
    RoadChief,
    RoadSegment,
)
from cases.type_table import TYPE_TABLE
from demo.build import DEMO_PASSWORD
from demo.tests.test_demo_city import run_demo
from org.choices import Role, UnitKind
from org.models import Unit, User

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in June: the year behind it crosses the Spring Festival and National Day.
BUILT = datetime(2026, 6, 16, 10, 30, tzinfo=SHANGHAI)


class DemoCasesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(BUILT, tick=False):
            run_demo("--scale", "small", "--seed", "11")
        cls.events = defaultdict(list)
        for event in CaseEvent.objects.order_by("case", "at", "pk"):
            cls.events[event.case_id].append(event)

    # --- base data ---------------------------------------------------------------------

    def test_grids_cover_the_urban_streets_with_community_codes(self):
        grids = list(Grid.objects.select_related("street_unit", "community_unit"))
        self.assertTrue(20 <= len(grids) <= 100, len(grids))
        streets = {g.street_unit.name for g in grids}
        self.assertEqual(streets, {"城关镇", "东城街道", "西城街道", "南城街道", "北城街道",
                                   "新华街道"})
        by_community = defaultdict(list)
        for grid in grids:
            grid.full_clean()  # the 15-digit code starts with the community's admin code
            self.assertEqual(grid.community_unit.kind, UnitKind.COMMUNITY)
            self.assertEqual(grid.community_unit.parent_id, grid.street_unit_id)
            self.assertEqual(grid.code[:9], grid.street_unit.admin_code[:9])
            by_community[grid.community_unit.admin_code].append(grid)
        for code, members in by_community.items():  # numbered west→east, north→south
            self.assertEqual(gridcodes.number_grids([g.geometry for g in members], code),
                             [g.code for g in members])

    def test_every_segment_has_three_road_chiefs_with_phones(self):
        segments = RoadSegment.objects.all()
        self.assertEqual(segments.count(), 60)  # 六纵六横, each cut at the six roads crossing it
        self.assertEqual(segments.values("road").distinct().count(), 12)
        for segment in segments.prefetch_related("chiefs__person"):
            chiefs = {c.level: c.person for c in segment.chiefs.all()}
            self.assertEqual(set(chiefs), set(RoadChiefLevel.values), segment)
            for person in chiefs.values():
                self.assertRegex(person.phone, r"^1\d{10}$")

    def test_components_and_the_type_table(self):
        self.assertEqual(CaseType.objects.count(), len(TYPE_TABLE))
        for case_type in CaseType.objects.prefetch_related("versions"):
            self.assertEqual([v.number for v in case_type.versions.all()], [1])
        codes = {f"{t.major_code}{t.minor_code}" for t in CaseType.objects.filter(kind="component")}
        components = list(Component.objects.all())
        self.assertGreater(len(components), 100)
        for component in components:
            self.assertRegex(component.code, r"^419901\d{10}$")
            self.assertEqual(component.code[6:10], component.type_code)
            self.assertIn(component.type_code, codes)
        self.assertTrue(any(c.owner_unit_id is None for c in components))  # 权属不明

    # --- the year of cases -----------------------------------------------------------

    def test_counts_mix_and_sources(self):
        cases = list(Case.objects.select_related("type_version__case_type"))
        self.assertTrue(300 <= len(cases) <= 600, len(cases))
        mix = Counter("部件" if c.case_type.kind == "component" else c.case_type.major_name
                      for c in cases)
        share = {k: v / len(cases) for k, v in mix.items()}
        self.assertTrue(0.58 <= share["市容环境"] <= 0.75, share)
        self.assertTrue(0.18 <= share["街面秩序"] <= 0.32, share)
        self.assertTrue(0.03 <= share["部件"] <= 0.12, share)
        sources = Counter(c.source for c in cases)
        self.assertEqual(sources.most_common(1)[0][0], "inspector")
        for source in ("road_chief", "hotline", "citizen", "video"):
            self.assertIn(source, sources)
        first = min(c.reported_at for c in cases)
        self.assertGreater(first, BUILT - timedelta(days=366))
        self.assertLessEqual(max(c.reported_at for c in cases), BUILT)

    def test_every_timeline_follows_the_workflow(self):
        for case in Case.objects.all():
            events = self.events[case.pk]
            self.assertEqual(events[0].kind, EventType.REPORT, case)
            self.assertEqual(events[0].at, case.reported_at)
            state = events[0].to_state
            self.assertEqual(state, workflow.INITIAL_STATE)
            for previous, event in zip(events, events[1:]):
                self.assertEqual(event.from_state, state, (case, event.kind))
                prior = None
                if event.kind == EventType.REFUSE_RETURN:
                    prior = [e for e in events if e.kind == EventType.RETURN
                             and e.at <= event.at][-1].from_state
                self.assertEqual(workflow.allowed(state, event.kind, prior=prior),
                                 event.to_state, (case, event.kind))
                self.assertLessEqual(previous.at, event.at)
                state = event.to_state
            self.assertEqual(state, case.state, case)
            self.assertLessEqual(events[-1].at, BUILT)

    def test_no_closed_case_without_a_passed_check_after_its_last_handling(self):
        closed = Case.objects.filter(state=CaseState.CLOSED)
        self.assertGreater(closed.count(), 200)
        for case in closed:
            kinds = [e.kind for e in self.events[case.pk]]
            last = max(i for i, k in enumerate(kinds) if k == EventType.HANDLE)
            self.assertIn(EventType.CHECK_PASS, kinds[last:], case)
            self.assertEqual(kinds[-1], EventType.CLOSE)

    def test_case_fields_are_those_the_steps_wrote(self):
        for case in Case.objects.all():
            events = self.events[case.pk]

            def last(*kinds, events=events):
                found = [e for e in events if e.kind in kinds]
                return found[-1] if found else None

            register, close = last(EventType.REGISTER), last(EventType.CLOSE)
            dispatch, handle = last(EventType.DISPATCH, EventType.REASSIGN), last(EventType.HANDLE)
            send_check, merge = last(EventType.SEND_CHECK), last(EventType.MERGE)
            self.assertEqual(case.registered_at, register.at if register else None)
            self.assertEqual(case.dispatched_at, dispatch.at if dispatch else None)
            self.assertEqual(case.handling_unit_id, dispatch.unit_id if dispatch else None)
            self.assertEqual(case.handled_at, handle.at if handle else None)
            self.assertEqual(case.closed_at, close.at if close else None)
            self.assertEqual(case.checker_id is not None, send_check is not None)
            self.assertEqual(case.duplicate_of_id is not None, merge is not None)
            self.assertRegex(case.number, r"^\d{8}\d{7}$")

    def test_deadlines_are_the_ones_the_clock_computes(self):
        clocked = Case.objects.exclude(dispatched_at=None).select_related("type_version")
        self.assertGreater(clocked.count(), 300)
        for case in clocked:
            expected = None if case.state == CaseState.HUNG else compute_deadline(case)
            self.assertEqual(case.deadline_at, expected, case)

    def test_grid_and_segment_are_those_a_report_gets(self):
        for case in Case.objects.order_by("pk")[::7]:
            self.assertEqual(case.grid, Grid.objects.containing(case.lon, case.lat), case)
            self.assertEqual(case.segment_id,
                             getattr(segment_for_point(case.lon, case.lat), "pk", None), case)

    def test_the_exception_paths_all_appear(self):
        kinds = Counter(CaseEvent.objects.values_list("kind", flat=True))
        for kind in (EventType.MERGE, EventType.JOIN, EventType.RETURN, EventType.REASSIGN,
                     EventType.EXTENSION_APPROVE, EventType.HANG, EventType.CHECK_FAIL,
                     EventType.SUPERVISE, EventType.REJECT):
            self.assertIn(kind, kinds)
        self.assertTrue(Case.objects.exclude(duplicate_of=None).exists())
        self.assertTrue(Case.objects.filter(state=CaseState.HUNG).exists())
        self.assertTrue(ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED).exists())
        overdue = Case.objects.filter(state__in=workflow.CLOCK_STATES, deadline_at__lt=BUILT)
        self.assertGreater(overdue.count(), 0)
        late = [c for c in Case.objects.exclude(handled_at=None) if c.handled_at > c.deadline_at]
        on_time = Case.objects.exclude(handled_at=None).count() - len(late)
        self.assertTrue(0.03 < len(late) / (len(late) + on_time) < 0.25)

    def test_photos_back_the_handling_and_the_checks(self):
        photos = Counter(CasePhoto.objects.values_list("event__kind", flat=True))
        self.assertEqual(photos[EventType.HANDLE], Counter(
            CaseEvent.objects.values_list("kind", flat=True))[EventType.HANDLE])
        self.assertGreater(photos[EventType.CHECK_PASS], 0)

    # --- the demo accounts ---------------------------------------------------------

    def _joined(self, user, case):
        return any(e.kind == EventType.JOIN and e.actor_id == user.pk for e in self.events[case.pk])

    def _user(self, username):
        user = User.objects.get(username=username, is_active=True)
        self.assertTrue(user.check_password(DEMO_PASSWORD), username)
        return user

    def test_inspector_sees_his_reports_and_checks(self):
        user = self._user("jianduyuan")
        self.assertEqual(user.role, Role.INSPECTOR)
        visible = Case.objects.visible_to(user)
        self.assertGreater(visible.count(), 5)
        for case in visible:  # his reports, his checks, the cases he confirmed (重复上报)
            self.assertTrue(user.pk in (case.reporter_id, case.checker_id)
                            or self._joined(user, case), case)
        self.assertTrue(visible.filter(state=CaseState.CHECKING, checker=user).exists())

    def test_road_chief_is_the_street_chief_of_his_segments(self):
        user = self._user("luzhang")
        segments = RoadChief.objects.filter(person=user.person, level=RoadChiefLevel.DISTRICT)
        self.assertGreater(segments.count(), 0)
        visible = Case.objects.visible_to(user)
        self.assertGreater(visible.count(), 0)
        mine = set(segments.values_list("segment_id", flat=True))
        for case in visible:
            self.assertTrue(case.segment_id in mine or case.reporter_id == user.pk
                            or self._joined(user, case), case)

    def test_handling_unit_sees_only_its_cases(self):
        user = self._user("dongcheng")
        street = Unit.objects.get(name="东城街道")
        self.assertEqual(user.unit, street)
        visible = Case.objects.visible_to(user)
        self.assertGreater(visible.count(), 10)
        self.assertFalse(visible.exclude(handling_unit=street).exists())
        self.assertTrue(ExtensionRequest.objects.filter(
            case__handling_unit=street, status=ExtensionStatus.PENDING).exists())

    def test_the_desk_sees_every_case(self):
        for username in ("bangongshi", "bgs_zhang"):
            user = self._user(username)
            self.assertEqual(Case.objects.visible_to(user).count(), Case.objects.count())
        self.assertTrue(Case.objects.filter(state=CaseState.REPORTED).exists())
        self.assertTrue(Case.objects.filter(state=CaseState.ACCEPTED).exists())

    def test_field_accounts_can_sign_in(self):
        for user in User.objects.filter(role__in=(Role.INSPECTOR, Role.ROAD_CHIEF)):
            self.assertIsNotNone(self._user(user.username))
            self.assertIsNotNone(user.unit_id)
