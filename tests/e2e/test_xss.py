"""Stored script injection (issue 17): hostile names planted where offices, the admin and
imported GIS files can put them, opened in a real browser. A dialog is the attack working;
each name must also show, as text, where it was planted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A tag for HTML sinks and a quote for attribute sinks (the Gantt's aria-label), in one name.
NAME = '<img src=x onerror=alert(1)>Q" onload="alert(1)//'
DISTRICT = (34.505, 113.375)  # the cast's district square, 113.37–113.38 × 34.50–34.51
POINT_A = (34.505, 113.395)   # project A, a point east of the district
SHAPE_B = (34.505, 113.415)   # project B, a square further east


@pytest.fixture
def hostile(live_server):
    """The cast and ledger with NAME in every field the map, the Gantt and the charts show."""
    from geo.choices import LayerKind
    from geo.importers import import_layer
    from geo.models import Layer
    from geo.tests.factories import geojson_bytes, square_m, to_lonlat
    from plans.models import CoreDistrict
    from projects import actions

    cast = build_cast()
    ledger = build_ledger(cast)
    CoreDistrict.objects.filter(pk=cast.district.pk).update(name="块" + NAME)  # 板块名称 holds 50
    ledger.category.__class__.objects.filter(pk=ledger.category.pk).update(name="类别" + NAME)
    lon, lat = POINT_A[1], POINT_A[0]
    actions.do_update_project(ledger.project_a, acting_user=cast.office_admin, name="项目" + NAME,
                              geometry={"type": "Point", "coordinates": [lon, lat]})
    lon, lat = SHAPE_B[1], SHAPE_B[0]
    actions.do_update_project(ledger.project_b, acting_user=cast.office_admin, name="红线" + NAME,
                              geometry={"type": "Polygon", "coordinates": [[
                                  [lon - .004, lat - .004], [lon + .004, lat - .004],
                                  [lon + .004, lat + .004], [lon - .004, lat + .004],
                                  [lon - .004, lat - .004]]]})
    layer = Layer.objects.create(name="图层" + NAME, kind=LayerKind.LAND_USE)
    west, east = square_m(0, 0, 300, 300), square_m(400, 0, 700, 300)
    import_layer(layer, SimpleUploadedFile("hostile.geojson", geojson_bytes([
        ({"用地性质": "用" + NAME, "名称": "地块一"}, west),  # 用地性质 keeps 50 characters
        ({"用地性质": "", "名称": "地块" + NAME}, east)])))
    return ledger, layer, to_lonlat(west).centroid, to_lonlat(east).centroid


def open_page(browser, base):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base, "office_admin")
    return page, dialogs, errors


def show(page, lat, lon, zoom):
    """Centre the map and wait until the projects in view have been loaded again."""
    page.evaluate("() => { document.getElementById('map').dataset.loaded = ''; }")
    page.evaluate(f"() => window.cjMap.setView([{lat}, {lon}], {zoom})")
    page.wait_for_function("() => document.getElementById('map').dataset.loaded !== ''")
    page.wait_for_timeout(200)


def hover(page, lat, lon, text):
    """Move the mouse onto a map position like a person; the tooltip there must say `text`."""
    page.mouse.move(5, 5)  # off the map, so the previous tooltip closes
    page.wait_for_timeout(100)
    x, y = page.evaluate(
        f"() => {{ const p = window.cjMap.latLngToContainerPoint([{lat}, {lon}]);"
        " const r = document.getElementById('map').getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }")
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tip = page.locator(".leaflet-tooltip").filter(has_text=text)
    tip.wait_for(timeout=5000)
    assert tip.locator("img").count() == 0
    return tip


def test_the_battle_map_shows_hostile_names_as_text(browser, live_server, hostile,
                                                    screenshot_dir):
    ledger, layer, west, east = hostile
    page, dialogs, errors = open_page(browser, live_server.url)
    page.goto(f"{live_server.url}/maps/")
    page.wait_for_load_state("networkidle")  # the districts' fitBounds is done before we move
    # Low zoom: projects as clustered dots.
    show(page, POINT_A[0], 113.405, 13)
    assert hover(page, *POINT_A, "项目" + NAME).inner_text() == "项目" + NAME
    hover(page, *SHAPE_B, "红线" + NAME)
    # High zoom: shapes; the card opened from a shape is the server's escaped template.
    show(page, POINT_A[0], 113.405, 15)
    hover(page, *POINT_A, "项目" + NAME)
    hover(page, *SHAPE_B, "红线" + NAME)
    page.mouse.click(*page.evaluate(
        f"() => {{ const p = window.cjMap.latLngToContainerPoint([{SHAPE_B[0]}, {SHAPE_B[1]}]);"
        " const r = document.getElementById('map').getBoundingClientRect();"
        " return [r.left + p.x, r.top + p.y]; }"))
    card = page.get_by_test_id("map-card")
    card.wait_for()
    assert "红线" + NAME in card.inner_text()
    # The core district's name.
    show(page, *DISTRICT, 15)
    hover(page, *DISTRICT, "块" + NAME)
    page.screenshot(path=screenshot_dir / "xss_map_district.png")
    # The plan layer: its name in the layer switcher, its features' attributes in tooltips.
    switch = page.get_by_label("图层" + NAME)
    switch.check()
    assert "图层" + NAME in page.locator(".leaflet-control-layers-overlays").inner_text()
    show(page, west.y, (west.x + east.x) / 2, 16)
    page.wait_for_function(f"() => document.getElementById('map').dataset.layer{layer.pk} === '2'")
    hover(page, west.y, west.x, "用" + NAME)
    hover(page, east.y, east.x, "地块" + NAME)
    page.screenshot(path=screenshot_dir / "xss_map_layer.png")
    assert page.locator(".leaflet-container img[src=x]").count() == 0
    assert dialogs == [] and errors == []


def test_the_gantt_page_and_its_svg_show_hostile_names_as_text(browser, live_server, hostile,
                                                              screenshot_dir):
    from core.choices import AuditEventType
    from core.models import AuditEvent

    ledger, *_ = hostile
    project = ledger.project_a
    page, dialogs, errors = open_page(browser, live_server.url)
    page.goto(f"{live_server.url}/maps/timeline/{project.pk}/")
    title = f"项目{NAME} 节点推进时序"
    assert page.locator("h1").inner_text() == title
    svg = page.locator("#gantt svg")
    assert svg.get_attribute("aria-label") == title
    assert svg.get_attribute("onload") is None
    assert title in svg.locator("text").first.text_content()
    assert page.locator("#gantt img").count() == 0
    with page.expect_download() as download:  # the PNG is drawn from the audited SVG
        page.click("#export-png")
    assert download.value.suggested_filename == "timeline.png"
    assert AuditEvent.objects.filter(event_type=AuditEventType.EXPORT,
                                     detail__format="png").count() == 1
    page.goto(f"{live_server.url}/maps/timeline/")
    assert ("项目" + NAME)[:22] in page.locator("#gantt svg").text_content()
    page.screenshot(path=screenshot_dir / "xss_gantt.png")
    # The download opened on its own, as a browser shows an SVG link.
    page.goto(f"{live_server.url}/maps/timeline/{project.pk}/?format=svg")
    root = page.locator("svg").first
    assert root.get_attribute("aria-label") == title
    assert root.get_attribute("onload") is None
    assert title in page.locator("text").first.text_content()
    page.wait_for_timeout(300)
    assert dialogs == [] and errors == []


def test_cockpit_tooltips_show_hostile_names_as_text(browser, live_server, hostile):
    page, dialogs, errors = open_page(browser, live_server.url)
    page.goto(f"{live_server.url}/maps/cockpit/")
    chart = page.locator("#c-category")
    box = chart.bounding_box()
    x = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('c-category'))"
                      ".convertToPixel({xAxisIndex: 0}, 0)")
    page.mouse.move(box["x"] + x, box["y"] + box["height"] / 2)
    tip = chart.locator("div").filter(has_text="类别" + NAME).last
    tip.wait_for(timeout=5000)
    assert chart.locator("img").count() == 0
    assert dialogs == [] and errors == []
