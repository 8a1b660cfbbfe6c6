"""A phone that lost its signal files again with the same key: the same case comes back
(200, the same body) instead of a second one (201) — by header or by field, in JSON or
multipart, and for two requests racing on two real database connections."""

import threading
import unittest
from unittest import mock

import time_machine
from django.db import close_old_connections, connection, connections
from django.test import TransactionTestCase, override_settings
from rest_framework.test import APIClient

from cases.choices import EventType
from cases.models import Case, CaseEvent
from cases.tests.test_api import CASES, MEDIA, NOW, WorldMixin, build_world, photo
from tests.base import CastTestCase
from tests.cast import build_cast


class Body:
    def body(self, **extra):
        data = {"case_type": self.garbage.case_type_id, "description": "路边成堆垃圾",
                "lon": 113.38, "lat": 34.51}
        data.update(extra)
        return data


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class IdempotencyTests(Body, WorldMixin, CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)

    def test_same_header_key_twice_is_one_case_and_the_same_body(self):
        client = self.api(self.inspector)
        first = client.post(CASES, self.body(), format="json",
                            HTTP_IDEMPOTENCY_KEY="phone-7-0001")
        again = client.post(CASES, self.body(description="重发"), format="json",
                            HTTP_IDEMPOTENCY_KEY="phone-7-0001")
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        self.assertEqual(first.json(), again.json())
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(CaseEvent.objects.filter(kind=EventType.REPORT).count(), 1)

    def test_same_field_key_twice_in_multipart_with_photos(self):
        client = self.api(self.inspector)
        statuses = [client.post(CASES, {**self.body(idempotency_key="k-1"),
                                        "photos": [photo()]}, format="multipart").status_code
                    for _ in range(3)]
        self.assertEqual(statuses, [201, 200, 200])
        case = Case.objects.get()
        self.assertEqual(case.photos.count(), 1)  # the retry's photos are the first call's

    def test_header_and_field_are_one_key(self):
        client = self.api(self.inspector)
        first = client.post(CASES, self.body(idempotency_key="same"), format="json")
        again = client.post(CASES, self.body(), format="json", HTTP_IDEMPOTENCY_KEY="same")
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        both = client.post(CASES, self.body(idempotency_key="same"), format="json",
                           HTTP_IDEMPOTENCY_KEY="same")
        self.assertEqual(both.status_code, 200)
        self.assertEqual(Case.objects.count(), 1)

    def test_refused_keys(self):
        client = self.api(self.inspector)
        for kwargs in ({"HTTP_IDEMPOTENCY_KEY": "k" * 65},
                       {"HTTP_IDEMPOTENCY_KEY": "a", "data": self.body(idempotency_key="b")},
                       {"data": self.body(idempotency_key="k" * 65)}):
            data = kwargs.pop("data", self.body())
            response = client.post(CASES, data, format="json", **kwargs)
            self.assertEqual(response.status_code, 400, kwargs)
            self.assertIn("idempotency_key", response.json())
        self.assertEqual(Case.objects.count(), 0)

    def test_keys_are_per_reporter_and_no_key_is_always_new(self):
        one = self.api(self.inspector).post(CASES, self.body(), format="json",
                                            HTTP_IDEMPOTENCY_KEY="k")
        two = self.api(self.inspector_2).post(CASES, self.body(), format="json",
                                              HTTP_IDEMPOTENCY_KEY="k")
        self.assertEqual((one.status_code, two.status_code), (201, 201))
        self.assertNotEqual(one.json()["id"], two.json()["id"])
        for _ in range(2):
            self.assertEqual(self.api(self.inspector).post(CASES, self.body(),
                                                           format="json").status_code, 201)
        self.assertEqual(Case.objects.count(), 4)

    def test_a_refused_report_is_not_remembered(self):
        client = self.api(self.inspector)
        bad = client.post(CASES, self.body(lon=500), format="json", HTTP_IDEMPOTENCY_KEY="k2")
        self.assertEqual(bad.status_code, 400)
        good = client.post(CASES, self.body(), format="json", HTTP_IDEMPOTENCY_KEY="k2")
        self.assertEqual(good.status_code, 201)

    def test_join_with_the_same_key_twice_is_one_sighting(self):
        case = self.report()
        joins = CaseEvent.objects.filter(case=case, kind=EventType.JOIN)
        # A join is a sighting on the spot: a photo and a position near the case.
        sighting = {"note": "又看到了", "lon": "113.3801", "lat": "34.5101"}
        for _ in range(2):
            response = self.api(self.chief).post(f"{CASES}{case.pk}/join/",
                                                 {**sighting, "photos": [photo()]},
                                                 format="multipart", HTTP_IDEMPOTENCY_KEY="j-1")
            self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(joins.count(), 1)
        self.post(self.chief, case, "join", {**sighting, "idempotency_key": "j-1",
                                             "photos": [photo()]}, multipart=True)
        self.assertEqual(joins.count(), 1)
        self.post(self.chief, case, "join", {**sighting, "note": "第二次看到",  # no key: new
                                             "photos": [photo()]}, multipart=True)
        self.assertEqual(joins.count(), 2)


@override_settings(MEDIA_ROOT=MEDIA)
@unittest.skipUnless(connection.vendor == "postgresql",
                     "needs two real connections: PostgreSQL (SQLite's test database is one "
                     "in-memory connection, one writer at a time)")
class RacingRetryTests(Body, TransactionTestCase):
    """The phone's retry arrives while the first request is still being written: each
    request in its own thread with its own connection, released at the same moment."""

    def setUp(self):
        self.cast = build_cast()
        build_world(self)

    def test_two_connections_posting_the_same_key_at_once_make_one_case(self):
        self.post_at_once(4)

    def test_when_every_lookup_misses_the_unique_key_decides(self):
        """The worst interleaving forced: no request finds another's case before inserting,
        so every one but the first is refused by the unique key and answers with its case."""
        with mock.patch("cases.models.CaseQuerySet.first", return_value=None):
            self.post_at_once(2)

    def post_at_once(self, count):
        barrier = threading.Barrier(count)
        statuses, bodies, errors = [], [], []
        lock = threading.Lock()

        def post():
            try:
                client = APIClient()
                client.force_authenticate(self.inspector)
                barrier.wait(timeout=30)
                response = client.post(CASES, self.body(), format="json",
                                       HTTP_IDEMPOTENCY_KEY="race-1")
                with lock:
                    statuses.append(response.status_code)
                    bodies.append(response.json())
            except Exception as exc:  # reported below with the thread's own error
                errors.append(repr(exc))
            finally:
                connections.close_all()  # this thread's connection

        threads = [threading.Thread(target=post) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        close_old_connections()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(statuses), [200] * (count - 1) + [201])
        self.assertEqual(Case.objects.filter(reporter=self.inspector).count(), 1)
        self.assertEqual({b["id"] for b in bodies}, {Case.objects.get().pk})
        self.assertEqual(CaseEvent.objects.filter(kind=EventType.REPORT).count(), 1)
