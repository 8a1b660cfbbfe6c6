"""A city-management case from the street to 结案, on a phone (issue 10): the inspector
reports with a photo whose EXIF carries the position, loses the answer to a dropped
connection and sends again (one case); the desk accepts, registers and dispatches; the unit
signs for it and handles it with an after photo; the desk sends the check back to the
inspector, who checks on site from 我的案件; the desk closes it, and the performance table
counts it as closed on time. A second inspector at the same spot joins the open case from
the nearby hint instead of reporting it again."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from PIL import Image

from cases import actions
from cases.choices import CaseKind, CaseState, EventType, LimitUnit, RoadChiefLevel
from cases.models import Case, CaseType, CaseTypeVersion, Grid, Road, RoadChief, RoadSegment
from cases.views_field import ReportView
from core.choices import ChangeSource
from core.history import change_context
from org import actions as org
from org.choices import Role
from tests.cast import PASSWORD, build_cast
from tests.e2e.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
# Wednesday 20 May 2026, 10:00 in Beijing: a working morning; 暴露垃圾 has 4 工作时.
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}
LINE = {"type": "LineString", "coordinates": [[113.37, 34.51], [113.39, 34.51]]}
PHOTO_AT = (113.3812, 34.5106)  # where the photo was taken (its EXIF)
PHONE_AT = (113.3801, 34.5101)  # where the phone says it is now


def jpeg(path, colour, gps=None) -> str:
    exif = Image.Exif()
    if gps:
        ifd = exif.get_ifd(0x8825)
        for ref_tag, tag, value, refs in ((1, 2, gps[1], "NS"), (3, 4, gps[0], "EW")):
            degrees = int(abs(value))
            minutes = int((abs(value) - degrees) * 60)
            seconds = round(((abs(value) - degrees) * 60 - minutes) * 60, 4)
            ifd[ref_tag], ifd[tag] = refs[0 if value >= 0 else 1], (degrees, minutes, seconds)
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG", quality=85, exif=exif)
    path.write_bytes(buffer.getvalue())
    return str(path)


def build_world():
    cast = build_cast()
    with change_context(ChangeSource.SYSTEM, label="测试数据"):
        def account(username, role, unit=None, person=None):
            return org.do_create_account(username=username, role=role, password=PASSWORD,
                                         unit=unit, person=person)

        inspector = account("inspector", Role.INSPECTOR, cast.community)
        unit_staff = account("unit_staff", Role.UNIT_REPORTER, cast.unit_b)
        Grid.objects.create(code="419901001001001", name="丁社区1号网格", street_unit=cast.town,
                            community_unit=cast.community, geometry=SQUARE)
        road = Road.objects.create(name="人民路")
        segment = RoadSegment.objects.create(road=road, name="人民路一段", start_name="建设路",
                                             end_name="解放路", order=1, geometry=LINE)
        RoadChief.objects.create(segment=segment, level=RoadChiefLevel.DISTRICT,
                                 person=cast.person_town)
        garbage = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                          major_name="市容环境", minor_code="02",
                                          minor_name="暴露垃圾", group="clean")
        CaseTypeVersion.objects.create(
            case_type=garbage, number=1, register_standard="主次干道有成堆垃圾",
            close_standard="彻底清理，无残留", normal_amount=4, normal_unit=LimitUnit.HOUR,
            urgent_amount=2, urgent_unit=LimitUnit.HOUR, owner_first=False,
            duplicate_radius_m=50, default_owner=cast.unit_b)
    return cast, inspector, unit_staff


def phone(browser, **extra):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True,
                                  has_touch=True, locale="zh-CN", **extra)
    return context, context.new_page()


def no_sideways_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH, page.url


def step(page, key, fill=None):
    """Take one step on the case page (cases:detail): open its form when it has one."""
    form_box = page.locator(f"details#step-{key}")
    if form_box.count():
        if form_box.get_attribute("open") is None:
            form_box.locator("summary").click()
        if fill:
            fill(form_box)
    page.locator(f"button[data-step={key}]").first.click()
    page.wait_for_load_state("load")
    errors = page.locator(".messages .msg-error")
    assert errors.count() == 0, errors.all_inner_texts()


def test_inspector_reports_on_a_phone_and_the_case_closes(browser, live_server, screenshot_dir,
                                                         tmp_path, monkeypatch):
    with time_machine.travel(NOW, tick=True):
        cast, inspector, unit_staff = build_world()
        base = live_server.url
        scene = jpeg(tmp_path / "现场.jpg", (150, 120, 90), gps=PHOTO_AT)

        # --- the inspector reports -------------------------------------------------------
        context, page = phone(browser, permissions=["geolocation"],
                              geolocation={"longitude": PHONE_AT[0], "latitude": PHONE_AT[1]})
        log_in(page, base, "inspector")
        page.goto(f"{base}/cases/field/report/")
        status = page.get_by_test_id("pos-status")
        page.wait_for_function("() => /手机定位/.test(document.getElementById('pos-status').textContent)")
        page.get_by_test_id("photo-gallery").set_input_files(scene)
        # The photo's EXIF position replaces the phone's fix (the problem is where it was seen).
        page.wait_for_function("() => /照片/.test(document.getElementById('pos-status').textContent)")
        assert "113.381200" in status.inner_text()
        page.get_by_test_id("type-search").fill("暴露")
        page.get_by_test_id("type-results").locator("button").first.click()
        assert "暴露垃圾" in page.get_by_test_id("type-chosen").inner_text()
        page.fill("textarea[name=description]", "人民路北侧人行道上一堆生活垃圾")
        no_sideways_scroll(page)
        page.screenshot(path=str(screenshot_dir / "cases_phone_report.png"), full_page=True)
        key = page.input_value("input[name=idempotency_key]")
        assert len(key) == 36

        # No signal at all: nothing leaves the phone; the form stays, with 重新提交.
        context.set_offline(True)
        page.get_by_test_id("report-submit").click()
        page.get_by_test_id("retry-box").wait_for(state="visible")
        assert Case.objects.count() == 0
        context.set_offline(False)

        # The page is closed and opened again: the draft and its key come back from the
        # phone's storage (the photo has to be picked again: files are not kept).
        page.reload()
        assert page.input_value("input[name=idempotency_key]") == key
        assert page.input_value("textarea[name=description]") == "人民路北侧人行道上一堆生活垃圾"
        assert "暴露垃圾" in page.get_by_test_id("type-chosen").inner_text()
        assert "照片" in status.inner_text()  # the position kept its source
        page.get_by_test_id("photo-gallery").set_input_files(scene)

        # Then the worse case: the server stores the report but its answer is lost on the
        # way (a gateway's error page instead of ours). (Playwright cannot let the upload
        # through and drop the answer itself: Chromium hides file bodies from interception.)
        original_post = ReportView.post
        answers = []

        def answer_lost(self, request):
            answers.append(original_post(self, request))
            return HttpResponse("<h1>502 Bad Gateway</h1>", status=502, content_type="text/html")

        monkeypatch.setattr(ReportView, "post", answer_lost)
        page.get_by_test_id("report-submit").click()
        page.get_by_test_id("retry-box").wait_for(state="visible")
        assert answers and answers[0].status_code == 200
        assert Case.objects.count() == 1
        monkeypatch.setattr(ReportView, "post", original_post)
        assert page.input_value("input[name=idempotency_key]") == key  # kept for the retry
        page.get_by_test_id("report-retry").click()
        page.get_by_test_id("report-result").wait_for()
        assert Case.objects.count() == 1  # the retry found the case the lost answer made
        case = Case.objects.get()
        assert case.idempotency_key == key and case.reporter == inspector
        assert (round(case.lon, 4), round(case.lat, 4)) == PHOTO_AT
        assert case.photos.count() == 1
        assert page.get_by_test_id("case-number").inner_text() == case.number

        page.goto(f"{base}/cases/field/my/")
        assert case.number in page.get_by_test_id("my-reports").inner_text()
        no_sideways_scroll(page)

        # --- the desk: 受理, 立案, 派遣 --------------------------------------------------------
        desk_context = browser.new_context(viewport={"width": 1366, "height": 900})
        desk = desk_context.new_page()
        log_in(desk, base, "office_staff")
        detail = f"{base}/cases/{case.pk}/"
        desk.goto(detail)
        step(desk, "accept")
        step(desk, "register")
        step(desk, "dispatch", lambda box: box.locator("select[name=unit]").select_option(
            str(cast.unit_b.pk)))
        case.refresh_from_db()
        assert case.state == CaseState.DISPATCHED and case.handling_unit == cast.unit_b

        # --- the unit, on its phone: 签收, 处置 with an after photo ------------------------
        unit_context, unit = phone(browser)
        log_in(unit, base, "unit_staff")
        unit.goto(detail)
        step(unit, "start")
        after = jpeg(tmp_path / "处置后.jpg", (200, 200, 200))
        step(unit, "handle", lambda box: box.locator("input[type=file]").first.set_input_files(after))
        case.refresh_from_db()
        assert case.state == CaseState.HANDLED

        # --- the desk sends the check to the inspector who reported it -------------------
        desk.goto(detail)
        step(desk, "send_check")
        case.refresh_from_db()
        assert case.state == CaseState.CHECKING and case.checker == inspector

        # --- the inspector checks on site, from 我的案件 -----------------------------------
        page.goto(f"{base}/cases/field/my/")
        page.get_by_test_id(f"check-{case.number}").get_by_test_id("check-link").click()
        assert "彻底清理，无残留" in page.get_by_test_id("close-standard").inner_text()
        page.check("input[name=result][value=passed]")
        page.get_by_test_id("photo-camera").set_input_files(
            jpeg(tmp_path / "核查.jpg", (210, 210, 200)))
        page.fill("textarea[name=note]", "已清理干净")
        no_sideways_scroll(page)
        page.get_by_test_id("check-submit").click()
        page.wait_for_url(f"{base}/cases/field/my/")
        assert "核查通过" in page.locator(".messages").inner_text()
        case.refresh_from_db()
        assert case.state == CaseState.CHECKED
        check = case.events.get(kind=EventType.CHECK_PASS)
        assert (check.lon, check.lat) == PHONE_AT  # where the phone was when checking
        page.screenshot(path=str(screenshot_dir / "cases_phone_my.png"), full_page=True)

        # --- the desk closes it ----------------------------------------------------------
        desk.goto(detail)
        step(desk, "close")
        case.refresh_from_db()
        assert case.state == CaseState.CLOSED
        assert case.closed_at <= case.deadline_at  # closed within its 4 工作时

        # --- the performance table counts it as closed on time ---------------------------
        desk.goto(f"{base}/cases/performance/?dim=unit&period=2026-05")
        row = desk.get_by_test_id("performance-table").locator("tbody tr", has_text="乙局")
        figure = lambda label: row.locator(f"td[data-label='{label}']").inner_text().strip()  # noqa: E731
        assert figure("结案数") == "1"
        assert figure("应结案数") == "1"
        assert figure("按期结案数") == "1"
        assert figure("按期结案率") == "100.00%"
        assert figure("未按期") == "0"


def test_a_second_inspector_joins_the_open_case_instead_of_reporting_again(
        browser, live_server, tmp_path):
    with time_machine.travel(NOW, tick=True):
        cast, inspector, _unit_staff = build_world()
        colleague = org.do_create_account(username="inspector_2", role=Role.INSPECTOR,
                                          password=PASSWORD, unit=cast.community)
        first_photo = tmp_path / "first.jpg"
        jpeg(first_photo, (90, 140, 90))
        version = CaseType.objects.get().current_version()
        theirs = actions.do_report_case(
            acting_user=colleague, type_version=version, description="垃圾", lon=PHONE_AT[0],
            lat=PHONE_AT[1] + 0.0001,
            photos=[SimpleUploadedFile("a.jpg", first_photo.read_bytes(), "image/jpeg")])
        base = live_server.url
        context, page = phone(browser, permissions=["geolocation"],
                              geolocation={"longitude": PHONE_AT[0], "latitude": PHONE_AT[1]})
        log_in(page, base, "inspector")
        page.goto(f"{base}/cases/field/report/")
        page.wait_for_function("() => /手机定位/.test(document.getElementById('pos-status').textContent)")
        page.get_by_test_id("type-search").fill("0102")
        page.get_by_test_id("type-results").locator("button").first.click()
        # Nearby first: his colleague's open case, which he cannot otherwise open.
        hint = page.get_by_test_id("nearby")
        hint.wait_for(state="visible")
        assert theirs.number in hint.inner_text() and "约11米" in hint.inner_text()
        assert hint.locator("img").count() == 1
        no_sideways_scroll(page)
        page.get_by_test_id("photo-camera").set_input_files(
            jpeg(tmp_path / "again.jpg", (100, 150, 100)))
        page.fill("textarea[name=description]", "垃圾还在")
        page.on("dialog", lambda dialog: dialog.accept())
        hint.get_by_test_id("join-button").click()
        page.wait_for_url(f"{base}/cases/field/my/")
        assert f"已加入案件{theirs.number}" in page.locator(".messages").inner_text()
        assert Case.objects.count() == 1
        join = theirs.events.get(kind=EventType.JOIN)
        assert (join.actor, join.note) == (inspector, "垃圾还在")
        assert join.photos.count() == 1
