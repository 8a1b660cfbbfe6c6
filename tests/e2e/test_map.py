"""Open the battle map, filter to red, click a project, land on its page."""

import pytest

from tests.cast import build_cast
from tests.e2e.session import log_in
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
    log_in(page, base, "office_admin")
    page.goto(f"{base}/maps/")
    page.wait_for_function("() => document.getElementById('map').dataset.loaded !== undefined")
    page.select_option("select[name=colour]", "red")
    page.click("form.filters button[type=submit]")
    page.wait_for_function("() => location.search.includes('colour=red')")
    page.wait_for_function("() => document.getElementById('map-counts').innerText.includes('黄灯 0')")
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


def test_a_large_layer_loads_by_view_and_says_when_to_zoom_in(browser, live_server,
                                                               screenshot_dir):
    """A layer over the per-answer limit: zoomed out, a notice with the count (nothing cut
    silently); zoomed in, the parcels in view are drawn."""
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile

    from geo.choices import LayerKind
    from geo.importers import import_layer
    from geo.models import Layer
    from geo.tests.factories import geojson_bytes, square_m, to_lonlat
    from maps.views import LayerDataView

    build_cast()
    layer = Layer.objects.create(name="控规用地<b>", kind=LayerKind.LAND_USE)
    cells = [({"用地性质": "<img src=x onerror=window.pwned=1>", "名称": f"{i:02d}-{j:02d}"},
              square_m(i * 100, j * 100, (i + 1) * 100, (j + 1) * 100))
             for i in range(12) for j in range(12)]
    import_layer(layer, SimpleUploadedFile("grid.geojson", geojson_bytes(cells)))
    centre = to_lonlat(square_m(600, 600, 601, 601)).centroid
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with mock.patch.object(LayerDataView, "MAX_FEATURES", 50):  # the server runs in-process
        log_in(page, base, "office_admin")
        page.goto(f"{base}/maps/")
        page.wait_for_function("() => document.getElementById('map').dataset.loaded !== undefined")
        # Without animation: a second setView during a zoom animation may be dropped.
        page.evaluate(f"window.cjMap.setView([{centre.y}, {centre.x}], 14, {{animate: false}})")
        page.get_by_label("控规用地<b>").check()  # the name shows as text, not as HTML
        notice = page.get_by_test_id("map-notice")
        notice.wait_for()
        assert "“控规用地<b>”当前范围要素过多（144个" in notice.inner_text()
        assert "请放大查看" in notice.inner_text()
        page.screenshot(path=screenshot_dir / "battle_map_layer_zoom_in.png")
        page.evaluate(f"window.cjMap.setView([{centre.y}, {centre.x}], 18, {{animate: false}})")
        page.wait_for_function("() => window.cjMap.getZoom() === 18")
        key = f"layer{layer.pk}"
        page.wait_for_function(f"() => /^[0-9]+$/.test(document.getElementById('map').dataset.{key})")
        drawn = int(page.get_attribute("#map", f"data-{key}"))
        assert 0 < drawn < 50
        assert notice.is_hidden()
        page.mouse.move(683, 480)
        page.wait_for_timeout(300)
        page.screenshot(path=screenshot_dir / "battle_map_layer_by_view.png")
    assert page.evaluate("window.pwned === undefined")
    assert errors == []
