"""The desk's pages (指挥中心): every queue renders, every button posts through to its do_*
action, and bad input comes back as a message on the page, never an error page.

CasePagesBase (the cast plus grids, types, inspectors and unit staff) is shared by the
other page tests (test_pages_unit, test_pages_scope, test_exports)."""

import io
import tempfile
from datetime import datetime

import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from cases import actions
from cases.choices import CaseKind, CaseState, EventType, ExtensionStatus, LimitUnit
from cases.models import Case, CaseType, CaseTypeVersion, Component, ExtensionRequest, Grid
from org import actions as org
from org.choices import Role
from tests.base import SHANGHAI, CastTestCase
from tests.cast import PASSWORD

# Wednesday 20 May 2026, 10:00 in Beijing: a working day.
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}
MEDIA = tempfile.mkdtemp(prefix="cases-pages-media-")


def photo(name="现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 80)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class CasePagesBase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast

        def account(username, role, unit=None, person=None):
            return org.do_create_account(username=username, role=role, password=PASSWORD,
                                         unit=unit, person=person)

        cls.inspector = account("inspector", Role.INSPECTOR, c.community)
        cls.inspector_2 = account("inspector_2", Role.INSPECTOR, c.community)
        cls.town_staff = account("town_staff", Role.UNIT_REPORTER, c.town)
        cls.desk = c.office_staff
        cls.grid = Grid.objects.create(code="419901001001001", name="丁社区1号网格",
                                       street_unit=c.town, community_unit=c.community,
                                       geometry=SQUARE)
        garbage = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                          major_name="市容环境", minor_code="02",
                                          minor_name="暴露垃圾", group="clean")
        cls.garbage = CaseTypeVersion.objects.create(
            case_type=garbage, number=1, register_standard="主次干道有成堆垃圾",
            close_standard="彻底清理，无残留", normal_amount=4, normal_unit=LimitUnit.HOUR,
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

    # --- cases in each state, through the real actions -----------------------------------

    def report(self, user=None, version=None, lon=113.38, lat=34.51, **extra):
        fields = dict(type_version=version or self.garbage, description="路边成堆垃圾",
                      lon=lon, lat=lat, grid=self.grid, address="人民路12号")
        fields.update(extra)
        return actions.do_report_case(acting_user=user or self.inspector, photos=[photo()],
                                      **fields)

    def registered(self, **extra):
        case = self.report(**extra)
        actions.do_accept(case, acting_user=self.desk)
        return actions.do_register(case, acting_user=self.desk)

    def dispatched(self, unit=None, **extra):
        """Dispatched to the town (the locality) unless another unit is given."""
        case = self.registered(**extra)
        return actions.do_dispatch(case, acting_user=self.desk, unit=unit or self.cast.town)

    def handled(self, **extra):
        case = self.dispatched(**extra)
        actions.do_start(case, acting_user=self.town_staff)
        return actions.do_handle(case, acting_user=self.town_staff, photos=[photo("后.jpg")])

    def checked(self, **extra):
        case = self.handled(**extra)
        actions.do_send_check(case, acting_user=self.desk)
        return actions.do_check(case, acting_user=self.inspector, passed=True,
                                photos=[photo("核.jpg")])

    def step(self, user, case, key, data=None, **extra):
        self.client.force_login(user)
        return self.client.post(reverse("cases:step", args=[case.pk, key]), data or {}, **extra)

    def assertRefused(self, response, fragment):
        """A refusal is a redirect back with the reason as a message, never a 500."""
        self.assertEqual(response.status_code, 302)
        said = texts(response)
        self.assertTrue(any(fragment in text for text in said), said)


class DeskPageTests(CasePagesBase):
    def test_every_tab_renders_for_the_desk(self):
        reported = self.report()
        registered = self.registered()
        at_unit = self.dispatched()
        self.client.force_login(self.desk)
        for tab in ("intake", "dispatch", "returned", "extensions", "check", "supervise",
                    "hung", "all", "nonsense"):
            with self.subTest(tab=tab):
                response = self.client.get(reverse("cases:desk"), {"tab": tab})
                self.assertEqual(response.status_code, 200)
        intake = self.client.get(reverse("cases:desk"), {"tab": "intake"})
        self.assertContains(intake, reported.number)
        self.assertContains(intake, "主次干道有成堆垃圾")  # the type's 立案标准
        dispatch = self.client.get(reverse("cases:desk"), {"tab": "dispatch"})
        self.assertContains(dispatch, registered.number)
        self.assertContains(dispatch, "先属地：所在街道")  # the routing proposal
        self.assertContains(dispatch, self.cast.town.name)
        supervise = self.client.get(reverse("cases:desk"), {"tab": "supervise"})
        self.assertContains(supervise, at_unit.number)
        self.assertContains(supervise, "剩余4小时")  # the countdown

    def test_admin_of_the_office_is_the_desk_too(self):
        self.client.force_login(self.cast.office_admin)
        self.assertEqual(self.client.get(reverse("cases:desk")).status_code, 200)

    def test_other_roles_cannot_open_the_desk(self):
        for user in (self.inspector, self.town_staff, self.cast.reporter_a,
                     self.cast.supervision, self.cast.city_leader, self.cast.citizen):
            with self.subTest(role=user.role):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("cases:desk")).status_code, 403)

    def test_filters_narrow_and_bad_filters_do_not_fail(self):
        garbage = self.report()
        cover = self.report(version=self.cover, component=self.component)
        self.client.force_login(self.desk)
        url = reverse("cases:desk")
        only_cover = self.client.get(url, {"tab": "all",
                                           "case_type": self.cover.case_type_id})
        self.assertContains(only_cover, cover.number)
        self.assertNotContains(only_cover, garbage.number)
        by_grid = self.client.get(url, {"tab": "all", "grid": "419901001"})
        self.assertContains(by_grid, garbage.number)
        for bad in ({"grid": "abc"}, {"date_from": "2026-13-45"}, {"case_type": "9" * 30},
                    {"state": "nope"}, {"unit": "-1"}):
            with self.subTest(bad=bad):
                response = self.client.get(url, {"tab": "all", **bad})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, garbage.number)
        self.assertContains(self.client.get(url, {"tab": "all", "page": "x"}), garbage.number)
        dated = self.client.get(url, {"tab": "all", "date_from": "2026-05-20",
                                      "date_to": "2026-05-20", "source": "inspector"})
        self.assertContains(dated, garbage.number)
        self.assertNotContains(self.client.get(url, {"tab": "all", "date_from": "2026-05-21"}),
                               garbage.number)

    def test_pagination(self):
        for n in range(23):
            self.report(lon=113.371 + n * 0.0005)
        self.client.force_login(self.desk)
        first = self.client.get(reverse("cases:desk"), {"tab": "intake"})
        self.assertContains(first, "第 1 / 2 页")
        second = self.client.get(reverse("cases:desk"), {"tab": "intake", "page": 2})
        self.assertEqual(second.status_code, 200)
        self.assertEqual(len(second.context["rows"]), 3)


class DeskStepTests(CasePagesBase):
    def test_intake_accept_register_and_reject(self):
        case = self.report()
        self.assertRedirects(self.step(self.desk, case, "accept", {"next": "/cases/desk/"}),
                             "/cases/desk/", fetch_redirect_response=False)
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.ACCEPTED)
        self.step(self.desk, case, "register")
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.REGISTERED)
        other = self.report(lon=113.385)
        self.assertRefused(self.step(self.desk, other, "reject", {"reason": "  "}), "理由")
        other.refresh_from_db()
        self.assertEqual(other.state, CaseState.REPORTED)
        self.step(self.desk, other, "reject", {"reason": "不在城管范围"})
        other.refresh_from_db()
        self.assertEqual(other.state, CaseState.REJECTED)
        self.assertEqual(other.events.last().note, "不在城管范围")

    def test_a_step_in_the_wrong_state_is_a_message(self):
        case = self.report()
        self.assertRefused(self.step(self.desk, case, "close"), "不能结案")
        self.assertRefused(self.step(self.desk, case, "register"), "不能立案")
        self.assertEqual(self.step(self.desk, case, "no_such_step").status_code, 404)

    def test_dispatch_takes_the_proposal_or_the_unit_chosen(self):
        proposed = self.registered()
        self.step(self.desk, proposed, "dispatch")
        proposed.refresh_from_db()
        self.assertEqual(proposed.state, CaseState.DISPATCHED)
        self.assertEqual(proposed.handling_unit, self.cast.town)
        self.assertIsNotNone(proposed.deadline_at)
        chosen = self.registered(lon=113.385)
        self.step(self.desk, chosen, "dispatch", {"unit": self.cast.unit_b.pk})
        chosen.refresh_from_db()
        self.assertEqual(chosen.handling_unit, self.cast.unit_b)
        again = self.step(self.desk, chosen, "dispatch", {"unit": self.cast.unit_a.pk})
        self.assertRefused(again, "不能派遣")
        bad = self.registered(lon=113.386)
        self.assertRefused(self.step(self.desk, bad, "dispatch", {"unit": "999999"}), "处置单位")

    def test_reassign_needs_another_unit(self):
        case = self.dispatched()
        self.assertRefused(self.step(self.desk, case, "reassign", {}), "请选择处置单位")
        self.assertRefused(self.step(self.desk, case, "reassign", {"unit": self.cast.town.pk}),
                           "相同")
        self.step(self.desk, case, "reassign", {"unit": self.cast.unit_a.pk})
        case.refresh_from_db()
        self.assertEqual(case.handling_unit, self.cast.unit_a)

    def test_returned_queue_and_redispatch(self):
        case = self.dispatched()
        actions.do_return_to_desk(case, acting_user=self.town_staff, reason="不属本街道")
        self.client.force_login(self.desk)
        page = self.client.get(reverse("cases:desk"), {"tab": "returned"})
        self.assertContains(page, case.number)
        self.assertContains(page, "不属本街道")
        self.step(self.desk, case, "reassign", {"unit": self.cast.unit_a.pk})
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.DISPATCHED)
        self.assertEqual(case.handling_unit, self.cast.unit_a)

    def test_refuse_return_sends_it_back_with_the_same_deadline(self):
        case = self.dispatched()
        actions.do_start(case, acting_user=self.town_staff)
        deadline = Case.objects.get(pk=case.pk).deadline_at
        actions.do_return_to_desk(case, acting_user=self.town_staff, reason="不属本街道")
        self.client.force_login(self.desk)
        page = self.client.get(reverse("cases:desk"), {"tab": "returned"})
        self.assertContains(page, 'data-step="refuse_return"')
        self.assertRefused(self.step(self.desk, case, "refuse_return", {"reason": ""}), "理由")
        self.step(self.desk, case, "refuse_return", {"reason": "经核实属街道职责"})
        case.refresh_from_db()
        self.assertEqual((case.state, case.handling_unit, case.deadline_at),
                         (CaseState.HANDLING, self.cast.town, deadline))

    def test_extension_approve_and_deny(self):
        case = self.dispatched()
        request = actions.do_request_extension(case, acting_user=self.town_staff, amount=2,
                                               unit=LimitUnit.HOUR, reason="需协调电力部门")
        self.client.force_login(self.desk)
        queue = self.client.get(reverse("cases:desk"), {"tab": "extensions"})
        self.assertContains(queue, "需协调电力部门")
        url = reverse("cases:extension_decide", args=[request.pk])
        refused = self.client.post(url, {"approve": "0", "note": ""})
        self.assertRefused(refused, "理由")
        self.assertRefused(self.client.post(url, {"approve": "maybe"}), "审批")
        before = Case.objects.get(pk=case.pk).deadline_at
        self.client.post(url, {"approve": "1", "note": "同意"})
        request.refresh_from_db()
        self.assertEqual(request.status, ExtensionStatus.APPROVED)
        self.assertGreater(Case.objects.get(pk=case.pk).deadline_at, before)
        self.assertRefused(self.client.post(url, {"approve": "1"}), "已审批")
        other = self.dispatched(lon=113.385)
        second = actions.do_request_extension(other, acting_user=self.town_staff, amount=1,
                                              unit=LimitUnit.DAY, reason="材料未到")
        self.client.post(reverse("cases:extension_decide", args=[second.pk]),
                         {"approve": "0", "note": "时限充足"})
        self.assertEqual(ExtensionRequest.objects.get(pk=second.pk).status,
                         ExtensionStatus.DENIED)
        # The unit cannot decide its own request (the action refuses; a message, not 500).
        third_case = self.dispatched(lon=113.386)
        third = actions.do_request_extension(third_case, acting_user=self.town_staff, amount=1,
                                             unit=LimitUnit.DAY, reason="雨天")
        self.client.force_login(self.town_staff)
        response = self.client.post(reverse("cases:extension_decide", args=[third.pk]),
                                    {"approve": "1"})
        self.assertRefused(response, "指挥中心")

    def test_send_check_and_close_against_the_close_standard(self):
        case = self.handled()
        self.client.force_login(self.desk)
        queue = self.client.get(reverse("cases:desk"), {"tab": "check"})
        self.assertContains(queue, case.number)
        self.assertRefused(self.step(self.desk, case, "send_check",
                                     {"inspector": self.cast.reporter_a.pk}), "核查监督员")
        self.step(self.desk, case, "send_check", {"inspector": self.inspector_2.pk})
        case.refresh_from_db()
        self.assertEqual((case.state, case.checker), (CaseState.CHECKING, self.inspector_2))
        actions.do_check(case, acting_user=self.inspector_2, passed=True, photos=[photo()])
        checked = self.client.get(reverse("cases:desk"), {"tab": "check"})
        self.assertContains(checked, "彻底清理，无残留")  # the 结案标准
        self.step(self.desk, case, "close", {"note": "已清理"})
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.CLOSED)

    def test_hang_unhang_supervise_and_void(self):
        case = self.dispatched()
        self.assertRefused(self.step(self.desk, case, "supervise", {"note": ""}), "督办意见")
        self.step(self.desk, case, "supervise", {"note": "请今日办结"})
        self.assertTrue(case.events.filter(kind=EventType.SUPERVISE).exists())
        self.assertRefused(self.step(self.desk, case, "hang", {}), "理由")
        self.step(self.desk, case, "hang", {"reason": "需立项改造"})
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.HUNG)
        self.client.force_login(self.desk)
        self.assertContains(self.client.get(reverse("cases:desk"), {"tab": "hung"}), case.number)
        self.step(self.desk, case, "unhang")
        case.refresh_from_db()
        self.assertNotEqual(case.state, CaseState.HUNG)
        self.step(self.desk, case, "void", {"reason": "误报"})
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.VOID)

    def test_next_never_leaves_the_site(self):
        case = self.report()
        response = self.step(self.desk, case, "accept", {"next": "https://evil.example/"})
        self.assertEqual(response["Location"], reverse("cases:detail", args=[case.pk]))

    def test_nearby_open_cases_and_merge(self):
        first = self.report()
        second = self.report(lon=113.3801)  # about 9 m east, same type
        self.client.force_login(self.desk)
        page = self.client.get(reverse("cases:desk"), {"tab": "intake"})
        self.assertContains(page, 'data-testid="nearby"')
        unknown = self.step(self.desk, second, "duplicate", {"of": 2**61})
        self.assertEqual(unknown.status_code, 302)  # a message on the case page, not a 404
        self.step(self.desk, second, "duplicate", {"of": first.pk})
        second.refresh_from_db()
        self.assertEqual(second.duplicate_of, first)
        self.assertRefused(self.step(self.desk, first, "duplicate", {"of": first.pk}), "")


class CaseDetailTests(CasePagesBase):
    def test_detail_shows_type_standards_timeline_photos_clock_and_steps(self):
        case = self.handled()
        self.client.force_login(self.desk)
        response = self.client.get(reverse("cases:detail", args=[case.pk]))
        self.assertContains(response, "主次干道有成堆垃圾")
        self.assertContains(response, "彻底清理，无残留")
        self.assertContains(response, 'data-testid="timeline"')
        for word in ("上报", "受理", "立案", "派遣", "签收", "处置"):
            self.assertContains(response, f"<b>{word}</b>")
        self.assertContains(response, reverse("cases:photo_thumbnail",
                                              args=[case.photos.first().pk]))
        self.assertContains(response, 'data-step="send_check"')
        self.assertNotContains(response, 'data-step="handle"')
        self.assertContains(response, "case-map-config")

    def test_detail_of_a_dispatched_case_shows_the_countdown_for_the_unit(self):
        case = self.dispatched()
        self.client.force_login(self.town_staff)
        response = self.client.get(reverse("cases:detail", args=[case.pk]))
        self.assertContains(response, 'data-testid="clock"')
        self.assertContains(response, "剩余4小时")
        self.assertContains(response, 'data-step="start"')
        self.assertContains(response, 'data-step="handle"')
        self.assertContains(response, 'enctype="multipart/form-data" data-locate')
        self.assertNotContains(response, 'data-step="close"')

    def test_overdue_badge(self):
        case = self.dispatched()
        with time_machine.travel(datetime(2026, 5, 21, 10, 0, tzinfo=SHANGHAI), tick=False):
            self.client.force_login(self.town_staff)
            response = self.client.get(reverse("cases:detail", args=[case.pk]))
        self.assertContains(response, "clock-overdue")
        self.assertContains(response, "超期")

    def test_the_reporting_inspector_and_the_checker_open_it(self):
        case = self.handled()
        actions.do_send_check(case, acting_user=self.desk, inspector=self.inspector_2)
        for user in (self.inspector, self.inspector_2, self.cast.supervision):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("cases:detail",
                                                         args=[case.pk])).status_code, 200)
        self.client.force_login(self.inspector_2)
        page = self.client.get(reverse("cases:detail", args=[case.pk]))
        self.assertContains(page, 'data-step="check"')
        refused = self.step(self.inspector_2, case, "check", {"passed": "0", "note": "仍有垃圾"})
        self.assertRefused(refused, "照片")
        self.step(self.inspector_2, case, "check",
                  {"passed": "0", "note": "仍有垃圾", "photos": [photo()]})
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.REWORK)

    def test_supervision_reads_but_has_no_buttons(self):
        case = self.handled()
        self.client.force_login(self.cast.supervision)
        response = self.client.get(reverse("cases:detail", args=[case.pk]))
        self.assertNotContains(response, 'data-step=')
        self.assertRefused(self.step(self.cast.supervision, case, "send_check"), "无权")

    def test_photo_file_and_thumbnail(self):
        case = self.report()
        picture = case.photos.get()
        self.client.force_login(self.desk)
        full = self.client.get(reverse("cases:photo", args=[picture.pk]))
        self.assertEqual(full.status_code, 200)
        self.assertEqual(full["Content-Type"], "image/jpeg")
        thumb = self.client.get(reverse("cases:photo_thumbnail", args=[picture.pk]))
        self.assertEqual(thumb.status_code, 200)


class MapTests(CasePagesBase):
    def test_map_page_and_data(self):
        open_case = self.dispatched()
        closed = self.checked(lon=113.385)
        actions.do_close(closed, acting_user=self.desk)
        for user in (self.desk, self.cast.supervision):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("cases:map")).status_code, 200)
            data = self.client.get(reverse("cases:map_data"),
                                   {"bbox": "113.3,34.4,113.5,34.6"}).json()
            ids = [f["id"] for f in data["features"]]
            self.assertIn(open_case.pk, ids)
            self.assertNotIn(closed.pk, ids)  # open cases only, unless a state is chosen
            self.assertEqual(data["features"][0]["properties"]["label"], "已派遣")
        outside = self.client.get(reverse("cases:map_data"), {"bbox": "100,20,101,21"}).json()
        self.assertEqual(outside["features"], [])
        self.assertEqual(self.client.get(reverse("cases:map_data"),
                                         {"bbox": "1,2,oops"}).status_code, 400)
        closed_only = self.client.get(reverse("cases:map_data"), {"state": "closed"}).json()
        self.assertEqual([f["id"] for f in closed_only["features"]], [closed.pk])

    def test_map_page_is_for_the_desk_supervision_and_leaders(self):
        for user in (self.inspector, self.town_staff):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("cases:map")).status_code, 403)
        self.client.force_login(self.cast.city_leader)  # reads city-wide
        self.assertEqual(self.client.get(reverse("cases:map")).status_code, 200)


class NavTests(CasePagesBase):
    def test_menu_items_per_role(self):
        from core.navigation import menu_for

        def labels(user):
            return {item.label for group in menu_for(user) for item in group.items}

        self.assertTrue({"指挥中心", "案件地图"} <= labels(self.desk))
        self.assertNotIn("本单位案件", labels(self.desk))
        self.assertIn("本单位案件", labels(self.town_staff))
        self.assertNotIn("指挥中心", labels(self.town_staff))
        self.assertIn("案件地图", labels(self.cast.supervision))
        self.assertFalse({"指挥中心", "本单位案件", "案件地图"} & labels(self.inspector))
