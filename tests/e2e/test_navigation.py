"""Two roles log in through the real login page and see only their own menu."""

import pytest

from tests.cast import build_cast
from tests.e2e.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def menu(page) -> list[str]:
    return [a.inner_text().strip() for a in page.locator("nav.sidenav a").all()]


def test_office_admin_and_unit_reporter_see_their_own_navigation(browser, live_server,
                                                                 screenshot_dir):
    build_cast()
    base = live_server.url

    page = browser.new_page(viewport={"width": 1366, "height": 800})
    log_in(page, base, "office_admin")
    items = menu(page)
    for expected in ("首页", "计划", "核心板块", "单位名录", "人员", "市级领导", "后台维护"):
        assert expected in items
    for hidden in ("账号", "审计日志", "登录锁定"):
        assert hidden not in items
    assert page.get_by_test_id("role").inner_text() == "领导小组办公室管理员"
    page.screenshot(path=screenshot_dir / "nav_office_admin.png", full_page=True)
    page.close()

    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    log_in(page, base, "reporter_a")
    assert page.get_by_test_id("role").inner_text() == "责任单位填报员"
    page.click("details.nav-toggle > summary")  # the menu starts folded on a phone
    items = menu(page)
    assert "计划" in items and "单位名录" in items
    for hidden in ("后台维护", "账号", "审计日志", "登录锁定"):
        assert hidden not in items
    # Every menu entry opens a real page for this role.
    hrefs = [a.get_attribute("href") for a in page.locator("nav.sidenav a").all()]
    for href in hrefs:
        response = page.request.get(base + href)
        assert response.status == 200, href
    page.goto(f"{base}/org/people/")
    assert page.locator("table.ledger tbody tr").count() == 3  # own unit's person + 2 leaders
    # No horizontal scrolling of the page itself on a 375-px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshot_dir / "nav_reporter_phone.png", full_page=True)
    page.close()


def test_locked_out_user_sees_a_chinese_message(browser, live_server, screenshot_dir):
    build_cast()
    page = browser.new_page()
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "reporter_b")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
    assert "已被锁定30分钟" in page.get_by_test_id("locked").inner_text()
    page.screenshot(path=screenshot_dir / "login_locked.png")
    page.close()
