"""The battle map and the big screen as a command centre uses them: an offline basemap with
district names, the view fitted to what the filters match, clusters showing their mix of
colours, a land-use legend, a credit line naming only the data's source, a wall screen
readable from across the room, and a favicon."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOCAL = {"127.0.0.1", "localhost"}
FAR = (113.45, 34.56)  # the shared project, well away from A and B


def _city():
    """The cast's ledger on the demo's basemap: A (red) and B (yellow) side by side, the
    shared project (red) away from them; a land-use layer with a class of no standard."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.basemap import basemap_features
    from geo.choices import LayerKind
    from geo.importers import import_layer
    from geo.models import Layer
    from geo.tests.factories import geojson_bytes, square_m
    from maps.actions import do_replace_basemap
    from projects.actions import do_submit_report, do_update_project

    cast = build_cast()
    ledger = build_ledger(cast)
    do_submit_report(ledger.project_b, acting_user=cast.reporter_b, progress_percent=40,
                     investment_period=Decimal("1150"))  # B: red → yellow
    do_update_project(ledger.project_b, acting_user=cast.office_admin,
                      geometry={"type": "Point", "coordinates": [113.383, 34.512]})
    do_update_project(ledger.project_shared, acting_user=cast.office_admin,
                      geometry={"type": "Point", "coordinates": list(FAR)})
    do_replace_basemap(basemap_features())
    layer = Layer.objects.create(name="控规用地", kind=LayerKind.LAND_USE)
    cells = [({"用地性质": use}, square_m(i * 300, 0, i * 300 + 250, 250))
             for i, use in enumerate(["居住用地", "工业用地", "奇怪的类", "居住用地"])]
    import_layer(layer, SimpleUploadedFile("lu.geojson", geojson_bytes(cells)))
    return cast, ledger, layer


def _watch(page):
    hosts, errors = set(), []
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
            and hosts.add(urlsplit(r.url).hostname))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return hosts, errors


def _within(page, points) -> list[bool]:
    return page.evaluate("(pts) => pts.map(p => window.cjMap.getBounds().contains([p[1], p[0]]))",
                         points)


def test_the_battle_map_as_a_command_centre(browser, live_server, screenshot_dir):
    cast, ledger, layer = _city()
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    hosts, errors = _watch(page)
    log_in(page, base, "office_admin")
    page.goto(f"{base}/maps/")
    page.wait_for_function("() => /^[0-9]+$/.test(document.getElementById('map').dataset.basemap || '')")
    page.wait_for_function("() => document.getElementById('map').dataset.districts === 'loaded'")
    assert int(page.get_attribute("#map", "data-basemap")) > 10  # outline, water, roads, district

    # District names are labels on the map (text), the credit line names the data's source.
    label = page.locator(".basemap-label-district", has_text="测试板块")
    assert label.is_visible()
    credit = page.locator(".leaflet-control-attribution")
    assert credit.inner_text().strip() == "底图：本市地理数据"
    assert credit.locator("svg, img, a").count() == 0 and "Leaflet" not in credit.inner_html()

    # Zoomed out, A (red) and B (yellow) form one cluster whose ring shows both colours.
    page.evaluate("window.cjMap.setView([34.511, 113.3815], 11, {animate: false})")
    ring = page.locator(".cluster-ring").first
    ring.wait_for()
    assert ring.get_attribute("data-colours") == "red:1,yellow:1"
    gradient = ring.evaluate("e => getComputedStyle(e).backgroundImage")
    assert gradient.startswith("conic-gradient") and len(set(
        c for c in ("rgb(220, 38, 38)", "rgb(217, 119, 6)") if c in gradient)) == 2, gradient
    assert ring.get_attribute("title") == "红灯1，黄灯1"
    page.mouse.move(10, 10)
    page.screenshot(path=screenshot_dir / "command_map_basemap.png")

    # The land-use layer: coloured by class; the legend lists the classes present, only them.
    page.get_by_label("控规用地").check()
    legend = page.get_by_test_id("map-legend")
    legend.wait_for()
    page.wait_for_function(f"() => document.getElementById('map').dataset.layer{layer.pk} === '4'")
    rows = legend.locator(".map-legend-row").all_inner_texts()
    assert rows == ["居住用地", "工业用地", "奇怪的类"]
    assert "商业服务业用地" not in legend.inner_text()
    page.evaluate("window.cjMap.setView([34.50, 113.38], 15, {animate: false})")
    page.wait_for_timeout(300)
    page.screenshot(path=screenshot_dir / "command_map_land_use.png")
    page.get_by_label("控规用地").uncheck()
    assert legend.is_hidden()

    # Filter to red with the map far away: the map fits both red projects.
    page.evaluate("window.cjMap.setView([34.51, 113.38], 17, {animate: false})")
    red = [[113.38, 34.51], list(FAR)]
    assert _within(page, red) == [True, False]
    page.select_option("select[name=colour]", "red")
    page.click("form.filters button[type=submit]")
    page.wait_for_function("() => location.search.includes('colour=red')")
    page.wait_for_function("() => document.getElementById('map-counts').innerText.includes('黄灯 0')")
    page.wait_for_timeout(200)
    assert _within(page, red) == [True, True]
    assert page.evaluate("window.cjMap.getZoom()") >= 11  # fitted, not zoomed out to the world

    # Opening a URL with filters fits on the first load too.
    page.goto(f"{base}/maps/?colour=red")
    page.wait_for_function("() => document.getElementById('map').dataset.loaded !== undefined")
    page.wait_for_function("() => document.getElementById('map').dataset.districts === 'loaded'")
    page.wait_for_timeout(300)
    assert _within(page, red) == [True, True]

    assert hosts <= LOCAL, hosts  # nothing left the machine: the basemap is our own
    assert errors == []


def test_the_big_screen_reads_from_across_the_room(browser, live_server, screenshot_dir):
    _city()
    base = live_server.url
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    hosts, errors = _watch(page)
    log_in(page, base, "office_admin")
    page.goto(f"{base}/maps/screen/")
    page.wait_for_function("() => document.getElementById('screen-map').dataset.rendered === '1'")
    page.wait_for_function(
        "() => /^[0-9]+$/.test(document.getElementById('screen-map').dataset.basemap || '')")
    page.wait_for_timeout(300)
    assert page.locator("#screen-map .basemap-label-district", has_text="测试板块").is_visible()
    credit = page.locator("#screen-map .leaflet-control-attribution").inner_text()
    assert credit.strip() == "底图：本市地理数据"
    money = page.get_by_test_id("screen-money").inner_text()
    assert "年度计划投资" in money and ("亿元" in money or "万元" in money)
    # Every visible element holding text: at least 14 px, and none cut (wider content
    # than box, or an ellipsis).
    problems = page.evaluate("""() => {
      const out = [];
      for (const e of document.body.querySelectorAll('*')) {
        const own = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own) continue;
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        if (s.display === 'none' || s.visibility === 'hidden' || r.width === 0 || r.height === 0) continue;
        const text = e.textContent.trim().slice(0, 30);
        if (parseFloat(s.fontSize) < 14) out.push('small ' + s.fontSize + ': ' + text);
        if (s.display !== 'inline' && e.scrollWidth > e.clientWidth + 1) out.push('cut: ' + text);
        if (s.textOverflow === 'ellipsis') out.push('ellipsis: ' + text);
      }
      return out;
    }""")
    assert problems == [], problems
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080]
    page.screenshot(path=screenshot_dir / "command_big_screen.png")
    assert hosts <= LOCAL, hosts
    assert errors == []


def test_a_favicon_is_served(browser, live_server):
    base = live_server.url
    page = browser.new_page()
    response = page.request.get(f"{base}/favicon.ico")  # browsers ask for it unprompted
    assert response.status == 200
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an icon file
    page.goto(f"{base}/accounts/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    svg = page.request.get(f"{base}{href}")
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.body()
