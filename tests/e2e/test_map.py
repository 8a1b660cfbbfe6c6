"""Open the battle map, filter to red, click a project, land on its page."""

import pytest

from tests.cast import PASSWORD, build_cast
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_to_red_and_open_a_project(browser, live_server, screenshot_dir):
    cast = build_cast()
    ledger = build_ledger(cast)  # all three red (no reports yet); only A has a location
    from decimal import Decimal

    from projects.actions import do_submit_report

    do_submit_report(ledger.project_b, acting_user=cast.reporter_b, progress_percent=40,
                     investment_period=Decimal("1150"))  # B catches up: red → yellow
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "office_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/maps/")
    page.wait_for_function("document.getElementById('map').dataset.loaded !== undefined")
    page.select_option("select[name=colour]", "red")
    page.click("form.filters button[type=submit]")
    page.wait_for_function("location.search.includes('colour=red')")
    page.wait_for_function("document.getElementById('map-counts').innerText.includes('黄灯 0')")
    counts = page.get_by_test_id("map-counts").inner_text()
    assert "红灯 2" in counts and "黄灯 0" in counts
    assert page.get_attribute("#map", "data-loaded") == "1"  # of the two red, one has a location
    # Centre on project A and click its dot.
    page.evaluate("window.cjMap.setView([34.51, 113.38], 13)")
    page.wait_for_timeout(500)
    point = page.evaluate("(() => { const p = window.cjMap.latLngToContainerPoint([34.51, 113.38]);"
                          " const r = document.getElementById('map').getBoundingClientRect();"
                          " return [r.left + p.x, r.top + p.y]; })()")
    page.mouse.click(point[0], point[1])
    card = page.get_by_test_id("map-card")
    card.wait_for()
    assert ledger.project_a.name in card.inner_text()
    assert "红灯" in card.inner_text()
    page.wait_for_timeout(400)  # let the popup finish fading in
    page.screenshot(path=screenshot_dir / "battle_map_card.png")
    card.get_by_role("link", name="查看项目").click()
    page.wait_for_url(f"**{ledger.project_a.get_absolute_url()}")
    assert ledger.project_a.name in page.locator("h1").inner_text()
    assert errors == []
