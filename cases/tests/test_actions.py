"""The do_* actions: the whole path, the idempotent report, the clock's pauses, who may do
what (tried by the wrong people) and whose cases each role sees."""

import io
import tempfile
import threading
import time
from datetime import datetime
from unittest import mock, skipUnless

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import TransactionTestCase, override_settings
from PIL import Image

from cases import actions
from cases.choices import (
    CaseKind,
    CaseState,
    EventType,
    ExtensionStatus,
    LimitUnit,
    RoadChiefLevel,
)
from cases.models import (
    Case,
    CaseEvent,
    CasePause,
    CasePhoto,
    CaseType,
    CaseTypeVersion,
    Component,
    Grid,
    Road,
    RoadChief,
    RoadSegment,
)
from cases.workflow import TransitionError
from notify.models import Notification
from org import actions as org
from org.choices import Role
from tests.base import SHANGHAI, CastTestCase
from tests.cast import PASSWORD, build_cast

# Wednesday 20 May 2026, 10:00 in Beijing: a working day; 4 工作时 from now end at 16:00.
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}
LINE = {"type": "LineString", "coordinates": [[113.37, 34.51], [113.39, 34.51]]}
MEDIA = tempfile.mkdtemp(prefix="cases-media-")


def photo(name="现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 80)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


def local(case_time):
    return case_time.astimezone(SHANGHAI)


class CaseFixtures(CastTestCase):
    """The cast plus a grid, a road segment with its chief, two case types and a component
    (shared by the clock, frozen-row and state-machine tests)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast

        def account(username, role, unit=None, person=None):
            return org.do_create_account(username=username, role=role, password=PASSWORD,
                                         unit=unit, person=person)

        cls.inspector = account("inspector", Role.INSPECTOR, c.community)
        cls.inspector_2 = account("inspector_2", Role.INSPECTOR, c.community)
        cls.chief = account("chief", Role.ROAD_CHIEF, c.town, c.person_town)
        cls.town_staff = account("town_staff", Role.UNIT_REPORTER, c.town)
        cls.grid = Grid.objects.create(code="419901001001001", name="丁社区1号网格",
                                       street_unit=c.town, community_unit=c.community,
                                       geometry=SQUARE)
        road = Road.objects.create(name="人民路")
        cls.segment = RoadSegment.objects.create(road=road, name="人民路一段", start_name="建设路",
                                                 end_name="解放路", order=1, geometry=LINE)
        RoadChief.objects.create(segment=cls.segment, level=RoadChiefLevel.DISTRICT,
                                 person=c.person_town)
        garbage = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                          major_name="市容环境", minor_code="02",
                                          minor_name="暴露垃圾", group="clean")
        cls.garbage = CaseTypeVersion.objects.create(
            case_type=garbage, number=1, register_standard="主次干道有成堆垃圾",
            close_standard="彻底清理", normal_amount=4, normal_unit=LimitUnit.HOUR,
            urgent_amount=2, urgent_unit=LimitUnit.HOUR, owner_first=False,
            default_owner=c.unit_b)
        cover = CaseType.objects.create(kind=CaseKind.COMPONENT, major_code="01",
                                        major_name="公用设施", minor_code="01",
                                        minor_name="上水井盖", group="order")
        cls.cover = CaseTypeVersion.objects.create(
            case_type=cover, number=1, register_standard="井盖缺失、破损",
            close_standard="修复", normal_amount=1, normal_unit=LimitUnit.DAY,
            urgent_amount=4, urgent_unit=LimitUnit.HOUR, owner_first=True)
        cls.component = Component.objects.create(code="4199010101000001", type_code="0101",
                                                 name="上水井盖", owner_unit=c.unit_a,
                                                 lon=113.38, lat=34.51, grid=cls.grid)

    # --- helpers -----------------------------------------------------------------------

    def report(self, user=None, key="", **extra):
        fields = dict(type_version=self.garbage, description="路边成堆垃圾", lon=113.38,
                      lat=34.51, grid=self.grid, segment=self.segment)
        fields.update(extra)
        return actions.do_report_case(acting_user=user or self.inspector, idempotency_key=key,
                                      photos=[photo()], **fields)

    def registered(self, **extra):
        case = self.report(**extra)
        desk = self.cast.office_staff
        actions.do_accept(case, acting_user=desk)
        return actions.do_register(case, acting_user=desk)

    def dispatched(self, unit=None, **extra):
        return actions.do_dispatch(self.registered(**extra), acting_user=self.cast.office_staff,
                                   unit=unit)



@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class CaseActionTests(CaseFixtures):
    # --- the path ----------------------------------------------------------------------

    def test_report_to_close(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        # 事件 先属地: the grid's street
        self.assertEqual(case.handling_unit, self.cast.town)
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))
        actions.do_start(case, acting_user=self.town_staff)
        actions.do_handle(case, acting_user=self.town_staff, photos=[photo("后.jpg")],
                          lon=113.381, lat=34.511)
        actions.do_send_check(case, acting_user=desk)
        self.assertEqual(case.checker, self.inspector)  # the reporter checks by default
        actions.do_check(case, acting_user=self.inspector, passed=True, photos=[photo()])
        case = actions.do_close(case, acting_user=desk)
        self.assertEqual(case.state, CaseState.CLOSED)
        self.assertTrue(case.number.startswith("20260520"))
        kinds = list(case.events.values_list("kind", flat=True))
        self.assertEqual(kinds, [EventType.REPORT, EventType.ACCEPT, EventType.REGISTER,
                                 EventType.DISPATCH, EventType.START, EventType.HANDLE,
                                 EventType.SEND_CHECK, EventType.CHECK_PASS, EventType.CLOSE])
        handle = case.events.get(kind=EventType.HANDLE)
        self.assertEqual((handle.actor, handle.lon), (self.town_staff, 113.381))
        self.assertEqual(handle.photos.get().stage, "after")
        self.assertEqual(CasePhoto.objects.filter(case=case).count(), 3)

    def test_failed_check_is_rework_and_close_needs_a_new_pass(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])
        actions.do_send_check(case, acting_user=desk)
        with self.assertRaises(ValidationError):  # a failed check needs its reason
            actions.do_check(case, acting_user=self.inspector, passed=False, photos=[photo()])
        case = actions.do_check(case, acting_user=self.inspector, passed=False,
                                photos=[photo()], note="仍有垃圾")
        self.assertEqual(case.state, CaseState.REWORK)
        with self.assertRaises(TransitionError):
            actions.do_close(case, acting_user=desk)
        actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])
        with self.assertRaises(TransitionError):
            actions.do_close(case, acting_user=desk)

    def test_handling_needs_an_after_photo(self):
        case = self.dispatched()
        with self.assertRaises(ValidationError):
            actions.do_handle(case, acting_user=self.town_staff, photos=[])
        self.assertEqual(Case.objects.get(pk=case.pk).state, CaseState.DISPATCHED)

    def test_an_inactive_type_is_refused(self):
        self.garbage.case_type.active = False
        self.garbage.case_type.save()
        with self.assertRaises(ValidationError):
            self.report()

    def test_reject_needs_a_reason(self):
        case = self.report()
        with self.assertRaises(ValidationError):
            actions.do_reject(case, acting_user=self.cast.office_staff, reason=" ")
        case = actions.do_reject(case, acting_user=self.cast.office_staff, reason="不属于受理范围")
        self.assertEqual(case.state, CaseState.REJECTED)

    def test_desk_overrides_the_proposal(self):
        case = self.dispatched(unit=self.cast.unit_a)
        self.assertEqual(case.handling_unit, self.cast.unit_a)

    def test_the_grid_follows_the_point(self):
        case = self.report(grid=None)
        self.assertEqual(case.grid, self.grid)
        outside = self.report(grid=None, lon=113.50)
        self.assertIsNone(outside.grid)

    def test_no_dispatch_without_a_unit(self):
        case = self.registered(grid=None, lon=113.50)  # outside every grid: the type owner
        self.cast.unit_b.archive()
        with self.assertRaises(ValidationError):
            actions.do_dispatch(case, acting_user=self.cast.office_staff)
        self.assertEqual(Case.objects.get(pk=case.pk).state, CaseState.REGISTERED)

    def test_dispatch_reads_the_case_and_its_routing_in_one_locked_query(self):
        """_locked loads the type version, grid, component and units with the lock: routing
        and the clock make no query of their own (bench-pages: was lock, re-read and one
        lazy load each, then the unit again by id)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        case = self.registered(type_version=self.cover, component=self.component)
        case = Case.objects.get(pk=case.pk)  # a bare instance, as a page holds it
        from core import workdays

        workdays.is_workday(NOW.date())  # the override table, read once per process anyway
        with CaptureQueriesContext(connection) as queries:
            actions.do_dispatch(case, acting_user=self.cast.office_staff)
        self.assertEqual(case.handling_unit, self.cast.unit_a)
        sql = [q["sql"] for q in queries.captured_queries]
        locks = [q for q in sql if 'FROM "cases_case"' in q and "cases_casetypeversion" in q]
        self.assertEqual(len(locks), 1, sql)
        self.assertFalse([q for q in sql if q.startswith('SELECT') and 'FROM "org_unit"' in q
                          and "cases_case" not in q], sql)
        self.assertFalse([q for q in sql if 'FROM "cases_grid"' in q
                          and "cases_case" not in q], sql)
        # 13 on SQLite: savepoint, the locked read, pauses, the case's save (savepoint,
        # snapshot, update, history, release), the event's (savepoint, insert, history,
        # release), release. Before: a lock, a re-read, then lazy loads of the type version,
        # type, component, its owner, grid, street unit and the proposed unit again.
        self.assertLessEqual(len(sql), 13, "\n".join(sql))

    def test_component_routes_to_its_owner(self):
        case = self.dispatched(type_version=self.cover, component=self.component)
        self.assertEqual(case.handling_unit, self.cast.unit_a)
        self.assertIn("属主", case.events.get(kind=EventType.DISPATCH).note)
        # 1 工作日 = 7.5 working hours (08:30–12:00, 14:00–18:00): 10:00 → 10:00 tomorrow
        self.assertEqual(local(case.deadline_at), datetime(2026, 5, 21, 10, 0, tzinfo=SHANGHAI))

    def test_return_and_reassign(self):
        case = self.dispatched()
        with self.assertRaises(ValidationError):
            actions.do_return_to_desk(case, acting_user=self.town_staff, reason="")
        case = actions.do_return_to_desk(case, acting_user=self.town_staff, reason="非本单位职责")
        self.assertEqual((case.state, case.handling_unit), (CaseState.RETURNED, self.cast.town))
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))  # not wiped
        with self.assertRaises(ValidationError):  # the same unit: that is 不同意回退
            actions.do_reassign(case, acting_user=self.cast.office_staff, unit=self.cast.town)
        case = actions.do_reassign(case, acting_user=self.cast.office_staff,
                                   unit=self.cast.unit_b)
        self.assertEqual((case.state, case.handling_unit), (CaseState.DISPATCHED,
                                                            self.cast.unit_b))
        returned = case.events.get(kind=EventType.RETURN)
        self.assertEqual((returned.unit, returned.note), (self.cast.town, "非本单位职责"))

    def test_void_only_before_close(self):
        case = self.registered()
        case = actions.do_void(case, acting_user=self.cast.office_staff, reason="重复录入")
        self.assertEqual(case.state, CaseState.VOID)
        with self.assertRaises(TransitionError):
            actions.do_void(case, acting_user=self.cast.office_staff, reason="再次作废")

    # --- the clock ---------------------------------------------------------------------

    def test_approved_extension_adds_to_the_limit(self):
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=2,
                                               unit=LimitUnit.HOUR, reason="需调运车辆")
        with self.assertRaises(ValidationError):  # one pending request at a time
            actions.do_request_extension(case, acting_user=self.town_staff, amount=1,
                                         unit=LimitUnit.HOUR, reason="再申请")
        actions.do_decide_extension(request, acting_user=self.cast.office_staff, approve=True)
        self.assertFalse(CasePause.objects.filter(case=case).exists())
        case.refresh_from_db()
        # 4 working hours from 10:00 (16:00) plus the 2 granted: 18:00
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=18))
        request.refresh_from_db()
        self.assertEqual(request.status, ExtensionStatus.APPROVED)
        with self.assertRaises(ValidationError):
            actions.do_decide_extension(request, acting_user=self.cast.office_staff,
                                        approve=True)

    def test_denied_extension_keeps_the_deadline(self):
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=2,
                                               unit=LimitUnit.HOUR, reason="需调运车辆")
        with self.assertRaises(ValidationError):
            actions.do_decide_extension(request, acting_user=self.cast.office_staff,
                                        approve=False)
        actions.do_decide_extension(request, acting_user=self.cast.office_staff, approve=False,
                                    note="可当日完成")
        case.refresh_from_db()
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))
        self.assertFalse(CasePause.objects.filter(case=case).exists())

    def test_hang_stops_the_clock_and_resume_restarts_it(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        case = actions.do_hang(case, acting_user=desk, reason="需纳入年度工程")
        self.assertEqual((case.state, case.deadline_at), (CaseState.HUNG, None))
        with time_machine.travel(datetime(2026, 5, 21, 10, 0, tzinfo=SHANGHAI), tick=False):
            case = actions.do_unhang(case, acting_user=desk)
        self.assertEqual(case.state, CaseState.HANDLING)
        # a whole working day hung: the 4 hours run from 10:00 on the 21st
        self.assertEqual(local(case.deadline_at), datetime(2026, 5, 21, 16, 0, tzinfo=SHANGHAI))

    def test_supervise_tells_the_unit_and_changes_no_state(self):
        case = self.dispatched(unit=self.cast.unit_a)
        with self.assertRaises(ValidationError):
            actions.do_supervise(case, acting_user=self.cast.office_staff, note="")
        actions.do_supervise(case, acting_user=self.cast.office_staff, note="请尽快处置")
        actions.do_supervise(case, acting_user=self.cast.office_staff, note="再次督办")
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.DISPATCHED)
        told = Notification.objects.filter(event="case_supervised")
        self.assertEqual(sorted(told.values_list("user__username", flat=True)),
                         ["head_a", "head_a", "reporter_a", "reporter_a"])

    # --- idempotency ------------------------------------------------------------------

    def test_same_key_returns_the_same_case(self):
        first = self.report(key="phone-1-abc")
        again = self.report(key="phone-1-abc", description="重发的描述")
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(again.description, "路边成堆垃圾")
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(CaseEvent.objects.filter(kind=EventType.REPORT).count(), 1)
        # another reporter's key is his own
        other = self.report(user=self.inspector_2, key="phone-1-abc")
        self.assertNotEqual(other.pk, first.pk)
        # no key: every call is a new case
        self.report()
        self.report()
        self.assertEqual(Case.objects.count(), 4)

    def test_a_retry_racing_the_first_call_gets_its_case(self):
        """The retry's lookup misses (the first call had not committed yet); the unique
        key refuses the insert and the retry answers with the first call's case."""
        first = self.report(key="phone-2")
        with mock.patch("cases.models.CaseQuerySet.first", return_value=None):
            again = self.report(key="phone-2")
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Case.objects.count(), 1)

    # --- who may do what --------------------------------------------------------------

    def test_only_field_roles_and_the_desk_report(self):
        for user in (self.cast.citizen, self.cast.reporter_a, self.cast.city_leader,
                     self.cast.sys_admin):
            with self.assertRaises(PermissionDenied):
                self.report(user=user)
        self.assertEqual(self.report(user=self.chief).source, "road_chief")
        self.assertEqual(self.report(user=self.cast.office_staff).source, "hotline")

    def test_desk_steps_refuse_everyone_else(self):
        case = self.report()
        for user in (self.inspector, self.town_staff, self.cast.supervision, self.chief,
                     self.cast.city_leader):
            with self.assertRaises(PermissionDenied):
                actions.do_accept(case, acting_user=user)
            with self.assertRaises(PermissionDenied):
                actions.do_void(case, acting_user=user, reason="x")
        self.assertEqual(Case.objects.get(pk=case.pk).state, CaseState.REPORTED)

    def test_unit_steps_refuse_other_units_and_the_desk(self):
        case = self.dispatched(unit=self.cast.unit_a)
        for user in (self.cast.reporter_b, self.town_staff, self.cast.office_staff,
                     self.inspector):
            with self.assertRaises(PermissionDenied):
                actions.do_handle(case, acting_user=user, photos=[photo()])
            with self.assertRaises(PermissionDenied):
                actions.do_return_to_desk(case, acting_user=user, reason="x")
            with self.assertRaises(PermissionDenied):
                actions.do_request_extension(case, acting_user=user, amount=1,
                                             unit=LimitUnit.HOUR, reason="x")
        actions.do_handle(case, acting_user=self.cast.head_a, photos=[photo()])

    def test_only_the_assigned_inspector_checks(self):
        case = self.dispatched(unit=self.cast.unit_a)
        actions.do_handle(case, acting_user=self.cast.reporter_a, photos=[photo()])
        with self.assertRaises(ValidationError):  # a checker must be an inspector
            actions.do_send_check(case, acting_user=self.cast.office_staff,
                                  inspector=self.cast.reporter_a)
        actions.do_send_check(case, acting_user=self.cast.office_staff,
                              inspector=self.inspector_2)
        for user in (self.inspector, self.cast.reporter_a, self.cast.office_staff):
            with self.assertRaises(PermissionDenied):
                actions.do_check(case, acting_user=user, passed=True, photos=[photo()])
        actions.do_check(case, acting_user=self.inspector_2, passed=True, photos=[photo()])

    def test_a_disabled_desk_account_is_refused(self):
        case = self.report()
        desk = self.cast.office_staff
        desk.is_active = False
        with self.assertRaises(PermissionDenied):
            actions.do_accept(case, acting_user=desk)

    # --- whose cases each role sees ---------------------------------------------------

    def test_visible_to(self):
        at_a = self.dispatched(unit=self.cast.unit_a)
        at_town = self.dispatched()
        by_chief = self.report(user=self.chief, segment=None)
        elsewhere = self.report(user=self.inspector_2, segment=None, lat=34.505)  # off the road
        actions.do_handle(at_a, acting_user=self.cast.reporter_a, photos=[photo()])
        actions.do_send_check(at_a, acting_user=self.cast.office_staff,
                              inspector=self.inspector_2)

        def seen(user):
            return set(Case.objects.visible_to(user).values_list("pk", flat=True))

        everything = {at_a.pk, at_town.pk, by_chief.pk, elsewhere.pk}
        self.assertEqual(seen(self.cast.office_staff), everything)
        self.assertEqual(seen(self.cast.supervision), everything)
        self.assertEqual(seen(self.cast.city_leader), everything)  # read-only (绩效评价)
        self.assertEqual(seen(self.cast.reporter_a), {at_a.pk})
        self.assertEqual(seen(self.cast.head_a), {at_a.pk})
        self.assertEqual(seen(self.cast.reporter_b), set())
        self.assertEqual(seen(self.town_staff), {at_town.pk})
        self.assertEqual(seen(self.inspector), {at_a.pk, at_town.pk})
        self.assertEqual(seen(self.inspector_2), {elsewhere.pk, at_a.pk})
        # the road chief: his segment's cases and his own report
        self.assertEqual(seen(self.chief), {at_a.pk, at_town.pk, by_chief.pk})
        for user in (self.cast.citizen, self.cast.sys_admin, self.cast.audit_admin):
            self.assertEqual(seen(user), set())
        # the timeline follows its case
        self.assertEqual(set(CaseEvent.objects.visible_to(self.cast.reporter_a)
                             .values_list("case_id", flat=True)), {at_a.pk})

    def test_a_returned_case_leaves_the_unit_once_reassigned(self):
        case = self.dispatched()
        actions.do_return_to_desk(case, acting_user=self.town_staff, reason="非本单位")
        # 回退待审: the unit still sees where its 回退 stands …
        self.assertTrue(Case.objects.visible_to(self.town_staff).exists())
        actions.do_reassign(case, acting_user=self.cast.office_staff, unit=self.cast.unit_a)
        # … until the desk sends it elsewhere.
        self.assertFalse(Case.objects.visible_to(self.town_staff).exists())

    # --- versioned types --------------------------------------------------------------

    def test_new_type_version_leaves_open_cases_their_limits(self):
        case = self.dispatched()
        version = actions.do_new_type_version(self.garbage.case_type,
                                              acting_user=self.cast.office_staff,
                                              normal_amount=8)
        self.assertEqual((version.number, version.normal_amount, version.urgent_amount),
                         (2, 8, 2))
        case.refresh_from_db()
        self.assertEqual(case.type_version, self.garbage)
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))
        with self.assertRaises(PermissionDenied):
            actions.do_new_type_version(self.garbage.case_type, acting_user=self.inspector,
                                        normal_amount=1)

    # --- 重复上报 and 并案 ----------------------------------------------------------------

    def test_join_adds_a_sighting_once_per_key(self):
        case = self.dispatched()
        first = actions.do_join(case, acting_user=self.inspector_2, note="又看到了",
                                photos=[photo()], lon="113.3801", lat="34.5101",
                                idempotency_key="join-1")
        again = actions.do_join(case, acting_user=self.inspector_2, note="重发",
                                idempotency_key="join-1")
        self.assertEqual(first.pk, again.pk)
        self.assertEqual((first.kind, first.from_state, first.to_state, first.lon),
                         (EventType.JOIN, CaseState.DISPATCHED, CaseState.DISPATCHED, 113.3801))
        self.assertEqual(case.events.filter(kind=EventType.JOIN).count(), 1)
        actions.do_join(case, acting_user=self.inspector_2, note="第三次", photos=[photo()],
                        lon=113.38, lat=34.51)  # no key: a new one
        self.assertEqual(case.events.filter(kind=EventType.JOIN).count(), 2)
        # the joiner follows the case he added to
        self.assertIn(case.pk, Case.objects.visible_to(self.inspector_2).values_list("pk",
                                                                                  flat=True))
        with self.assertRaises(PermissionDenied):
            actions.do_join(case, acting_user=self.town_staff, note="x")
        with self.assertRaises(ValidationError):
            actions.do_join(case, acting_user=self.inspector_2, idempotency_key="k" * 65)
        with self.assertRaises(ValidationError):
            actions.do_join(case, acting_user=self.inspector_2, lon="东经", lat="34.5")

    def test_join_needs_a_photo_taken_near_the_case(self):
        """A join makes the joiner follow the case: without a photo, without a position or
        from farther than the type's duplicate radius (50 m here) it is refused, and the
        case stays out of his scope."""
        case = self.dispatched()
        seen = Case.objects.visible_to(self.inspector_2)
        self.assertFalse(seen.filter(pk=case.pk).exists())
        refused = (
            dict(note="x"),  # the empty join the review found
            dict(note="x", lon=113.38, lat=34.51),  # no photo
            dict(note="x", photos=[photo()]),  # no position
            dict(note="x", photos=[photo()], lon=113.3808, lat=34.51),  # about 73 m away
            dict(note="x", photos=[photo()], lon=114.0, lat=35.0),  # across the province
        )
        for fields in refused:
            with self.assertRaises(ValidationError, msg=fields):
                actions.do_join(case, acting_user=self.inspector_2, **fields)
        self.assertFalse(case.events.filter(kind=EventType.JOIN).exists())
        self.assertFalse(seen.filter(pk=case.pk).exists())
        # within 50 m, with a photo: a genuine sighting, and he follows the case
        actions.do_join(case, acting_user=self.inspector_2, photos=[photo()],
                        lon=113.3804, lat=34.5102)
        self.assertTrue(seen.filter(pk=case.pk).exists())

    def test_join_radius_is_the_types_and_at_most_200_m(self):
        case = self.dispatched()
        self.assertEqual(actions.join_radius_m(case), 50)
        actions.do_new_type_version(self.garbage.case_type, acting_user=self.cast.office_staff,
                                    duplicate_radius_m=1000)
        self.assertEqual(actions.join_radius_m(case), 200)
        with self.assertRaises(ValidationError):  # about 330 m
            actions.do_join(case, acting_user=self.inspector_2, photos=[photo()],
                            lon=113.38, lat=34.513)
        actions.do_join(case, acting_user=self.inspector_2, photos=[photo()],
                        lon=113.38, lat=34.5115)  # about 170 m

    def test_join_refused_on_a_finished_case(self):
        case = self.report()
        actions.do_reject(case, acting_user=self.cast.office_staff, reason="不属于受理范围")
        with self.assertRaises(TransitionError):
            actions.do_join(case, acting_user=self.inspector_2, note="x")

    def test_mark_duplicate_voids_the_report_and_points_at_the_case(self):
        desk = self.cast.office_staff
        original = self.dispatched()
        copy = self.report(user=self.inspector_2)
        with self.assertRaises(ValidationError):
            actions.do_mark_duplicate(copy, acting_user=desk, of=copy)
        with self.assertRaises(PermissionDenied):
            actions.do_mark_duplicate(copy, acting_user=self.inspector, of=original)
        copy = actions.do_mark_duplicate(copy, acting_user=desk, of=original)
        self.assertEqual((copy.state, copy.duplicate_of), (CaseState.VOID, original))
        merge = copy.events.get(kind=EventType.MERGE)
        self.assertIn(original.number, merge.note)
        # a registered case is not merged (it is 作废 or handled), nor into a finished one
        registered = self.registered()
        with self.assertRaises(TransitionError):
            actions.do_mark_duplicate(registered, acting_user=desk, of=original)
        another = self.report()
        with self.assertRaises(ValidationError):
            actions.do_mark_duplicate(another, acting_user=desk, of=copy)

    # --- 回退 ---------------------------------------------------------------------------

    def test_refused_return_goes_back_with_the_same_deadline(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        actions.do_start(case, acting_user=self.town_staff)
        with time_machine.travel(datetime(2026, 5, 20, 11, 0, tzinfo=SHANGHAI), tick=False):
            case = actions.do_return_to_desk(case, acting_user=self.town_staff, reason="非本单位")
        self.assertEqual(case.state, CaseState.RETURNED)
        with self.assertRaises(ValidationError):
            actions.do_refuse_return(case, acting_user=desk, reason="")
        with self.assertRaises(PermissionDenied):
            actions.do_refuse_return(case, acting_user=self.town_staff, reason="x")
        with time_machine.travel(datetime(2026, 5, 20, 15, 0, tzinfo=SHANGHAI), tick=False):
            case = actions.do_refuse_return(case, acting_user=desk, reason="属地管理，请处置")
        self.assertEqual((case.state, case.handling_unit), (CaseState.HANDLING, self.cast.town))
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))  # the time went on
        kinds = list(case.events.values_list("kind", flat=True))
        self.assertIn(EventType.RETURN, kinds)  # the 回退 still counts
        self.assertEqual(kinds[-1], EventType.REFUSE_RETURN)

    def test_refused_return_from_rework_is_rework_again(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])
        actions.do_send_check(case, acting_user=desk)
        actions.do_check(case, acting_user=self.inspector, passed=False, photos=[photo()],
                         note="仍有垃圾")
        actions.do_return_to_desk(case, acting_user=self.town_staff, reason="非本单位")
        case = actions.do_refuse_return(case, acting_user=desk, reason="请继续处置")
        self.assertEqual(case.state, CaseState.REWORK)
        with self.assertRaises(TransitionError):
            actions.do_close(case, acting_user=desk)

    def test_reassign_from_rework_and_the_rework_keeps_the_clock(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])
        actions.do_send_check(case, acting_user=desk)
        with time_machine.travel(datetime(2026, 5, 21, 9, 0, tzinfo=SHANGHAI), tick=False):
            case = actions.do_check(case, acting_user=self.inspector, passed=False,
                                    photos=[photo()], note="仍有垃圾")
        # 返工 does not restart the clock: still due at 16:00 on the day of the dispatch
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))
        with time_machine.travel(datetime(2026, 5, 21, 9, 0, tzinfo=SHANGHAI), tick=False):
            case = actions.do_reassign(case, acting_user=desk, unit=self.cast.unit_a)
        self.assertEqual((case.state, case.handling_unit), (CaseState.DISPATCHED,
                                                            self.cast.unit_a))
        # the new unit's own 4 hours: 09:00–12:00, then 14:00–15:00
        self.assertEqual(local(case.deadline_at), datetime(2026, 5, 21, 15, 0, tzinfo=SHANGHAI))

    def test_send_check_to_another_inspector_while_checking(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])
        actions.do_send_check(case, acting_user=desk)
        self.inspector.is_active = False
        self.inspector.save()
        case = actions.do_send_check(case, acting_user=desk, inspector=self.inspector_2)
        self.assertEqual((case.state, case.checker), (CaseState.CHECKING, self.inspector_2))
        with self.assertRaises(PermissionDenied):
            actions.do_check(case, acting_user=self.inspector, passed=True, photos=[photo()])
        actions.do_check(case, acting_user=self.inspector_2, passed=True, photos=[photo()])

    # --- 延期 ---------------------------------------------------------------------------

    def test_pending_extension_is_withdrawn_on_return_and_reassign(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=2,
                                               unit=LimitUnit.HOUR, reason="需调运车辆")
        actions.do_return_to_desk(case, acting_user=self.town_staff, reason="非本单位")
        request.refresh_from_db()
        self.assertEqual(request.status, ExtensionStatus.CANCELLED)
        with self.assertRaises(ValidationError):
            actions.do_decide_extension(request, acting_user=desk, approve=True)
        case = actions.do_reassign(case, acting_user=desk, unit=self.cast.unit_a)
        second = actions.do_request_extension(case, acting_user=self.cast.reporter_a, amount=1,
                                              unit=LimitUnit.HOUR, reason="需调运车辆")
        actions.do_reassign(case, acting_user=desk, unit=self.cast.unit_b)
        second.refresh_from_db()
        self.assertEqual(second.status, ExtensionStatus.CANCELLED)

    def test_an_archived_photo_is_out_of_every_scope(self):
        case = self.report()
        stored = CasePhoto.objects.get(case=case)
        for user in (self.inspector, self.cast.office_staff):
            self.assertTrue(CasePhoto.objects.visible_to(user).filter(pk=stored.pk).exists())
        stored.archive()
        for user in (self.inspector, self.cast.office_staff):
            self.assertFalse(CasePhoto.objects.visible_to(user).filter(pk=stored.pk).exists())

    def test_pending_extension_is_withdrawn_on_hang(self):
        """挂账 stops the clock: a pending 延期 is withdrawn (as on 回退/改派), so the desk is
        never offered a decision the step would refuse."""
        desk = self.cast.office_staff
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=2,
                                               unit=LimitUnit.HOUR, reason="需调运车辆")
        actions.do_hang(case, acting_user=desk, reason="需协调")
        request.refresh_from_db()
        self.assertEqual(request.status, ExtensionStatus.CANCELLED)
        self.assertEqual(request.decided_by, desk)
        self.assertIn("挂账", request.decision_note)
        self.assertFalse(case.extension_requests.filter(status=ExtensionStatus.PENDING).exists())
        with self.assertRaises(ValidationError):
            actions.do_decide_extension(request, acting_user=desk, approve=True)

    def test_extensions_of_an_earlier_dispatch_do_not_carry(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=1,
                                               unit=LimitUnit.DAY, reason="需调运车辆")
        actions.do_decide_extension(request, acting_user=desk, approve=True)
        case.refresh_from_db()
        self.assertEqual(local(case.deadline_at), datetime(2026, 5, 21, 16, 0, tzinfo=SHANGHAI))
        # 改派 at the very same instant (frozen time): the new unit gets the bare 4 hours
        case = actions.do_reassign(case, acting_user=desk, unit=self.cast.unit_a)
        self.assertEqual(local(case.deadline_at), NOW.replace(hour=16))

    def test_two_approved_extensions_add_up_and_hang_still_pauses(self):
        desk = self.cast.office_staff
        case = self.dispatched()
        for amount in (1, 2):
            request = actions.do_request_extension(case, acting_user=self.town_staff,
                                                   amount=str(amount), unit=LimitUnit.HOUR,
                                                   reason="需调运车辆")
            actions.do_decide_extension(request, acting_user=desk, approve=True)
        case.refresh_from_db()
        # 10:00 + 4h + 3h = 10:00–12:00, 14:00–18:00, then 1h on the 21st: 09:30
        self.assertEqual(local(case.deadline_at), datetime(2026, 5, 21, 9, 30, tzinfo=SHANGHAI))
        actions.do_hang(case, acting_user=desk, reason="需协调")
        with time_machine.travel(datetime(2026, 5, 22, 10, 0, tzinfo=SHANGHAI), tick=False):
            case = actions.do_unhang(case, acting_user=desk)
        # hung from 10:00 on the 20th to 10:00 on the 22nd: the whole 7 hours from then on
        self.assertEqual(local(case.deadline_at), datetime(2026, 5, 25, 9, 30, tzinfo=SHANGHAI))

    def test_extension_amounts_are_capped_and_checked(self):
        case = self.dispatched()
        for amount, unit in ((31, LimitUnit.DAY), (241, LimitUnit.HOUR), (10**9, LimitUnit.DAY),
                             ("三天", LimitUnit.DAY), (0, LimitUnit.HOUR), (1.5, LimitUnit.HOUR),
                             (True, LimitUnit.HOUR), (1, "week")):
            with self.subTest(amount=amount, unit=unit), self.assertRaises(ValidationError):
                actions.do_request_extension(case, acting_user=self.town_staff, amount=amount,
                                             unit=unit, reason="x")
        actions.do_request_extension(case, acting_user=self.town_staff, amount=30,
                                     unit=LimitUnit.DAY, reason="需立项")

    def test_type_limits_are_capped(self):
        with self.assertRaises(ValidationError):
            actions.do_new_type_version(self.garbage.case_type,
                                        acting_user=self.cast.office_staff, normal_amount=241)
        with self.assertRaises(ValidationError):  # an unknown field is a message, not a 500
            actions.do_new_type_version(self.garbage.case_type,
                                        acting_user=self.cast.office_staff, colour="red")

    # --- a hardened report -------------------------------------------------------------

    def test_report_validates_every_field_first(self):
        case = self.report(lon="113.38", lat=" 34.51 ")
        self.assertEqual((case.lon, case.lat), (113.38, 34.51))
        bad = [dict(lon="东经113"), dict(lat=None), dict(lon=float("nan")), dict(lon=[1]),
               dict(lat=91), dict(lon=True), dict(address="路" * 201), dict(source="rumour"),
               dict(urgency="very"), dict(description=""), dict(description=None),
               dict(key="k" * 65)]
        for extra in bad:
            with self.subTest(extra=extra), self.assertRaises(ValidationError):
                self.report(**extra)
        self.assertEqual(Case.objects.count(), 1)
        self.report(key="k" * 64)  # exactly 64 is fine

    def test_report_on_an_old_version_is_refused(self):
        actions.do_new_type_version(self.garbage.case_type, acting_user=self.cast.office_staff,
                                    normal_amount=8)
        with self.assertRaisesMessage(ValidationError, "案件类型已更新，请重新选择"):
            self.report()

    def test_report_finds_its_road_segment(self):
        case = self.report(segment=None)
        self.assertEqual(case.segment, self.segment)
        far = self.report(segment=None, lat=34.505)
        self.assertIsNone(far.segment)

    def test_routing_skips_an_archived_unit(self):
        # 部件: the owner is archived → the locality (the grid's street) instead
        self.cast.unit_a.archive()
        case = self.dispatched(type_version=self.cover, component=self.component)
        self.assertEqual(case.handling_unit, self.cast.town)
        # 事件: the street is archived → the type's owner
        self.cast.town.archive()
        case = self.dispatched()
        self.assertEqual(case.handling_unit, self.cast.unit_b)

    def test_new_type_versions_number_on(self):
        desk = self.cast.office_staff
        v2 = actions.do_new_type_version(self.garbage.case_type, acting_user=desk, normal_amount=5)
        v3 = actions.do_new_type_version(self.garbage.case_type, acting_user=desk, normal_amount=6)
        self.assertEqual((v2.number, v3.number), (2, 3))


@skipUnless(connection.vendor == "postgresql", "row locks between two connections (PostgreSQL)")
@override_settings(MEDIA_ROOT=MEDIA)
class RaceTests(TransactionTestCase):
    """Two desks at once, each in its own thread with its own database connection."""

    def setUp(self):
        self.cast = build_cast()
        case_type = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                            major_name="市容环境", minor_code="02",
                                            minor_name="暴露垃圾", group="clean")
        self.version = CaseTypeVersion.objects.create(
            case_type=case_type, number=1, register_standard="成堆垃圾", close_standard="清理",
            normal_amount=4, normal_unit=LimitUnit.HOUR, urgent_amount=2,
            urgent_unit=LimitUnit.HOUR, owner_first=False)
        self.inspector = org.do_create_account(username="inspector", role=Role.INSPECTOR,
                                               password=PASSWORD, unit=self.cast.community)

    def both(self, work, slow_target, slow_name):
        """Run work(desk) for two desks at once; `slow_name` on `slow_target` sleeps a moment
        so the first step holds its lock while the second arrives."""
        barrier, results = threading.Barrier(2), {}
        original = getattr(slow_target, slow_name)

        def slow(*args, **kwargs):
            time.sleep(0.2)
            return original(*args, **kwargs)

        def run(desk):
            try:
                barrier.wait()
                results[desk.username] = work(desk)
            except Exception as exc:  # noqa: BLE001 - the loser's error is the result
                results[desk.username] = exc
            finally:
                connections.close_all()  # this thread's own connection

        with mock.patch.object(slow_target, slow_name, slow):
            threads = [threading.Thread(target=run, args=(desk,))
                       for desk in (self.cast.office_staff, self.cast.office_admin)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        return list(results.values())

    def test_two_desks_dispatching_one_case_make_one_dispatch(self):
        desk = self.cast.office_staff
        case = actions.do_report_case(acting_user=self.inspector, type_version=self.version,
                                      description="路边成堆垃圾", lon=113.38, lat=34.51)
        actions.do_accept(case, acting_user=desk)
        actions.do_register(case, acting_user=desk)

        def dispatch(user):
            copy = Case.objects.get(pk=case.pk)  # each desk's own page load
            return actions.do_dispatch(copy, acting_user=user, unit=self.cast.unit_a)

        results = self.both(dispatch, actions, "compute_deadline")
        self.assertEqual(sorted(type(r).__name__ for r in results), ["Case", "TransitionError"])
        self.assertEqual(CaseEvent.objects.filter(case=case, kind=EventType.DISPATCH).count(), 1)
        self.assertEqual(Case.objects.get(pk=case.pk).state, CaseState.DISPATCHED)

    def test_two_offices_adding_a_version_get_two_numbers(self):
        def new_version(user):
            return actions.do_new_type_version(self.version.case_type, acting_user=user,
                                               normal_amount=6)

        results = self.both(new_version, CaseTypeVersion, "full_clean")
        self.assertTrue(all(isinstance(r, CaseTypeVersion) for r in results), results)
        self.assertEqual(sorted(r.number for r in results), [2, 3])
