"""A list page or endpoint must not grow its query count with its rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from org import actions
from tests.base import CastTestCase


class QueryCountTests(CastTestCase):
    URLS = ["/org/units/", "/org/people/", "/org/leaders/", "/plans/", "/plans/districts/",
            "/api/org/units/", "/api/org/people/", "/api/org/leaders/", "/api/plans/plans/"]

    def count(self, url):
        client = APIClient()
        client.force_login(self.cast.office_admin)
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(client.get(url).status_code, 200)
        return len(ctx)

    def test_queries_do_not_grow_with_rows(self):
        before = {url: self.count(url) for url in self.URLS}
        for i in range(15):
            unit = actions.do_create_unit(name=f"新增单位{i}", kind="other", parent=self.cast.unit_a)
            person = actions.do_create_person(name=f"新人{i}", unit=unit, phone="13800000000")
            leader = actions.do_create_leader(person=person, position="副市长")
            actions.do_assign_leader(leader, unit)
        after = {url: self.count(url) for url in self.URLS}
        self.assertEqual(before, after)
