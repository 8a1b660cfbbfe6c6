"""On a phone the ledger list's filters fold behind one button and each project is a card."""

import pytest

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ledger_on_a_phone_is_cards_with_folded_filters(browser, live_server, screenshot_dir):
    cast = build_cast()
    ledger = build_ledger(cast)
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "office_staff")
    page.goto(f"{base}/projects/")

    fold = page.locator("details.filter-fold")
    assert fold.evaluate("el => el.open") is False
    assert not page.locator("form.filters").is_visible()
    page.locator("details.filter-fold > summary").click()
    assert page.locator("form.filters").is_visible()

    card = page.locator("table.ledger.cards tbody tr", has_text=ledger.project_a.name)
    assert card.evaluate("el => getComputedStyle(el).display") == "block"
    assert not page.locator("table.ledger.cards thead").is_visible()
    # Each figure carries its label, so a card reads without the header row.
    unit_cell = card.locator("td[data-label=责任单位]")
    label = unit_cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert "责任单位" in label
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshot_dir / "ledger_phone.png", full_page=True)

    # A filter in use is counted on the folded button.
    page.goto(f"{base}/projects/?lead_unit={cast.unit_a.pk}")
    assert "已选1项" in page.locator("details.filter-fold > summary").inner_text()


def test_ledger_on_a_desk_is_a_table_with_open_filters(browser, live_server):
    cast = build_cast()
    build_ledger(cast)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "office_staff")
    page.goto(f"{live_server.url}/projects/")
    assert page.locator("form.filters").is_visible()
    assert not page.locator("details.filter-fold > summary").is_visible()
    assert page.locator("table.ledger.cards thead").is_visible()


def test_a_list_default_is_not_counted_as_a_chosen_filter(browser, live_server):
    build_cast()
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "office_staff")
    page.goto(f"{live_server.url}/supervision/meetings/")
    summary = page.locator("details.filter-fold > summary")
    assert summary.inner_text() == "筛选"  # the list's own default (upcoming) is not a choice
