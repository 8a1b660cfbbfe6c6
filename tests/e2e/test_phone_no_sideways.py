"""On a 375-px phone no page of the cast's main routes scrolls sideways; the project page's
tables are cards.

The routes are listed explicitly, per role, as each person opens them in a week's work. The
battle map is a page of the layout like the others (its map sits in the content column), so it
is measured too; the 大屏 (/maps/screen/) is not: it is the command hall's 1920×1080 wall
display, on no phone menu.
"""

from decimal import Decimal

import pytest

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}


def reporter_routes(ledger) -> list[str]:
    project = ledger.project_a.pk
    return ["/", "/projects/", f"/projects/{project}/", "/projects/due/",
            f"/projects/{project}/report/", "/supervision/meetings/",
            "/supervision/items/", "/supervision/bulletins/", "/messages/", "/maps/"]


def office_routes(ledger) -> list[str]:
    project = ledger.project_a.pk
    return ["/", "/projects/", f"/projects/{project}/", "/projects/review/",
            "/supervision/meetings/", "/supervision/items/", "/supervision/bulletins/",
            "/messages/", "/maps/"]


def build_week():
    from projects.actions import do_request_rebaseline, do_submit_report

    cast = build_cast()
    ledger = build_ledger(cast)
    # A filed report (a row in the project's reports, one in the review queue) and a pending
    # re-baseline, so every table of the project page has a row to lay out.
    do_submit_report(ledger.project_a, acting_user=cast.reporter_a, progress_percent=35,
                     investment_period=Decimal("300"),
                     progress_text="主体结构施工中，完成第三标段路基填筑及排水管道铺设约1.2公里")
    do_request_rebaseline(ledger.milestone_a2, ledger.milestone_a2.planned_date.replace(day=1),
                          reason="征迁交地延后，申请调整封顶节点", acting_user=cast.reporter_a)
    return cast, ledger


def overflowing(page, base, routes) -> list[str]:
    wide = []
    for route in routes:
        response = page.goto(base + route)
        assert response.status == 200, route
        if route == "/maps/":  # measured once its data have arrived and the map is drawn
            page.wait_for_function("() => document.getElementById('map').dataset.loaded !== undefined")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide.append(f"{route}: {width}px")
    return wide


def test_a_reporters_pages_fit_a_phone(browser, live_server, screenshot_dir):
    _, ledger = build_week()
    page = browser.new_context(**PHONE).new_page()
    log_in(page, live_server.url, "reporter_a")
    assert overflowing(page, live_server.url, reporter_routes(ledger)) == []

    page.goto(f"{live_server.url}/projects/{ledger.project_a.pk}/")
    for table in ("procedures", "milestones", "rebaselines", "reports", "year-plans"):
        cards = page.locator(f"table.ledger.cards[data-testid={table}]")
        assert not cards.locator("thead").is_visible(), table
        assert cards.locator("tbody tr").first.evaluate("el => getComputedStyle(el).display") \
            == "block", table
    report = page.locator("table[data-testid=reports] tbody tr").first
    label = report.locator("td[data-label=形象进度]").evaluate(
        "el => getComputedStyle(el, '::before').content")
    assert "形象进度" in label
    page.screenshot(path=screenshot_dir / "project_phone.png", full_page=True)


def test_the_offices_pages_fit_a_phone(browser, live_server):
    _, ledger = build_week()
    page = browser.new_context(**PHONE).new_page()
    log_in(page, live_server.url, "office_staff")
    assert overflowing(page, live_server.url, office_routes(ledger)) == []


def test_on_a_desk_the_project_page_keeps_its_tables(browser, live_server):
    _, ledger = build_week()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "office_staff")
    page.goto(f"{live_server.url}/projects/{ledger.project_a.pk}/")
    assert page.locator("table[data-testid=reports] thead").is_visible()
    assert page.locator("table[data-testid=milestones] thead").is_visible()
