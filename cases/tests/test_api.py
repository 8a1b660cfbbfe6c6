"""/api/cases/: reading (filters, clock, timeline, base data) and every action endpoint, each
taken once as it should be and once refused; bad input is a 4xx with a reason, never a 500."""

import io
import tempfile
from datetime import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import actions
from cases.choices import CaseKind, CaseState, EventType, LimitUnit, RoadChiefLevel
from cases.models import (
    Case,
    CaseType,
    CaseTypeVersion,
    Component,
    Grid,
    Road,
    RoadChief,
    RoadSegment,
)
from org import actions as org
from org.choices import Role
from tests.base import SHANGHAI, CastTestCase
from tests.cast import PASSWORD

# Wednesday 20 May 2026, 10:00 in Beijing: a working day.
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}
FAR_SQUARE = {"type": "Polygon", "coordinates": [[[113.47, 34.60], [113.49, 34.60],
                                                  [113.49, 34.62], [113.47, 34.62],
                                                  [113.47, 34.60]]]}
LINE = {"type": "LineString", "coordinates": [[113.37, 34.51], [113.39, 34.51]]}
FAR_LINE = {"type": "LineString", "coordinates": [[113.47, 34.61], [113.49, 34.61]]}
MEDIA = tempfile.mkdtemp(prefix="cases-api-media-")
CASES = "/api/cases/cases/"


def photo(name="现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 80)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


def build_world(cls):
    """Field accounts, two grids and segments (near and far), two types and a component,
    on top of the cast (tests/cast.py). Sets attributes on `cls`."""
    c = cls.cast

    def account(username, role, unit=None, person=None):
        return org.do_create_account(username=username, role=role, password=PASSWORD,
                                     unit=unit, person=person)

    cls.inspector = account("inspector", Role.INSPECTOR, c.community)
    cls.inspector_2 = account("inspector_2", Role.INSPECTOR, c.community)
    cls.chief = account("chief", Role.ROAD_CHIEF, c.town, c.person_town)
    cls.town_staff = account("town_staff", Role.UNIT_REPORTER, c.town)
    cls.desk = c.office_staff
    cls.grid = Grid.objects.create(code="419901001001001", name="丁社区1号网格",
                                   street_unit=c.town, community_unit=c.community,
                                   geometry=SQUARE)
    cls.far_grid = Grid.objects.create(code="419901001001002", name="丁社区2号网格",
                                       street_unit=c.town, community_unit=c.community,
                                       geometry=FAR_SQUARE)
    road = Road.objects.create(name="人民路")
    cls.segment = RoadSegment.objects.create(road=road, name="人民路一段", start_name="建设路",
                                             end_name="解放路", order=1, geometry=LINE)
    cls.far_segment = RoadSegment.objects.create(road=road, name="人民路二段",
                                                 start_name="解放路", end_name="黄河路",
                                                 order=2, geometry=FAR_LINE)
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


class WorldMixin:
    """Helpers over build_world's data: file, register and dispatch cases with the actions."""

    def api(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    def report(self, user=None, key="", version=None, **extra):
        fields = dict(description="路边成堆垃圾", lon=113.38, lat=34.51, grid=self.grid,
                      segment=self.segment)
        fields.update(extra)
        return actions.do_report_case(acting_user=user or self.inspector, idempotency_key=key,
                                      type_version=version or self.garbage, **fields)

    def registered(self, **extra):
        case = self.report(**extra)
        actions.do_accept(case, acting_user=self.desk)
        return actions.do_register(case, acting_user=self.desk)

    def dispatched(self, unit=None, **extra):
        return actions.do_dispatch(self.registered(**extra), acting_user=self.desk,
                                   unit=unit or self.cast.town)

    def handled(self, **extra):
        case = self.dispatched(**extra)
        actions.do_start(case, acting_user=self.town_staff)
        return actions.do_handle(case, acting_user=self.town_staff, photos=[photo()])

    def checking(self, **extra):
        return actions.do_send_check(self.handled(**extra), acting_user=self.desk)

    def checked(self, **extra):
        case = self.checking(**extra)
        return actions.do_check(case, acting_user=self.inspector, passed=True, photos=[photo()])

    def post(self, user, case, step, data=None, multipart=False):
        url = f"{CASES}{case.pk}/{step}/"
        if multipart:
            return self.api(user).post(url, data or {}, format="multipart")
        return self.api(user).post(url, data or {}, format="json")

    def ids(self, response):
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(row["id"] for row in response.json()["results"])


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class ReadTests(WorldMixin, CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)

    def test_list_shows_type_state_and_clock_and_retrieve_the_timeline(self):
        case = self.dispatched()
        rows = self.api(self.desk).get(CASES).json()["results"]
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual((row["id"], row["state"], row["kind"], row["group"]),
                         (case.pk, CaseState.DISPATCHED, CaseKind.EVENT, "clean"))
        self.assertEqual(row["type_name"], "暴露垃圾")
        self.assertEqual(row["handling_unit"], self.cast.town.pk)
        self.assertEqual(set(row["clock"]), {"deadline_at", "remaining_minutes", "status",
                                             "label"})
        self.assertIsNotNone(row["clock"]["deadline_at"])
        self.assertNotIn("events", row)
        detail = self.api(self.desk).get(f"{CASES}{case.pk}/").json()
        self.assertEqual([e["kind"] for e in detail["events"]],
                         [EventType.REPORT, EventType.ACCEPT, EventType.REGISTER,
                          EventType.DISPATCH])
        self.assertEqual(detail["events"][-1]["unit_name"], "丙街道")
        self.assertEqual(detail["clock"], row["clock"])

    def test_the_clock_is_the_clock_modules(self):
        from cases.clock import clock_for

        case = self.dispatched()
        clock = clock_for(case)
        row = self.api(self.desk).get(CASES).json()["results"][0]["clock"]
        self.assertEqual(row["status"], clock.status)
        self.assertEqual(row["remaining_minutes"], clock.remaining_minutes)

    def test_list_reads_a_page_in_a_bounded_number_of_queries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(3):
            self.dispatched()
        client = self.api(self.desk)
        with CaptureQueriesContext(connection) as few:
            client.get(CASES)
        for _ in range(6):
            self.dispatched()
        with CaptureQueriesContext(connection) as many:
            client.get(CASES)
        self.assertEqual(len(many), len(few))

    def test_filters(self):
        near = self.dispatched(urgency="urgent")
        far = self.report(version=self.cover, lon=113.48, lat=34.61, grid=self.far_grid,
                          segment=self.far_segment, source="hotline", user=self.desk)
        closed = self.checked()
        actions.do_close(closed, acting_user=self.desk)
        client = self.api(self.desk)
        get = lambda **q: self.ids(client.get(CASES, q))  # noqa: E731
        self.assertEqual(get(state="dispatched"), [near.pk])
        self.assertEqual(get(state=["dispatched", "reported"]), sorted([near.pk, far.pk]))
        self.assertEqual(get(type=self.cover.case_type_id), [far.pk])
        self.assertEqual(get(kind="component"), [far.pk])
        self.assertEqual(get(group="clean"), sorted([near.pk, closed.pk]))
        self.assertEqual(get(unit=self.cast.town.pk), sorted([near.pk, closed.pk]))
        self.assertEqual(get(grid=self.far_grid.pk), [far.pk])
        self.assertEqual(get(segment=self.segment.pk), sorted([near.pk, closed.pk]))
        self.assertEqual(get(source="hotline"), [far.pk])
        self.assertEqual(get(urgency="urgent"), [near.pk])
        self.assertEqual(get(reported_from="2026-05-20", reported_to="2026-05-20"),
                         sorted([near.pk, far.pk, closed.pk]))
        self.assertEqual(get(reported_from="2026-05-21"), [])
        self.assertEqual(get(closed_from="2026-05-20"), [closed.pk])
        self.assertEqual(get(closed_to="2026-05-19"), [])
        self.assertEqual(get(bbox="113.47,34.60,113.49,34.62"), [far.pk])
        self.assertEqual(get(bbox="113.0,34.0,114.0,35.0"), sorted([near.pk, far.pk, closed.pk]))

    def test_bad_filter_values_are_400_with_a_reason(self):
        client = self.api(self.desk)
        for query in ({"bbox": "1,2,3"}, {"bbox": "3,0,1,1"}, {"bbox": "nan,0,1,1"},
                      {"bbox": "0,0,1,inf"}, {"bbox": "0,0,200,1"}, {"state": "nope"},
                      {"reported_from": "2026-02-30"}, {"type": "9" * 27}, {"unit": "-1"},
                      {"grid": "abc"}, {"limit": "0"}, {"ordering": "secret"}):
            response = client.get(CASES, query)
            self.assertEqual(response.status_code, 400, query)
            self.assertTrue(response.json(), query)

    def test_ids_in_the_path_are_parsed_strictly(self):
        case = self.report()
        client = self.api(self.desk)
        self.assertEqual(client.get(f"{CASES}{case.pk}/").status_code, 200)
        for raw in (f"+{case.pk}", f"{case.pk}.0", f"0{case.pk}x", "٣", "9" * 27, "-1",
                    "%20" + str(case.pk)):
            response = client.get(f"{CASES}{raw}/")
            self.assertEqual(response.status_code, 404, raw)
            self.assertIn("不存在", response.json()["detail"])
            response = client.post(f"{CASES}{raw}/accept/", {}, format="json")
            self.assertEqual(response.status_code, 404, raw)

    def test_types_carry_their_current_version(self):
        actions.do_new_type_version(self.garbage.case_type, acting_user=self.desk,
                                    normal_amount=6, close_standard="清理干净并冲洗")
        rows = self.api(self.inspector).get("/api/cases/types/").json()["results"]
        by_code = {(r["kind"], r["code"]): r for r in rows}
        current = by_code[("event", "0102")]["current_version"]
        self.assertEqual((current["number"], current["normal_amount"], current["close_standard"]),
                         (2, 6, "清理干净并冲洗"))
        self.assertEqual(by_code[("component", "0101")]["current_version"]["normal_unit"],
                         "day")

    def test_base_data_grids_segments_with_masked_chiefs_and_components(self):
        client = self.api(self.inspector)
        grids = client.get("/api/cases/grids/").json()["results"]
        self.assertEqual([g["code"] for g in grids], ["419901001001001", "419901001001002"])
        segments = client.get("/api/cases/segments/").json()["results"]
        first = next(s for s in segments if s["id"] == self.segment.pk)
        self.assertEqual(first["chiefs"], [{
            "id": first["chiefs"][0]["id"], "level": "district", "level_display": "区级(街道)路长",
            "person": self.cast.person_town.pk, "name": "丙一", "title": "",
            "phone": "137****1111"}])
        self.assertNotIn("13700001111", client.get("/api/cases/segments/").content.decode())
        components = client.get("/api/cases/components/", {"grid": self.grid.pk}).json()
        self.assertEqual([c["code"] for c in components["results"]], ["4199010101000001"])
        # base data needs Cap.VIEW_ORG; the citizen has no API at all
        self.assertEqual(self.api(self.cast.citizen).get("/api/cases/grids/").status_code, 403)

    def test_reads_carry_personal_data_so_they_are_not_stored(self):
        self.report()
        response = self.api(self.desk).get(CASES)
        self.assertIn("no-store", response["Cache-Control"])

    def test_openapi_schema_builds_without_warnings(self):
        out = io.StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out,
                     stderr=io.StringIO())
        self.assertIn("/api/cases/cases/{id}/mark-duplicate/", out.getvalue())


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class ReportTests(WorldMixin, CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)

    def body(self, **extra):
        data = {"case_type": self.garbage.case_type_id, "description": "路边成堆垃圾",
                "lon": 113.38, "lat": 34.51, "address": "人民路12号"}
        data.update(extra)
        return data

    def test_json_report(self):
        response = self.api(self.inspector).post(CASES, self.body(urgency="urgent"),
                                                 format="json")
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        case = Case.objects.get(pk=data["id"])
        self.assertEqual((case.reporter, case.grid, case.type_version, case.urgency, case.source),
                         (self.inspector, self.grid, self.garbage, "urgent", "inspector"))
        self.assertEqual(data["number"], case.number)
        self.assertEqual([e["kind"] for e in data["events"]], ["report"])
        self.assertEqual(data["clock"]["status"], "none")

    def test_multipart_report_with_photos(self):
        response = self.api(self.inspector).post(
            CASES, {**self.body(lon="113.38", lat="34.51"), "photos": [photo("一.jpg"),
                                                                       photo("二.jpg")]},
            format="multipart")
        self.assertEqual(response.status_code, 201, response.content)
        photos = response.json()["photos"]
        self.assertEqual(sorted(p["original_name"] for p in photos), ["一.jpg", "二.jpg"])
        self.assertEqual({p["stage"] for p in photos}, {"before"})

    def test_the_current_version_is_used(self):
        v2 = actions.do_new_type_version(self.garbage.case_type, acting_user=self.desk,
                                         normal_amount=8)
        response = self.api(self.inspector).post(CASES, self.body(), format="json")
        self.assertEqual(response.json()["type_version"], v2.pk)

    def test_refusals(self):
        client = self.api(self.inspector)
        for body, field in ((self.body(description=""), "description"),
                            (self.body(lon=181), "lon"), (self.body(lat="NaN"), "lat"),
                            (self.body(lon="Infinity"), "lon"),
                            (self.body(case_type=10**6), "case_type"),
                            (self.body(case_type="9" * 27), "case_type"),
                            (self.body(grid=10**6), "grid"),
                            (self.body(urgency="very"), "urgency"),
                            (self.body(source="rumour"), "source"),
                            (self.body(idempotency_key="k" * 65), "idempotency_key"),
                            (self.body(description="a\x00b"), "description")):
            response = client.post(CASES, body, format="json")
            self.assertEqual(response.status_code, 400, body)
            self.assertIn(field, response.json(), body)
        bad_photo = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
        response = client.post(CASES, {**self.body(), "photos": [bad_photo]}, format="multipart")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.json())
        # a disabled type: the action's own refusal, with its reason
        CaseType.objects.filter(pk=self.garbage.case_type_id).update(active=False)
        response = client.post(CASES, self.body(), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("停用", str(response.json()))
        self.assertEqual(Case.objects.count(), 0)

    def test_who_may_report(self):
        # a unit's staff read cases but do not file them
        response = self.api(self.cast.reporter_a).post(CASES, self.body(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertIn("上报", response.json()["detail"])
        self.assertEqual(self.api(self.cast.citizen).post(CASES, self.body(),
                                                          format="json").status_code, 403)
        self.assertEqual(APIClient().post(CASES, self.body(), format="json").status_code, 401)
        response = self.api(self.desk).post(CASES, self.body(), format="json")
        self.assertEqual((response.status_code, response.json()["source"]), (201, "hotline"))
        response = self.api(self.chief).post(CASES, self.body(), format="json")
        self.assertEqual((response.status_code, response.json()["source"]), (201, "road_chief"))


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class StepTests(WorldMixin, CastTestCase):
    """Each action endpoint: once taken, once refused (wrong role → 403, wrong state or
    missing reason → 400), the case unchanged by a refusal."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)

    def ok(self, response, state=None):
        self.assertEqual(response.status_code, 200, response.content)
        if state is not None:
            self.assertEqual(response.json()["state"], state)
        return response.json()

    def refused(self, response, status, case=None, state=None):
        self.assertEqual(response.status_code, status, response.content)
        self.assertTrue(response.json())
        if case is not None:
            self.assertEqual(Case.objects.get(pk=case.pk).state, state)
        return response.json()

    def test_the_whole_path_through_the_api(self):
        report = self.api(self.inspector).post(CASES, {
            "case_type": self.garbage.case_type_id, "description": "垃圾", "lon": 113.38,
            "lat": 34.51, "photos": [photo()]}, format="multipart").json()
        case = Case.objects.get(pk=report["id"])
        self.ok(self.post(self.desk, case, "accept", {"note": "属实"}), "accepted")
        self.ok(self.post(self.desk, case, "register"), "registered")
        data = self.ok(self.post(self.desk, case, "dispatch", {"unit": self.cast.town.pk}),
                       "dispatched")
        self.assertEqual(data["handling_unit"], self.cast.town.pk)
        self.assertEqual(data["clock"]["status"], "running")
        self.ok(self.post(self.town_staff, case, "start"), "handling")
        self.ok(self.post(self.town_staff, case, "handle",
                          {"note": "已清理", "lon": "113.381", "lat": "34.511",
                           "photos": [photo("后.jpg")]}, multipart=True), "handled")
        self.ok(self.post(self.desk, case, "send-check"), "checking")
        data = self.ok(self.post(self.inspector, case, "check",
                                 {"passed": "true", "photos": [photo("核.jpg")]},
                                 multipart=True), "checked")
        self.assertEqual(sorted(p["stage"] for p in data["photos"]),
                         ["after", "before", "check"])
        # the photo URLs: scoped downloads, open to an API token
        first = data["photos"][0]
        self.assertTrue(first["file"].startswith("http://testserver/cases/photos/"))
        token = Token.objects.create(user=self.inspector).key
        response = Client().get(first["thumbnail"], HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(response.status_code, 200)
        response = Client().get(first["file"], HTTP_AUTHORIZATION=
                                f"Token {Token.objects.create(user=self.cast.reporter_b).key}")
        self.assertEqual(response.status_code, 404)  # another unit: not its case
        data = self.ok(self.post(self.desk, case, "close", {"note": "结案"}), "closed")
        self.assertEqual([e["kind"] for e in data["events"]][-1], "close")

    def test_accept_register_reject(self):
        case = self.report()
        self.refused(self.post(self.inspector, case, "accept"), 403, case, "reported")
        self.refused(self.post(self.desk, case, "register"), 400, case, "reported")
        self.refused(self.post(self.desk, case, "reject", {"reason": ""}), 400, case, "reported")
        self.refused(self.post(self.desk, case, "reject", {}), 400, case, "reported")
        self.ok(self.post(self.desk, case, "reject", {"reason": "不属于城管范围"}), "rejected")
        self.refused(self.post(self.desk, case, "accept"), 400, case, "rejected")

    def test_dispatch_by_routing_and_refusals(self):
        case = self.registered()
        self.refused(self.post(self.inspector, case, "dispatch"), 403, case, "registered")
        # not yet the street's case: it does not see it
        self.refused(self.post(self.town_staff, case, "dispatch"), 404, case, "registered")
        self.refused(self.post(self.desk, case, "dispatch", {"unit": 10**6}), 400, case,
                     "registered")
        data = self.ok(self.post(self.desk, case, "dispatch"), "dispatched")
        self.assertEqual(data["handling_unit"], self.cast.town.pk)  # 事件 先属地: the street

    def test_reassign(self):
        case = self.dispatched()
        self.refused(self.post(self.desk, case, "reassign", {}), 400, case, "dispatched")
        self.refused(self.post(self.town_staff, case, "reassign", {"unit": self.cast.unit_a.pk}),
                     403, case, "dispatched")
        data = self.ok(self.post(self.desk, case, "reassign", {"unit": self.cast.unit_a.pk}),
                       "dispatched")
        self.assertEqual(data["handling_unit"], self.cast.unit_a.pk)

    def test_return_and_refuse_return(self):
        case = self.dispatched()
        self.refused(self.post(self.town_staff, case, "return", {}), 400, case, "dispatched")
        self.refused(self.post(self.town_staff, case, "return", {"reason": "x", "lon": 113.3}),
                     400, case, "dispatched")
        self.refused(self.post(self.cast.reporter_a, case, "return", {"reason": "不归我们"}),
                     404, case, "dispatched")  # another unit does not even see it
        data = self.ok(self.post(self.town_staff, case, "return",
                                 {"reason": "属于甲局职责", "lon": 113.38, "lat": 34.51}))
        returned = data["state"]
        self.refused(self.post(self.desk, case, "refuse-return", {}), 400, case, returned)
        data = self.ok(self.post(self.desk, case, "refuse-return", {"reason": "属于街道职责"}))
        self.assertEqual(data["handling_unit"], self.cast.town.pk)
        self.refused(self.post(self.desk, case, "refuse-return", {"reason": "再次"}), 400)

    def test_start_and_handle(self):
        case = self.dispatched()
        self.refused(self.post(self.desk, case, "start"), 403, case, "dispatched")
        self.ok(self.post(self.town_staff, case, "start"), "handling")
        self.refused(self.post(self.town_staff, case, "handle", {"note": "无照片"}), 400, case,
                     "handling")
        self.refused(self.post(self.town_staff, case, "handle",
                               {"photos": [SimpleUploadedFile("a.jpg", b"GIF89a", "image/jpeg")]},
                               multipart=True), 400, case, "handling")
        self.ok(self.post(self.town_staff, case, "handle", {"photos": [photo()]},
                          multipart=True), "handled")

    def test_send_check_and_check(self):
        case = self.handled()
        self.refused(self.post(self.desk, case, "send-check", {"inspector": self.town_staff.pk}),
                     400, case, "handled")
        self.refused(self.post(self.desk, case, "send-check", {"inspector": 2**63}), 400, case,
                     "handled")
        data = self.ok(self.post(self.desk, case, "send-check",
                                 {"inspector": self.inspector_2.pk}), "checking")
        self.assertEqual(data["checker"], self.inspector_2.pk)
        # the reporter is not the checker now: he still sees his report, but may not check it
        self.refused(self.post(self.inspector, case, "check", {"passed": True, "photos": []}),
                     403, case, "checking")
        self.refused(self.post(self.inspector_2, case, "check", {"passed": "false",
                                                                  "photos": [photo()]},
                               multipart=True), 400, case, "checking")  # no reason
        self.ok(self.post(self.inspector_2, case, "check",
                          {"passed": "false", "note": "仍有垃圾", "photos": [photo()]},
                          multipart=True), "rework")

    def test_close(self):
        case = self.checking()
        self.refused(self.post(self.desk, case, "close"), 400, case, "checking")
        actions.do_check(case, acting_user=self.inspector, passed=True, photos=[photo()])
        self.refused(self.post(self.inspector, case, "close"), 403, case, "checked")
        self.ok(self.post(self.desk, case, "close"), "closed")

    def test_extension_request_and_decision(self):
        case = self.dispatched()
        self.refused(self.post(self.town_staff, case, "extension",
                               {"amount": 0, "unit": "hour", "reason": "材料未到"}), 400)
        self.refused(self.post(self.town_staff, case, "extension",
                               {"amount": 2, "unit": "week", "reason": "材料未到"}), 400)
        self.refused(self.post(self.desk, case, "extension",
                               {"amount": 2, "unit": "hour", "reason": "材料未到"}), 403)
        self.refused(self.post(self.desk, case, "extension-decision", {"approve": True}), 400)
        data = self.ok(self.post(self.town_staff, case, "extension",
                                 {"amount": 2, "unit": "hour", "reason": "材料未到"}))
        self.assertEqual([r["status"] for r in data["extension_requests"]], ["pending"])
        before = Case.objects.get(pk=case.pk).deadline_at
        self.refused(self.post(self.town_staff, case, "extension-decision", {"approve": True}),
                     403)
        self.refused(self.post(self.desk, case, "extension-decision", {"approve": False}), 400)
        data = self.ok(self.post(self.desk, case, "extension-decision",
                                 {"approve": True, "note": "同意"}))
        self.assertEqual([r["status"] for r in data["extension_requests"]], ["approved"])
        self.assertGreater(Case.objects.get(pk=case.pk).deadline_at, before)
        # the second request, denied
        self.ok(self.post(self.town_staff, case, "extension",
                          {"amount": 1, "unit": "day", "reason": "再延"}))
        data = self.ok(self.post(self.desk, case, "extension-decision",
                                 {"approve": False, "note": "时限已够"}))
        self.assertEqual([r["status"] for r in data["extension_requests"]],
                         ["approved", "denied"])

    def test_hang_and_unhang(self):
        case = self.dispatched()
        self.refused(self.post(self.desk, case, "hang", {}), 400, case, "dispatched")
        self.refused(self.post(self.town_staff, case, "hang", {"reason": "长期"}), 403, case,
                     "dispatched")
        self.refused(self.post(self.desk, case, "unhang"), 400, case, "dispatched")
        data = self.ok(self.post(self.desk, case, "hang", {"reason": "需列入改造计划"}), "hung")
        self.assertEqual(data["clock"]["status"], "paused")
        self.ok(self.post(self.desk, case, "unhang", {"note": "已立项"}))
        self.assertNotEqual(Case.objects.get(pk=case.pk).state, "hung")

    def test_supervise_and_void(self):
        case = self.dispatched()
        self.refused(self.post(self.desk, case, "supervise", {}), 400)
        self.refused(self.post(self.town_staff, case, "supervise", {"note": "快"}), 403)
        data = self.ok(self.post(self.desk, case, "supervise", {"note": "请今日处置"}),
                       "dispatched")
        self.assertEqual(data["events"][-1]["kind"], "supervise")
        self.refused(self.post(self.desk, case, "void", {"reason": " "}), 400, case, "dispatched")
        self.ok(self.post(self.desk, case, "void", {"reason": "录入错误"}), "void")
        self.refused(self.post(self.desk, case, "supervise", {"note": "再督办"}), 400)

    def test_join(self):
        case = self.dispatched()
        # the road chief of the case's segment sees it and adds his sighting
        data = self.ok(self.post(self.chief, case, "join",
                                 {"note": "又看到了", "lon": "113.3801", "lat": "34.5101",
                                  "photos": [photo()]}, multipart=True), "dispatched")
        self.assertEqual(data["events"][-1]["kind"], "join")
        self.assertEqual([p["stage"] for p in data["photos"]], ["before"])
        # an inspector who does not see the case cannot join it by id
        self.refused(self.post(self.inspector_2, case, "join", {"note": "x"}), 404)
        self.refused(self.post(self.town_staff, case, "join", {"note": "x"}), 403)

    def test_mark_duplicate(self):
        original = self.dispatched()
        twin = self.report(description="同一堆垃圾")
        self.refused(self.post(self.desk, twin, "mark-duplicate", {}), 400, twin, "reported")
        self.refused(self.post(self.desk, twin, "mark-duplicate", {"of": 10**6}), 400, twin,
                     "reported")
        self.refused(self.post(self.inspector, twin, "mark-duplicate", {"of": original.pk}),
                     403, twin, "reported")
        self.refused(self.post(self.desk, twin, "mark-duplicate", {"of": twin.pk}), 400, twin,
                     "reported")
        data = self.ok(self.post(self.desk, twin, "mark-duplicate",
                                 {"of": original.pk, "note": "同一地点"}), "void")
        self.assertEqual(data["duplicate_of"], original.pk)

    def test_hostile_bodies_never_give_a_server_error(self):
        """Every step, as every kind of account, with bodies a careless or hostile client
        sends: never a 500, and every 4xx carries a reason."""
        case = self.dispatched()
        steps = ["accept", "register", "reject", "dispatch", "reassign", "return",
                 "refuse-return", "start", "handle", "send-check", "check", "close", "extension",
                 "extension-decision", "hang", "unhang", "supervise", "void", "join",
                 "mark-duplicate"]
        bodies = [{}, {"note": None, "reason": None}, {"unit": "9" * 27, "of": -1},
                  {"unit": 1.5, "inspector": "abc", "of": [1]},
                  {"lon": "1e400", "lat": "NaN", "reason": "x"},
                  {"lon": 1e308, "lat": -1e308, "reason": "x"},
                  {"amount": 2**70, "unit": "hour", "reason": "x"},
                  {"approve": "maybe", "passed": "a\x00"}, {"reason": "a\x00b", "note": "长" * 3000},
                  {"photos": "notafile"}, {"idempotency_key": "k" * 65}, ["a", "list"], "text"]
        for user in (self.desk, self.town_staff, self.inspector, self.cast.reporter_a,
                     self.cast.city_leader):
            client = self.api(user)
            for step in steps:
                for body in bodies:
                    response = client.post(f"{CASES}{case.pk}/{step}/", body, format="json")
                    self.assertLess(response.status_code, 500, (user, step, body))
                    if response.status_code >= 400:
                        self.assertTrue(response.content, (user, step, body))
                response = client.post(f"{CASES}{case.pk}/{step}/", b"{not json",
                                       content_type="application/json")
                self.assertLess(response.status_code, 500)
