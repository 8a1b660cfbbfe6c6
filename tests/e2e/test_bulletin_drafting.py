"""The bureau drafts a bulletin as a clerk does: warned about a period already covered, adds a
commendation, previews the document with the number it will take, confirms, and it is issued
with what was typed. The confirmation page fits a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRAISE = "甲局提前完成管线迁改，予以通报表扬。"


def test_draft_preview_confirm_issue(browser, live_server, screenshot_dir):
    cast = build_cast()
    build_ledger(cast)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    log_in(page, base, "supervision")
    page.goto(f"{base}/supervision/bulletins/")
    page.get_by_role("button", name="根据数据生成草稿").click()
    page.wait_for_url("**/supervision/bulletins/*/")
    draft_url = page.url
    # The same week again: a warning naming the draft, and nothing drafted until confirmed.
    page.goto(f"{base}/supervision/bulletins/")
    page.get_by_role("button", name="根据数据生成草稿").click()
    page.wait_for_load_state()
    warning = page.get_by_test_id("overlap-warning")
    assert "期间重叠" in warning.inner_text()
    assert warning.get_by_role("link").first.get_attribute("href") in draft_url
    page.screenshot(path=screenshot_dir / "bulletin_overlap.png", full_page=True)

    page.goto(draft_url)
    # The draft names each red project with its reasons.
    assert page.get_by_test_id("red-projects").count() == 2
    assert "落后序时进度" in page.get_by_test_id("red-projects").first.inner_text()
    page.screenshot(path=screenshot_dir / "bulletin_draft.png", full_page=True)
    page.fill("textarea[name=commendations]", PRAISE)
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="保存并预览签发").click()
    page.wait_for_url("**/confirm/")
    assert "签发后不可修改" in page.get_by_test_id("issue-warning").inner_text()
    number = page.get_by_test_id("issue-number").inner_text()
    assert number.endswith("1号")
    preview = page.get_by_test_id("bulletin-preview").inner_text()
    assert "一、通报表扬" in preview and PRAISE in preview
    assert "抄送" not in preview and "印发" in page.get_by_test_id("bulletin-banji").inner_text()
    page.screenshot(path=screenshot_dir / "bulletin_confirm.png", full_page=True)
    confirm_url = page.url

    phone = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
    log_in(phone, base, "supervision")
    phone.goto(confirm_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=screenshot_dir / "bulletin_confirm_phone.png", full_page=True)
    phone.close()

    page.get_by_label(f"我已核对以上全文，确认以 {number} 签发").check()
    page.get_by_role("button", name="确认签发").click()
    page.wait_for_url(draft_url)
    assert "已印发" in page.get_by_test_id("bulletin-status").inner_text()
    assert PRAISE in page.content()
    assert number in page.locator("h1").inner_text()
    page.close()
