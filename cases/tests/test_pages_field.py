"""The field (phone) pages: 上报 (position from a real JPEG's EXIF GPS, the same client key
twice = one case), the duplicate hint and 加入此案件, 我的案件, 核查 by the case's checker
only, 我的路段 of a road chief, the sign page's masked phones, and bad input answered with a
message rather than a 500."""

import io
import json
import tempfile
from datetime import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from cases import actions
from cases.choices import CaseKind, CaseState, EventType, LimitUnit, RoadChiefLevel
from cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    CaseType,
    CaseTypeVersion,
    Grid,
    Road,
    RoadChief,
    RoadSegment,
)
from org import actions as org
from org.choices import Role
from tests.base import SHANGHAI, CastTestCase
from tests.cast import PASSWORD

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)  # a Wednesday, working hours
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}
LINE = {"type": "LineString", "coordinates": [[113.37, 34.51], [113.39, 34.51]]}
LINE_2 = {"type": "LineString", "coordinates": [[113.37, 34.515], [113.39, 34.515]]}
MEDIA = tempfile.mkdtemp(prefix="cases-field-media-")
JSON = {"HTTP_ACCEPT": "application/json"}


def dms(value: float):
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    return (float(degrees), float(minutes), round((minutes_float - minutes) * 60, 4))


def jpeg(name="现场.jpg", gps=None) -> SimpleUploadedFile:
    """A real JPEG as a phone writes it; with `gps` (lon, lat) its EXIF carries the GPS IFD
    (tags 1–4: N/S, latitude, E/W, longitude as degrees, minutes, seconds)."""
    exif = Image.Exif()
    if gps:
        lon, lat = gps
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2] = ("N" if lat >= 0 else "S"), dms(abs(lat))
        ifd[3], ifd[4] = ("E" if lon >= 0 else "W"), dms(abs(lon))
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (190, 120, 70)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class FieldPageTests(CastTestCase):
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
        cls.unit_staff = account("unit_staff", Role.UNIT_REPORTER, c.unit_b)
        cls.grid = Grid.objects.create(code="419901001001001", name="丁社区1号网格",
                                       street_unit=c.town, community_unit=c.community,
                                       geometry=SQUARE)
        road = Road.objects.create(name="人民路")
        cls.segment = RoadSegment.objects.create(road=road, name="人民路一段", start_name="建设路",
                                                 end_name="解放路", order=1, geometry=LINE)
        cls.other_segment = RoadSegment.objects.create(road=road, name="人民路二段",
                                                       start_name="解放路", end_name="文化路",
                                                       order=2, geometry=LINE_2)
        RoadChief.objects.create(segment=cls.segment, level=RoadChiefLevel.DISTRICT,
                                 person=c.person_town)
        RoadChief.objects.create(segment=cls.segment, level=RoadChiefLevel.COMMUNITY,
                                 person=c.person_community)
        RoadChief.objects.create(segment=cls.other_segment, level=RoadChiefLevel.DISTRICT,
                                 person=c.person_a)
        garbage = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                          major_name="市容环境", minor_code="02",
                                          minor_name="暴露垃圾", group="clean")
        cls.garbage_type = garbage
        cls.garbage = CaseTypeVersion.objects.create(
            case_type=garbage, number=1, register_standard="主次干道有成堆垃圾",
            close_standard="彻底清理，无残留", normal_amount=4, normal_unit=LimitUnit.HOUR,
            urgent_amount=2, urgent_unit=LimitUnit.HOUR, owner_first=False,
            duplicate_radius_m=50, default_owner=c.unit_b)

    # --- helpers -----------------------------------------------------------------------

    def post_report(self, user=None, photos=None, json=False, **fields):
        data = {"case_type": self.garbage_type.pk, "description": "路边成堆垃圾",
                "urgency": "normal", "lon": "113.38", "lat": "34.51",
                "position_source": "device", "idempotency_key": ""}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        data["photos"] = [jpeg()] if photos is None else photos
        self.login(user or self.inspector)
        return self.client.post(reverse("cases:report"), data, **(JSON if json else {}))

    def case_by(self, user, lon=113.38, lat=34.51, **extra):
        return actions.do_report_case(acting_user=user, type_version=self.garbage,
                                      description="垃圾", lon=lon, lat=lat, photos=[jpeg()],
                                      **extra)

    def checking(self):
        """A case the desk has sent to `inspector` for 核查."""
        desk, unit = self.cast.office_staff, self.cast.unit_b
        case = self.case_by(self.inspector)
        actions.do_accept(case, acting_user=desk)
        actions.do_register(case, acting_user=desk)
        actions.do_dispatch(case, acting_user=desk, unit=unit)
        actions.do_handle(case, acting_user=self.unit_staff, photos=[jpeg("处置后.jpg")])
        return actions.do_send_check(case, acting_user=desk, inspector=self.inspector)

    # --- 上报 ------------------------------------------------------------------------------

    def test_report_page_for_field_roles_and_the_desk_only(self):
        for user in (self.inspector, self.chief, self.cast.office_staff):
            page = self.login(user).get(reverse("cases:report"))
            self.assertEqual(page.status_code, 200, user.username)
            self.assertContains(page, 'capture="environment"')
            self.assertContains(page, 'id="case-types"')  # the type-ahead's data
        self.assertEqual(self.login(self.unit_staff).get(reverse("cases:report")).status_code, 403)
        types = json.loads(self.login(self.inspector).get(reverse("cases:field_types")).content)
        self.assertEqual(types["types"][0]["code"], "0102")
        self.assertEqual(types["types"][0]["group"], "洁化")

    def test_report_takes_its_position_from_the_photos_exif_gps(self):
        # No position from the phone (refused or no fix): the photo's EXIF decides.
        response = self.post_report(lon="", lat="", position_source="",
                                    photos=[jpeg(gps=(113.3812345, 34.5098765))])
        case = Case.objects.get()
        self.assertRedirects(response, reverse("cases:report_done", args=[case.pk]))
        self.assertAlmostEqual(case.lon, 113.3812345, places=5)
        self.assertAlmostEqual(case.lat, 34.5098765, places=5)
        self.assertEqual(case.grid, self.grid)
        photo = CasePhoto.objects.get(case=case)
        self.assertAlmostEqual(photo.gps_lon, 113.3812345, places=5)
        done = self.client.get(response.url)
        self.assertContains(done, case.number)
        self.assertContains(done, "案件已上报")

    def test_the_pin_the_user_placed_wins_over_the_photo(self):
        self.post_report(lon="113.375", lat="34.505", position_source="pin",
                         photos=[jpeg(gps=(113.3812345, 34.5098765))])
        case = Case.objects.get()
        self.assertEqual((case.lon, case.lat), (113.375, 34.505))

    def test_same_key_twice_makes_one_case(self):
        key = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
        first = self.post_report(idempotency_key=key, json=True)
        second = self.post_report(idempotency_key=key, json=True)  # the retry after no signal
        self.assertEqual(first.status_code, 200)
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(first.json()["url"], second.json()["url"])
        self.assertEqual(CasePhoto.objects.count(), 1)  # the retry's photo is not stored twice
        self.post_report(idempotency_key="another-key", json=True)
        self.assertEqual(Case.objects.count(), 2)

    def test_a_retry_after_a_reload_finds_the_case_without_its_photos(self):
        # The answer was lost and the page reopened: the draft (and key) came back, the
        # photos did not. The retry still lands on the case, not on "请选择照片".
        key = "5f0c2a8e-8b1f-4a53-9d3e-1c2b3a4d5e6f"
        first = self.post_report(idempotency_key=key, json=True)
        again = self.post_report(idempotency_key=key, photos=[], description="", json=True)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json()["url"], first.json()["url"])
        self.assertEqual(Case.objects.count(), 1)
        # Another reporter's key is his own: it never opens someone else's case.
        other = self.post_report(user=self.inspector_2, idempotency_key=key, photos=[],
                                 json=True)
        self.assertEqual(other.status_code, 400)

    def test_the_desk_enters_a_hotline_case_without_a_photo(self):
        response = self.post_report(user=self.cast.office_staff, photos=[], source="hotline")
        case = Case.objects.get()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(case.source, "hotline")

    def test_bad_input_is_a_message_not_a_500(self):
        cases = [
            ({"case_type": ""}, "请选择问题类型"),
            ({"case_type": "999999"}, "问题类型不存在"),
            ({"description": ""}, "请填写问题描述"),
            ({"lon": "abc"}, "位置坐标无效"),
            ({"lat": "95"}, "位置坐标无效"),
            ({"lon": "", "lat": ""}, "未能确定问题位置"),
            ({"idempotency_key": "x" * 65}, "64"),
            ({"urgency": "very"}, "紧急程度"),
        ]
        for fields, message in cases:
            with self.subTest(fields=fields):
                response = self.post_report(**fields)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
        not_a_photo = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")
        response = self.post_report(photos=[not_a_photo], json=True)
        self.assertEqual(response.status_code, 400)
        self.assertIn("不是可接受的格式", "".join(response.json()["errors"]))
        response = self.post_report(photos=[])
        self.assertContains(response, "请拍摄或选择至少一张现场照片", status_code=400)
        self.assertEqual(Case.objects.count(), 0)

    def test_a_type_without_a_version_is_a_message(self):
        bare = CaseType.objects.create(kind=CaseKind.EVENT, major_code="02",
                                       major_name="街面秩序", minor_code="01",
                                       minor_name="无照经营游商", group="order")
        response = self.post_report(case_type=bare.pk)
        self.assertContains(response, "尚未设置立案标准", status_code=400)

    # --- duplicates first ------------------------------------------------------------------

    def test_nearby_shows_a_colleagues_open_case_with_minimal_fields(self):
        theirs = self.case_by(self.inspector_2, lon=113.3801, lat=34.5100)
        self.case_by(self.inspector_2, lon=113.3900, lat=34.5100)  # about 900 m away
        self.login(self.inspector)
        url = reverse("cases:field_nearby")
        data = self.client.get(url, {"type": self.garbage_type.pk, "lon": "113.38",
                                     "lat": "34.51"}).json()
        self.assertEqual([c["number"] for c in data["cases"]], [theirs.number])
        row = data["cases"][0]
        self.assertEqual(set(row), {"id", "number", "type", "state", "distance", "thumb", "join"})
        self.assertLess(row["distance"], 15)
        self.assertEqual(row["state"], "上报")
        thumb = self.client.get(row["thumb"])
        self.assertEqual(thumb.status_code, 200)
        self.assertEqual(thumb["Content-Type"], "image/jpeg")
        # The case page itself stays out of his scope.
        self.assertFalse(Case.objects.visible_to(self.inspector).filter(pk=theirs.pk).exists())
        # A closed or voided case is no duplicate.
        actions.do_void(theirs, acting_user=self.cast.office_staff, reason="误报")
        data = self.client.get(url, {"type": self.garbage_type.pk, "lon": "113.38",
                                     "lat": "34.51"}).json()
        self.assertEqual(data["cases"], [])
        self.assertEqual(self.client.get(row["thumb"]).status_code, 404)

    def test_nearby_refuses_bad_questions_and_other_roles(self):
        self.login(self.inspector)
        url = reverse("cases:field_nearby")
        for params in ({}, {"type": "x", "lon": "1", "lat": "2"},
                       {"type": self.garbage_type.pk, "lon": "abc", "lat": "34"},
                       {"type": self.garbage_type.pk, "lon": "200", "lat": "34"}):
            response = self.client.get(url, params)
            self.assertEqual(response.status_code, 400, params)
            self.assertIn("error", response.json())
        self.login(self.unit_staff)
        self.assertEqual(self.client.get(url, {"type": self.garbage_type.pk, "lon": "113.38",
                                               "lat": "34.51"}).status_code, 403)

    def test_join_adds_the_sighting_to_the_open_case(self):
        theirs = self.case_by(self.inspector_2)
        self.login(self.inspector)
        url = reverse("cases:field_join", args=[theirs.pk])
        self.assertContains(self.client.get(url), theirs.number)
        data = {"note": "又见一堆", "lon": "113.3801", "lat": "34.51", "idempotency_key": "k-1",
                "photos": [jpeg()]}
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("cases:my"), fetch_redirect_response=False)
        data["photos"] = [jpeg()]
        self.client.post(url, data, **JSON)  # the same key again: one sighting
        joins = CaseEvent.objects.filter(case=theirs, kind=EventType.JOIN)
        self.assertEqual(joins.count(), 1)
        self.assertEqual(joins.get().actor, self.inspector)
        self.assertEqual(Case.objects.count(), 1)

    def test_nearby_photo_only_for_a_point_near_the_case_and_its_report(self):
        theirs = self.case_by(self.inspector_2)
        self.login(self.inspector)
        row = self.client.get(reverse("cases:field_nearby"),
                              {"type": self.garbage_type.pk, "lon": "113.38",
                               "lat": "34.51"}).json()["cases"][0]
        self.assertIn("lon=113.38", row["thumb"])
        self.assertIn("lat=34.51", row["thumb"])
        report_photo = CasePhoto.objects.get(case=theirs)
        url = reverse("cases:field_nearby_photo", args=[report_photo.pk])
        self.assertEqual(self.client.get(url, {"lon": "113.3804", "lat": "34.5102"})
                         .status_code, 200)
        for where in ({}, {"lon": "113.3808", "lat": "34.51"},  # about 73 m: beyond 50 m
                      {"lon": "116.4", "lat": "39.9"}, {"lon": "nan", "lat": "34.51"},
                      {"lon": "东经", "lat": "34.51"}):
            self.assertEqual(self.client.get(url, where).status_code, 404, where)
        # a joiner's photo is not the report's: never served as the hint
        actions.do_join(theirs, acting_user=self.chief, photos=[jpeg()], lon=113.38, lat=34.51)
        joined = CasePhoto.objects.get(case=theirs, event__kind=EventType.JOIN)
        self.assertEqual(self.client.get(reverse("cases:field_nearby_photo", args=[joined.pk]),
                                         {"lon": "113.38", "lat": "34.51"}).status_code, 404)

    def test_an_empty_or_distant_join_is_refused_and_opens_nothing(self):
        """Hostile review: joining by id with an empty POST made any open case the joiner's
        own. Now the join needs a photo and a position near the case."""
        theirs = self.case_by(self.inspector_2, address="建设路12号门前")
        self.login(self.inspector)
        url = reverse("cases:field_join", args=[theirs.pk])
        page = self.client.get(url)  # the hint's fields only
        self.assertContains(page, theirs.number)
        self.assertNotContains(page, "建设路12号门前")
        self.assertNotContains(page, self.inspector_2.username)
        response = self.client.post(url, {})
        self.assertContains(response, "加入案件须上传现场照片", status_code=400)
        response = self.client.post(url, {"photos": [jpeg()]}, **JSON)  # no position
        self.assertEqual(response.status_code, 400)
        self.assertIn("位置", "".join(response.json()["errors"]))
        response = self.client.post(url, {"photos": [jpeg()], "lon": "113.40", "lat": "34.51"})
        self.assertContains(response, "超过50米", status_code=400)
        self.assertFalse(CaseEvent.objects.filter(case=theirs, kind=EventType.JOIN).exists())
        self.assertFalse(Case.objects.visible_to(self.inspector).filter(pk=theirs.pk).exists())
        self.assertNotContains(self.client.get(reverse("cases:my")), theirs.number)
        # a photo on the spot (its EXIF position): joined, and he follows the case
        response = self.client.post(url, {"photos": [jpeg(gps=(113.3802, 34.5101))]})
        self.assertRedirects(response, reverse("cases:my"), fetch_redirect_response=False)
        self.assertTrue(Case.objects.visible_to(self.inspector).filter(pk=theirs.pk).exists())
        page = self.client.get(reverse("cases:my"))
        self.assertContains(page, theirs.number)
        self.assertContains(page, 'data-testid="joined"')

    def test_join_of_a_closed_case_is_404(self):
        theirs = self.case_by(self.inspector_2)
        actions.do_void(theirs, acting_user=self.cast.office_staff, reason="误报")
        self.login(self.inspector)
        self.assertEqual(self.client.get(reverse("cases:field_join", args=[theirs.pk]))
                         .status_code, 404)

    # --- 我的案件 and 核查 -------------------------------------------------------------------

    def test_my_cases_lists_my_reports_and_my_checks(self):
        mine = self.case_by(self.inspector)
        others = self.case_by(self.inspector_2)
        check = self.checking()
        page = self.login(self.inspector).get(reverse("cases:my"))
        self.assertContains(page, mine.number)
        self.assertNotContains(page, others.number)
        self.assertContains(page, reverse("cases:field_check", args=[check.pk]))
        self.assertContains(page, "待核查")
        page = self.login(self.inspector_2).get(reverse("cases:my"))
        self.assertNotContains(page, reverse("cases:field_check", args=[check.pk]))

    def test_check_page_only_for_the_cases_checker(self):
        case = self.checking()
        url = reverse("cases:field_check", args=[case.pk])
        self.assertEqual(self.login(self.inspector_2).get(url).status_code, 404)  # not his
        self.assertEqual(self.login(self.cast.office_staff).get(url).status_code, 403)
        self.assertEqual(self.login(self.unit_staff).get(url).status_code, 403)
        page = self.login(self.inspector).get(url)
        self.assertContains(page, "彻底清理，无残留")  # the 结案标准 to check against
        # No photo, and a failure without a reason: messages, nothing changes.
        response = self.client.post(url, {"result": "passed"})
        self.assertContains(response, "核查须上传现场照片", status_code=400)
        response = self.client.post(url, {"result": "failed", "photos": [jpeg()]})
        self.assertContains(response, "核查不通过时请填写原因", status_code=400)
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.CHECKING)
        response = self.client.post(url, {"result": "passed", "note": "已清理", "lon": "113.38",
                                          "lat": "34.51", "photos": [jpeg("核查.jpg")]})
        self.assertRedirects(response, reverse("cases:my"), fetch_redirect_response=False)
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.CHECKED)
        event = case.events.get(kind=EventType.CHECK_PASS)
        self.assertEqual((event.lon, event.lat, event.actor), (113.38, 34.51, self.inspector))
        self.assertEqual(event.photos.count(), 1)

    # --- road chiefs -----------------------------------------------------------------------

    def test_road_chief_sees_only_his_segments(self):
        on_his = self.case_by(self.inspector, segment=self.segment)
        on_other = self.case_by(self.inspector, segment=self.other_segment)
        page = self.login(self.chief).get(reverse("cases:segments"))
        self.assertContains(page, "人民路一段")
        self.assertNotContains(page, "人民路二段")
        self.assertContains(page, on_his.number)
        self.assertNotContains(page, on_other.number)
        self.assertContains(page, reverse("cases:sign", args=[self.segment.pk]))
        self.assertEqual(self.login(self.inspector).get(reverse("cases:segments")).status_code,
                         403)

    def test_sign_page_masks_phones(self):
        page = self.login(self.chief).get(reverse("cases:sign", args=[self.segment.pk]))
        self.assertContains(page, "路长制公示牌")
        self.assertContains(page, "建设路 至 解放路")
        self.assertContains(page, "丙一")
        self.assertContains(page, "137****1111")
        self.assertContains(page, "137****2222")
        self.assertNotContains(page, "13700001111")
        self.assertNotContains(page, "13700002222")
        self.assertContains(page, "待定")  # no 市级路长 on this segment
        # Even the office (which may see full phones elsewhere) prints the public sign masked.
        page = self.login(self.cast.office_admin).get(reverse("cases:sign",
                                                              args=[self.segment.pk]))
        self.assertNotContains(page, "13700001111")
        self.assertEqual(self.client.get(reverse("cases:sign", args=[999999])).status_code, 404)

    # --- the map's background and photos ---------------------------------------------------

    def test_geo_background_has_the_grids_and_segments_around_the_point(self):
        self.login(self.inspector)
        data = self.client.get(reverse("cases:field_geo"), {"lon": "113.38", "lat": "34.51"})
        kinds = sorted(f["properties"]["kind"] for f in data.json()["features"])
        self.assertEqual(kinds, ["grid", "segment", "segment"])
        far = self.client.get(reverse("cases:field_geo"), {"lon": "116.4", "lat": "39.9"})
        self.assertEqual(far.json()["features"], [])
        self.assertEqual(self.client.get(reverse("cases:field_geo"), {"lon": "x"}).status_code,
                         400)
        for lon, lat in (("nan", "nan"), ("inf", "34.51"), ("1e400", "34.51"), ("200", "34.51")):
            with self.subTest(lon=lon, lat=lat):
                answer = self.client.get(reverse("cases:field_geo"), {"lon": lon, "lat": lat})
                self.assertEqual(answer.status_code, 400)

    def test_case_photos_are_served_within_scope(self):
        case = self.case_by(self.inspector)
        photo = case.photos.get()
        url = reverse("cases:field_photo", args=[photo.pk])
        self.assertEqual(self.login(self.inspector).get(url).status_code, 200)
        self.assertEqual(self.login(self.inspector_2).get(url).status_code, 404)

    # --- navigation ------------------------------------------------------------------------

    def test_navigation_by_role(self):
        def labels(user):
            return self.login(user).get(reverse("cases:report" if user != self.unit_staff
                                                else "home")).content.decode()

        page = labels(self.inspector)
        self.assertIn('data-nav="cases:report"', page)
        self.assertIn('data-nav="cases:my"', page)
        self.assertNotIn('data-nav="cases:segments"', page)
        page = labels(self.chief)
        self.assertIn('data-nav="cases:segments"', page)
        page = labels(self.unit_staff)
        self.assertNotIn('data-nav="cases:report"', page)
        from core.navigation import menu_for

        for user in (self.inspector, self.chief, self.cast.office_staff):
            self.login(user)
            for group in menu_for(user):
                for item in group.items:
                    if item.url_name in ("cases:report", "cases:my", "cases:segments"):
                        self.assertEqual(self.client.get(reverse(item.url_name)).status_code,
                                         200, (user.username, item.label))
