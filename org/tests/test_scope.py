"""Every list page and list endpoint, as every member of the cast, shows exactly what the role allows."""

from rest_framework.test import APIClient

from tests.base import CastTestCase

ALL = "all"
DENIED = "denied"


class ScopeMatrixTests(CastTestCase):
    def expected(self):
        c = self.cast
        units = {c.unit_a, c.unit_b, c.town, c.community}
        leaders_people = {c.leader.person, c.leader_other.person}
        people = {c.person_a, c.person_b, c.person_town, c.person_community} | leaders_people
        accounts = {
            c.office_admin, c.office_staff, c.reporter_a, c.reporter_b, c.head_a, c.city_leader,
            c.supervision, c.citizen, c.sys_admin, c.sec_admin, c.audit_admin,
        }
        plans = {c.plan}
        districts = {c.district}
        both_assignments = {c.assignment_a, c.assignment_b}
        business_all = dict(units=units, people=people, assignments=both_assignments,
                            plans=plans, districts=districts, accounts=DENIED)
        return {
            "office_admin": business_all,
            "office_staff": business_all,
            "supervision": business_all,
            "city_leader": dict(business_all, assignments={c.assignment_a}),
            "reporter_a": dict(business_all, people={c.person_a} | leaders_people,
                               assignments={c.assignment_a}),
            "reporter_b": dict(business_all, people={c.person_b} | leaders_people,
                               assignments={c.assignment_b}),
            "head_a": dict(business_all, people={c.person_a} | leaders_people,
                           assignments={c.assignment_a}, accounts={c.reporter_a, c.head_a}),
            "citizen": dict(units=DENIED, people=DENIED, assignments=DENIED, plans=DENIED,
                            districts=DENIED, accounts=DENIED),
            "sys_admin": dict(units=units, people=people, assignments=both_assignments,
                              plans=DENIED, districts=DENIED, accounts=accounts),
            "sec_admin": dict(units=DENIED, people=DENIED, assignments=DENIED, plans=DENIED,
                              districts=DENIED, accounts=accounts),
            "audit_admin": dict(units=DENIED, people=DENIED, assignments=DENIED, plans=DENIED,
                                districts=DENIED, accounts=DENIED),
        }

    # (key in expected, page URL, API URL or None, how a page row is recognised)
    LISTS = [
        ("units", "/org/units/", "/api/org/units/"),
        ("people", "/org/people/", "/api/org/people/"),
        ("assignments", None, "/api/org/leader-assignments/"),
        ("plans", "/plans/", "/api/plans/plans/"),
        ("districts", "/plans/districts/", "/api/plans/districts/"),
        ("accounts", "/org/accounts/", None),
    ]

    def test_every_list_shows_exactly_the_role_scope(self):
        for member, rules in self.expected().items():
            user = getattr(self.cast, member)
            for key, page_url, api_url in self.LISTS:
                want = rules[key]
                with self.subTest(member=member, list=key):
                    if page_url:
                        self.check_page(user, page_url, want)
                    if api_url:
                        self.check_api(user, api_url, want)

    def check_page(self, user, url, want):
        self.client.force_login(user)
        response = self.client.get(url)
        if want == DENIED:
            self.assertEqual(response.status_code, 403)
            return
        self.assertEqual(response.status_code, 200)
        shown = set(response.context["object_list"])
        self.assertEqual(shown, set(want))
        # Rows are rendered, and nothing outside the scope leaks into the HTML.
        html = response.content.decode()
        for obj in want:
            self.assertIn(obj.get_absolute_url() if hasattr(obj, "get_absolute_url")
                          else obj.username, html)

    def check_api(self, user, url, want):
        client = APIClient()
        client.force_authenticate(user)
        response = client.get(url, {"limit": 500})
        if want == DENIED:
            self.assertEqual(response.status_code, 403)
            return
        self.assertEqual(response.status_code, 200, response.content)
        ids = {row["id"] for row in response.json()["results"]}
        self.assertEqual(ids, {obj.pk for obj in want})

    def test_detail_outside_scope_is_404_on_page_and_api(self):
        c = self.cast
        self.client.force_login(c.reporter_b)
        self.assertEqual(self.client.get(c.person_a.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(c.person_a.get_history_url()).status_code, 404)
        client = APIClient()
        client.force_authenticate(c.reporter_b)
        self.assertEqual(client.get(f"/api/org/people/{c.person_a.pk}/").status_code, 404)
        self.assertEqual(client.get(f"/api/org/leader-assignments/{c.assignment_a.pk}/").status_code,
                         404)

    def test_archived_records_leave_every_list(self):
        c = self.cast
        c.unit_b.archive()
        self.client.force_login(c.office_admin)
        self.assertNotIn(c.unit_b, self.client.get("/org/units/").context["object_list"])

    def test_anonymous_is_sent_to_login_and_api_says_401(self):
        response = self.client.get("/org/units/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.assertEqual(APIClient().get("/api/org/units/").status_code, 401)
