"""OGC API – Features collections of city management: grids and road segments (base data,
roles that read the organisation) and open cases (Case.objects.visible_to; anonymous: none),
with bbox on each and the extent of what the caller may see."""

import time_machine
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from cases import actions
from cases.tests.test_api import MEDIA, NOW, WorldMixin, build_world, photo
from tests.base import CastTestCase

CASE_COLLECTIONS = {"cases-grids", "cases-segments", "cases-open"}


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class CaseCollectionsTests(WorldMixin, CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)
        desk = cls.cast.office_staff

        def dispatched(unit, **extra):
            case = WorldMixin.report(cls, **extra)
            actions.do_accept(case, acting_user=desk)
            actions.do_register(case, acting_user=desk)
            return actions.do_dispatch(case, acting_user=desk, unit=unit)

        cls.near = dispatched(cls.cast.town)
        cls.far = dispatched(cls.cast.unit_a, lon=113.48, lat=34.61, grid=cls.far_grid,
                             segment=cls.far_segment, user=desk)
        cls.closed = dispatched(cls.cast.town)
        actions.do_start(cls.closed, acting_user=cls.town_staff)
        actions.do_handle(cls.closed, acting_user=cls.town_staff, photos=[photo()])
        actions.do_send_check(cls.closed, acting_user=desk)
        actions.do_check(cls.closed, acting_user=cls.inspector, passed=True, photos=[photo()])
        actions.do_close(cls.closed, acting_user=desk)

    def client_for(self, user=None, token=False):
        client = Client()
        if user is not None and token:
            key = Token.objects.get_or_create(user=user)[0].key
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
        elif user is not None:
            client.force_login(user)
        return client

    def collections(self, client):
        response = client.get("/ogc/collections")
        self.assertEqual(response.status_code, 200)
        return {c["id"]: c for c in response.json()["collections"]}

    def items(self, client, cid, **query):
        response = client.get(f"/ogc/collections/{cid}/items", query)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def ids(self, client, cid, **query):
        return sorted(f["id"] for f in self.items(client, cid, **query)["features"])

    def test_the_desk_reads_grids_segments_and_open_cases(self):
        client = self.client_for(self.desk, token=True)
        found = self.collections(client)
        self.assertLessEqual(CASE_COLLECTIONS, set(found))
        self.assertEqual(self.ids(client, "cases-open"), sorted([self.near.pk, self.far.pk]))
        feature = self.items(client, "cases-open", bbox="113.47,34.60,113.49,34.62")["features"]
        self.assertEqual([f["id"] for f in feature], [self.far.pk])
        self.assertEqual(feature[0]["geometry"], {"type": "Point", "coordinates": [113.48, 34.61]})
        self.assertEqual(feature[0]["properties"]["handling_unit"], "甲局")
        self.assertEqual(found["cases-open"]["extent"]["spatial"]["bbox"],
                         [[113.38, 34.51, 113.48, 34.61]])
        self.assertEqual(self.ids(client, "cases-grids"),
                         sorted([self.grid.pk, self.far_grid.pk]))
        self.assertEqual(self.ids(client, "cases-grids", bbox="113.375,34.505,113.376,34.506"),
                         [self.grid.pk])
        self.assertEqual(found["cases-grids"]["extent"]["spatial"]["bbox"],
                         [[113.37, 34.50, 113.49, 34.62]])
        self.assertEqual(self.ids(client, "cases-segments", bbox="113.46,34.60,113.50,34.62"),
                         [self.far_segment.pk])
        self.assertEqual(found["cases-segments"]["extent"]["spatial"]["bbox"],
                         [[113.37, 34.51, 113.49, 34.61]])
        segment = client.get(f"/ogc/collections/cases-segments/items/{self.segment.pk}").json()
        self.assertEqual(segment["properties"]["chiefs"],
                         [{"level": "district", "level_label": "区级(街道)路长", "name": "丙一"}])
        self.assertNotIn("1370000", str(segment))

    def test_a_unit_sees_only_its_open_cases(self):
        client = self.client_for(self.town_staff)
        self.assertEqual(self.ids(client, "cases-open"), [self.near.pk])
        response = client.get(f"/ogc/collections/cases-open/items/{self.far.pk}")
        self.assertEqual(response.status_code, 404)
        client = self.client_for(self.cast.reporter_a, token=True)
        self.assertEqual(self.ids(client, "cases-open"), [self.far.pk])
        self.assertEqual(self.items(client, "cases-open")["numberMatched"], 1)

    def test_an_inspector_and_a_road_chief(self):
        # the inspector reported near and closed (closed is not open); the chief's segment
        self.assertEqual(self.ids(self.client_for(self.inspector), "cases-open"), [self.near.pk])
        self.assertEqual(self.ids(self.client_for(self.inspector_2), "cases-open"), [])
        self.assertEqual(self.ids(self.client_for(self.chief), "cases-open"), [self.near.pk])

    def test_anonymous_and_roles_without_cases_get_no_case_collection(self):
        anonymous = self.client_for()
        self.assertFalse(CASE_COLLECTIONS & set(self.collections(anonymous)))
        for cid in CASE_COLLECTIONS:
            response = anonymous.get(f"/ogc/collections/{cid}/items")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response.json()["code"], "NotFound")
        response = anonymous.get(f"/ogc/collections/cases-open/items/{self.near.pk}")
        self.assertEqual(response.status_code, 404)
        # a city leader reads the base data and, read-only, the city's open cases
        leader = self.collections(self.client_for(self.cast.city_leader))
        self.assertEqual(CASE_COLLECTIONS & set(leader), CASE_COLLECTIONS)
        # a citizen reads no organisation data
        self.assertFalse(CASE_COLLECTIONS & set(self.collections(
            self.client_for(self.cast.citizen))))

    def test_bad_bbox_is_a_400_with_a_reason(self):
        client = self.client_for(self.desk)
        for cid in CASE_COLLECTIONS:
            for bbox in ("1,2,3", "3,0,1,1", "a,b,c,d"):
                response = client.get(f"/ogc/collections/{cid}/items", {"bbox": bbox})
                self.assertEqual(response.status_code, 400, (cid, bbox))
                self.assertIn("bbox", response.json()["description"])

    def test_reads_are_audited_as_exports(self):
        from core.choices import AuditEventType
        from core.models import AuditEvent

        client = self.client_for(self.desk)
        self.items(client, "cases-open")
        event = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).latest("pk")
        self.assertEqual(event.detail["collection"], "cases-open")
