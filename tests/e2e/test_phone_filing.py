"""A unit reporter's weekly filing on a phone (issue 16): three due projects in a row, two
photos each (picked, not forced through the camera), the colour and its reasons right
after each filing, and the button on to the next project until 本周已全部填报."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from core.choices import ChangeSource
from core.history import change_context
from projects import actions, engine
from projects.choices import Colour, ProcedureKind, ProcedureStatus, Stage
from projects.models import Attachment, ProgressReport, Project, ProjectStatus
from supervision.models import ActionItem
from tests.base import MID_MAY_2026
from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def jpeg(path, colour):
    """A real small JPEG, as a phone's gallery holds (decoded and thumbnailed on upload)."""
    Image.new("RGB", (320, 240), colour).save(path, "JPEG", quality=85)
    return str(path)


def build_week(cast, ledger):
    """Unit A owes three reports this period: the ledger's 甲路 and two more, one of which
    filed last week (so 沿用上周 has something to carry)."""
    today = timezone.localdate()
    with change_context(ChangeSource.SYSTEM, label="测试数据"):
        common = dict(plan=cast.plan, category=ledger.category, lead_unit=cast.unit_a,
                      start_date=today - timedelta(days=120),
                      finish_date=today + timedelta(days=400), stage=Stage.CONSTRUCTION)
        bridge = actions.do_create_project(name="甲河大桥拓宽工程",
                                           total_investment=Decimal("6000"), **common)
        park = actions.do_create_project(name="甲湖公园提升工程",
                                         total_investment=Decimal("2500"), **common)
        for project in (bridge, park):
            actions.do_set_year_plan(project, today.year, Decimal("1200"))
        this_week = engine.reporting_for(cast.plan).period_start(today)
        actions.do_submit_report(bridge, acting_user=cast.reporter_a,
                                 period_start=this_week - timedelta(days=7),
                                 investment_year_cumulative=Decimal("420"),
                                 progress_text="桥墩施工完成过半", progress_percent=35)
    return bridge, park


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def result_colour_is_the_stored_one(page, project):
    """The page shows the colour and reasons recomputed right after filing."""
    status = ProjectStatus.objects.get(project=project)
    box = page.get_by_test_id("result-status").inner_text()
    assert "提交后亮灯" in box and Colour(status.overall).label in box
    reasons = page.get_by_test_id("result-reasons").inner_text()
    for reason in status.all_reasons() or ["各项指标正常。"]:
        assert reason in reasons


def test_reporter_files_three_projects_in_a_row_on_a_phone(browser, live_server, screenshot_dir,
                                                            tmp_path):
    with time_machine.travel(MID_MAY_2026, tick=True):
        cast = build_cast()
        ledger = build_ledger(cast)
        bridge, park = build_week(cast, ledger)
        engine.recompute(list(Project.objects.all()))
        due = [ledger.project_a, bridge, park]  # the due list's order (by code)
        this_week = engine.reporting_for(cast.plan).period_start(timezone.localdate())
        base = live_server.url

        context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        page = context.new_page()
        log_in(page, base, "reporter_a")
        page.goto(f"{base}/projects/due/")
        page.locator(".due-item", has_text=due[0].name).get_by_role("link", name="填报").click()

        for number, project in enumerate(due, start=1):
            page.wait_for_url(f"**/projects/{project.pk}/report/")
            photos_input = page.locator("input[name=photos]")
            # Camera or gallery, several at once: no `capture`, and `multiple`.
            assert photos_input.get_attribute("capture") is None
            assert photos_input.get_attribute("multiple") is not None
            if project == bridge:
                # 沿用上周 fills last week's picture in place; money is not copied.
                page.get_by_test_id("carry-last").click()
                assert page.input_value("textarea[name=progress_text]") == "桥墩施工完成过半"
                assert page.input_value("input[name=progress_percent]") == "35"
                assert page.input_value("input[name=investment_period]") == "0"
                assert page.input_value("input[name=investment_year_cumulative]") == ""
                page.fill("input[name=investment_period]", "60")
            else:
                page.fill("input[name=investment_period]", "100")
                page.fill("input[name=progress_percent]", str(20 + number * 10))
                page.fill("textarea[name=progress_text]", f"第{number}个项目本周施工正常推进")
            if project == park:
                page.fill("textarea[name=problem]", "公园南门管线迁改需供电部门配合")
                page.locator("details.unit-picker summary").click()
                page.get_by_label("乙局").check()
            page.set_input_files("input[name=photos]", [
                jpeg(tmp_path / f"现场{number}-1.jpg", (30 * number, 120, 80)),
                jpeg(tmp_path / f"现场{number}-2.jpg", (200, 40 * number, 60))])
            # The two picked photos show as thumbnails before submitting.
            assert page.locator(".photo-previews img").count() == 2
            assert "已选2张照片" in page.locator(".photo-previews").inner_text()
            no_sideways_scroll(page)
            if number == 1:
                page.screenshot(path=screenshot_dir / "phone_filing_form.png", full_page=True)
            page.get_by_role("button", name="提交本期进度").click()

            page.wait_for_url("**/filed/")
            report = ProgressReport.objects.get(project=project, period_start=this_week)
            assert Attachment.objects.filter(report=report, kind="photo").count() == 2
            assert "附照片2张" in page.content()
            result_colour_is_the_stored_one(page, project)
            no_sideways_scroll(page)
            page.screenshot(path=screenshot_dir / f"phone_filing_result_{number}.png",
                            full_page=True)
            if project == bridge:
                assert report.investment_year_cumulative == Decimal("480")  # 420 + 60, once
            if project == park:
                assert "已交办乙局协调办理" in page.get_by_test_id("coordination").inner_text()
                item = ActionItem.objects.get(project=park)
                assert item.unit == cast.unit_b
            if number < len(due):
                following = due[number]
                page.get_by_role("link", name=f"填报下一个项目：{following.name}").click()
            else:
                assert page.get_by_test_id("all-done").inner_text() == "本周已全部填报"
                assert page.get_by_role("link", name="填报下一个项目").count() == 0

        page.goto(f"{base}/projects/due/")
        assert page.locator(".due-item", has_text="待填报").count() == 0
        assert page.locator(".due-item", has_text="本期已报送").count() == 3
        assert "本周已全部填报" in page.get_by_test_id("due-summary").inner_text()
        context.close()


def test_unit_claims_a_procedure_on_a_phone_and_the_office_confirms(browser, live_server,
                                                                     screenshot_dir, tmp_path):
    with time_machine.travel(MID_MAY_2026, tick=True):
        cast = build_cast()
        ledger = build_ledger(cast)
        project = ledger.project_a
        actions.do_set_procedure(project, ProcedureKind.PLANNING_PERMIT,
                                 status=ProcedureStatus.IN_PROGRESS,
                                 required_by=timezone.localdate() - timedelta(days=40))
        base = live_server.url

        context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        page = context.new_page()
        log_in(page, base, "reporter_a")
        page.goto(f"{base}{project.get_absolute_url()}")
        assert "手续「规划许可」" in page.get_by_test_id("reasons").inner_text()
        row = page.get_by_test_id("procedures").locator("tr", has_text="规划许可")
        row.locator("summary", has_text="申报办结").click()
        form = row.locator("form[action$='/claim/']")
        form.locator("input[name=doc_number]").fill("许规字〔2026〕12号")
        form.locator("input[name=document]").set_input_files(
            jpeg(tmp_path / "规划许可证.jpg", (240, 240, 230)))
        no_sideways_scroll(page)
        page.screenshot(path=screenshot_dir / "phone_procedure_claim.png", full_page=True)
        with page.expect_navigation():
            form.get_by_role("button", name="提交办结申报").click()
        page.screenshot(path=screenshot_dir / "phone_procedure_claimed.png", full_page=True)
        assert "等待办公室确认" in page.locator(".messages").inner_text()
        assert "办结待确认" in row.inner_text()
        assert "确认办结" not in page.content()  # the unit cannot confirm its own claim

        # The office sends it back; the unit claims again and must choose the file itself.
        office = browser.new_page()
        log_in(office, base, "office_staff")
        office.goto(f"{base}{project.get_absolute_url()}")
        pending = office.get_by_test_id("claims-pending")
        pending.get_by_label("规划许可退回原因").fill("文号有误")
        with office.expect_navigation():
            pending.get_by_role("button", name="退回").click()
        assert "已退回“规划许可”的办结申报" in office.locator(".messages").inner_text()

        page.goto(f"{base}{project.get_absolute_url()}")
        row = page.get_by_test_id("procedures").locator("tr", has_text="规划许可")
        assert "办结申报已退回：文号有误" in row.inner_text()
        row.locator("summary", has_text="申报办结").click()
        form = row.locator("form[action$='/claim/']")
        earlier = form.locator("select[name=earlier_document]")
        assert earlier.input_value() == ""  # the returned claim's file is not taken silently
        form.locator("input[name=doc_number]").fill("许规字〔2026〕12号")
        with page.expect_navigation():
            form.get_by_role("button", name="提交办结申报").click()
        assert "请上传批复文件，或选用一份已上传的批复文件" in page.locator(".messages").inner_text()
        row.locator("summary", has_text="申报办结").click()
        form.locator("input[name=doc_number]").fill("许规字〔2026〕12号")
        assert "规划许可证.jpg" in earlier.locator("option").nth(1).inner_text()
        earlier.select_option(index=1)  # the file uploaded with the first claim, chosen
        no_sideways_scroll(page)
        page.screenshot(path=screenshot_dir / "phone_procedure_reclaim.png", full_page=True)
        with page.expect_navigation():
            form.get_by_role("button", name="提交办结申报").click()
        assert "等待办公室确认" in page.locator(".messages").inner_text()
        context.close()

        office.goto(f"{base}{project.get_absolute_url()}")
        pending = office.get_by_test_id("claims-pending")
        assert "许规字〔2026〕12号" in pending.inner_text()
        pending.screenshot(path=screenshot_dir / "office_procedure_claims.png")
        with office.expect_navigation():
            pending.get_by_role("button", name="确认办结").click()
        assert "已确认“规划许可”办结" in office.locator(".messages").inner_text()
        assert "手续「规划许可」" not in office.get_by_test_id("reasons").inner_text()
        assert "已完成" in office.get_by_test_id("procedures").locator(
            "tr", has_text="规划许可").inner_text()
        assert ProjectStatus.objects.get(project=project).procedures == Colour.GREEN
