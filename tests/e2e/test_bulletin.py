"""The bureau issues a bulletin; the named unit's reporter sees it and files rectification."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issue_then_rectify(browser, live_server, screenshot_dir):
    cast = build_cast()
    build_ledger(cast)
    base = live_server.url
    bureau = browser.new_page(viewport={"width": 1366, "height": 900})
    log_in(bureau, base, "supervision")
    bureau.goto(f"{base}/supervision/bulletins/")
    bureau.get_by_role("button", name="根据数据生成草稿").click()
    bureau.wait_for_url("**/supervision/bulletins/*/")
    assert "草稿" in bureau.get_by_test_id("bulletin-status").inner_text()
    assert "甲局：红灯项目1个" in bureau.content()
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    bureau.fill("input[name=deadline]", deadline)
    bureau.get_by_role("button", name="保存并预览签发").click()
    bureau.wait_for_url("**/confirm/")
    number = bureau.get_by_test_id("issue-number").inner_text()
    bureau.get_by_label(f"我已核对以上全文，确认以 {number} 签发").check()
    bureau.get_by_role("button", name="确认签发").click()
    bureau.wait_for_url("**/supervision/bulletins/*/")
    assert "已印发" in bureau.get_by_test_id("bulletin-status").inner_text()
    url = bureau.url
    with bureau.expect_download() as download:
        bureau.get_by_role("link", name="下载PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    bureau.screenshot(path=screenshot_dir / "bulletin_issued.png", full_page=True)
    bureau.close()

    unit = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
    log_in(unit, base, "reporter_a")
    unit.goto(f"{base}/supervision/bulletins/")
    unit.get_by_role("link", name="高品质城市建设重点工作推进情况的通报").click()
    assert unit.url == url
    rows = unit.get_by_test_id("rectification")
    assert rows.count() == 1 and "甲局" in rows.first.inner_text()
    unit.fill("textarea[name=text]", "已约谈施工单位，增加作业面，月底前追回投资进度")
    unit.get_by_role("button", name="报送整改情况").click()
    unit.wait_for_load_state()
    assert "已反馈" in unit.get_by_test_id("rectification").first.inner_text()
    unit.screenshot(path=screenshot_dir / "rectification_phone.png", full_page=True)
    unit.close()
