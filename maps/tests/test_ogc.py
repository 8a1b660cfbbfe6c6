"""OGC API – Features read by OWSLib against a live server: collections, bbox, paging, items,
scope (a unit's token sees only its projects; anonymous callers only public layers)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from owslib.ogcapi.features import Features
from rest_framework.authtoken.models import Token

from geo.choices import LayerKind
from geo.importers import import_layer
from geo.models import Layer
from geo.tests.factories import geojson_bytes, square_m
from projects import actions
from tests.cast import build_cast
from tests.ledger_cast import build_ledger

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city():
    cast = build_cast()
    ledger = build_ledger(cast)
    for project, lon in ((ledger.project_b, 113.40), (ledger.project_shared, 113.42)):
        actions.do_update_project(project, acting_user=cast.office_admin, geometry={
            "type": "Point", "coordinates": [lon, 34.50]})
    public = Layer.objects.create(name="公园", kind=LayerKind.PARK, is_public=True)
    private = Layer.objects.create(name="控规", kind=LayerKind.LAND_USE)
    parks = [({"名称": f"公园{i}"}, square_m(i * 100, 0, i * 100 + 50, 50)) for i in range(25)]
    import_layer(public, SimpleUploadedFile("parks.geojson", geojson_bytes(parks)))
    import_layer(private, SimpleUploadedFile("zones.geojson", geojson_bytes(
        [({"用地性质": "公园绿地"}, square_m(0, 0, 10, 10))])))
    return cast, ledger, public, private


def client(live_server, user=None):
    # OWSLib 0.35 merges `headers` into its module-level defaults, so a token given to
    # one client leaks into the next; start every client from clean defaults.
    from owslib import ogcapi

    ogcapi.REQUEST_HEADERS.pop("Authorization", None)
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return Features(f"{live_server.url}/ogc/", headers=headers)


def test_owslib_reads_collections_items_bbox_and_paging(live_server, city):
    cast, ledger, public, private = city
    api = client(live_server, cast.office_admin)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in \
        api.conformance()["conformsTo"]
    ids = {c["id"] for c in api.collections()["collections"]}
    assert {"projects", "core-districts", f"layer-{public.pk}", f"layer-{private.pk}"} <= ids
    first = api.collection_items(f"layer-{public.pk}", limit=10)
    assert (first["numberMatched"], first["numberReturned"]) == (25, 10)
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert "offset=10" in next_link
    third = api.collection_items(f"layer-{public.pk}", limit=10, offset=20)
    assert third["numberReturned"] == 5
    projects = api.collection_items("projects", bbox=[113.39, 34.49, 113.41, 34.51])
    assert [f["properties"]["code"] for f in projects["features"]] == [ledger.project_b.code]
    one = api.collection_item("projects", str(ledger.project_a.pk))
    assert one["properties"]["name"] == "甲路综合改造工程"
    assert one["geometry"]["type"] == "Point"


def test_scope_applies_to_projects_and_layers(live_server, city):
    cast, ledger, public, private = city
    unit_b = client(live_server, cast.reporter_b)
    codes = {f["properties"]["code"] for f in unit_b.collection_items("projects")["features"]}
    assert codes == {ledger.project_b.code, ledger.project_shared.code}
    with pytest.raises(RuntimeError):  # out of scope: 404
        unit_b.collection_item("projects", str(ledger.project_a.pk))
    anonymous = client(live_server)
    ids = {c["id"] for c in anonymous.collections()["collections"]}
    assert ids == {f"layer-{public.pk}"}



def test_bad_parameters_get_a_400_with_a_reason(live_server, city):
    import requests

    cast, ledger, public, private = city
    base = f"{live_server.url}/ogc/collections/layer-{public.pk}/items"
    for query in ("bbox=1,2,3", "bbox=a,b,c,d", "limit=-1", "offset=x"):
        response = requests.get(f"{base}?{query}", timeout=10)
        assert response.status_code == 400, query
        assert response.json()["description"]
    assert requests.get(f"{live_server.url}/ogc/collections/nope", timeout=10).status_code == 404
    token = Token.objects.get_or_create(user=cast.office_admin)[0].key
    dated = requests.get(f"{live_server.url}/ogc/collections/projects/items?datetime=2099-01-01/..",
                         headers={"Authorization": f"Token {token}"}, timeout=10).json()
    assert dated["numberMatched"] == 0
    bad = requests.get(f"{live_server.url}/ogc/collections/projects/items?datetime=soon",
                       headers={"Authorization": f"Token {token}"}, timeout=10)
    assert bad.status_code == 400
