"""A unit reporter files the weekly report on a phone; the project's colour and reasons update."""

import pytest

from projects.tests.test_uploads import jpeg_with_gps
from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reporter_files_weekly_report_on_a_phone(browser, live_server, screenshot_dir, tmp_path):
    cast = build_cast()
    ledger = build_ledger(cast)
    project = ledger.project_a
    base = live_server.url
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_with_gps())

    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "reporter_a")

    page.goto(f"{base}{project.get_absolute_url()}")
    assert "红灯" in page.get_by_test_id("status").inner_text()
    assert "落后序时进度" in page.get_by_test_id("reasons").inner_text()

    page.goto(f"{base}/projects/due/")
    item = page.locator(".due-item", has_text=project.name)
    assert "待填报" in item.inner_text()
    item.get_by_role("link", name="填报").click()
    page.wait_for_url(f"**/projects/{project.pk}/report/")
    page.fill("input[name=investment_period]", "1150")
    page.fill("input[name=progress_percent]", "45")
    page.fill("textarea[name=progress_text]", "主体结构施工至第三层")
    # The connection drops and the page is opened again: what was typed is still there.
    page.reload()
    assert page.input_value("input[name=investment_period]") == "1150"
    assert page.input_value("textarea[name=progress_text]") == "主体结构施工至第三层"
    page.get_by_label("主体结构封顶").check()
    page.fill("textarea[name=problem]", "电力管线迁改进度慢")
    page.set_input_files("input[name=photos]", str(photo))
    # Nothing on the form is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshot_dir / "report_form_phone.png", full_page=True)
    page.get_by_role("button", name="提交本期进度").click()
    page.wait_for_url("**/filed/")  # the result page (test_phone_filing.py), then the project
    page.goto(f"{base}{project.get_absolute_url()}")

    status = page.get_by_test_id("status").inner_text()
    reasons = page.get_by_test_id("reasons").inner_text()
    # Investment caught up; a red project shows yellow for one period, not green.
    assert "黄灯" in status
    assert "观察期" in reasons
    assert "落后序时进度" not in reasons
    assert "已提交" in page.content()
    photo_img = page.locator(".gallery img")
    assert photo_img.count() == 1
    # The photo really renders: its thumbnail came through the scoped file view, not a 404.
    photo_img.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo_img.element_handle(),
        timeout=10_000)
    assert photo_img.evaluate("img => img.naturalWidth") > 0
    assert "/projects/files/" in photo_img.get_attribute("src")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshot_dir / "project_after_report_phone.png", full_page=True)
    context.close()
