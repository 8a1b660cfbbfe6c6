"""The cockpit and the 1920×1080 big screen render every chart, in Chinese, without scrolling."""

import pytest

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS = ["c-colours", "c-investment", "c-trend", "c-category", "c-task", "c-district", "c-units"]


def test_cockpit_and_big_screen(browser, live_server, screenshot_dir):
    cast = build_cast()
    build_ledger(cast)
    errors = []
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/maps/cockpit/")
    for chart in CHARTS:
        assert page.get_attribute(f"#{chart}", "data-rendered") == "1", chart
        assert page.locator(f"#{chart} canvas").count() >= 1, chart
    assert "项目总数" in page.get_by_test_id("kpis").inner_text()
    page.screenshot(path=screenshot_dir / "cockpit.png", full_page=True)
    page.close()

    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.on("pageerror", lambda e: errors.append(str(e)))
    log_in(screen, live_server.url)
    screen.goto(f"{live_server.url}/maps/screen/")
    size = screen.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080]  # no scrolling on the command-centre wall
    assert screen.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 18, 32)"
    assert screen.locator("meta[http-equiv=refresh]").get_attribute("content") == "60"
    screen.wait_for_function("() => document.getElementById('screen-map').dataset.rendered === '1'")
    for chart in ("c-category", "c-trend", "c-investment", "c-units"):
        assert screen.get_attribute(f"#{chart}", "data-rendered") == "1", chart
    screen.screenshot(path=screenshot_dir / "big_screen.png")
    assert errors == []
