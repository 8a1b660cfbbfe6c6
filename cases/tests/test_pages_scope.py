"""Scope of the case pages: one read path (Case.objects.visible_to) for the detail page, the
photo files, the step posts, the map data and the export. Outside scope is a 404 (or
simply absent from a list), whatever the role."""

from django.urls import reverse

from cases.tests.test_exports import rows_of
from cases.tests.test_pages_desk import CasePagesBase


class ScopeTests(CasePagesBase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

    def setUp(self):
        self.town_case = self.dispatched()  # the town's
        self.a_case = self.dispatched(unit=self.cast.unit_a, lon=113.385)  # unit A's

    def test_another_units_case_is_not_found(self):
        picture = self.town_case.photos.first()
        self.client.force_login(self.cast.reporter_a)
        for url in (reverse("cases:detail", args=[self.town_case.pk]),
                    reverse("cases:photo", args=[picture.pk]),
                    reverse("cases:photo_thumbnail", args=[picture.pk])):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(reverse("cases:step",
                                                  args=[self.town_case.pk, "start"])).status_code,
                         404)
        self.assertEqual(self.client.get(reverse("cases:detail",
                                                 args=[self.a_case.pk])).status_code, 200)

    def test_another_units_extension_is_not_found(self):
        from cases import actions

        request = actions.do_request_extension(self.town_case, acting_user=self.town_staff,
                                               amount=1, unit="day", reason="等材料")
        self.client.force_login(self.cast.reporter_a)
        response = self.client.post(reverse("cases:extension_decide", args=[request.pk]),
                                    {"approve": "1"})
        self.assertEqual(response.status_code, 404)

    def test_unit_export_and_map_hold_only_own_cases(self):
        self.client.force_login(self.cast.reporter_a)
        numbers = [row[1] for row in rows_of(self.client.get(reverse("cases:export")))]
        self.assertEqual(numbers, [self.a_case.number])
        data = self.client.get(reverse("cases:map_data"),
                               {"bbox": "113.3,34.4,113.5,34.6"}).json()
        self.assertEqual([f["id"] for f in data["features"]], [self.a_case.pk])
        # Naming the other unit in the filters changes nothing.
        data = self.client.get(reverse("cases:map_data"), {"unit": self.cast.town.pk}).json()
        self.assertEqual(data["features"], [])
        listing = self.client.get(reverse("cases:unit"), {"tab": "all"})
        self.assertNotContains(listing, self.town_case.number)

    def test_inspector_sees_own_reports_only_and_cannot_open_the_desk(self):
        someone_else = self.report(user=self.inspector_2, lon=113.386)
        self.client.force_login(self.inspector)
        self.assertEqual(self.client.get(reverse("cases:desk")).status_code, 403)
        self.assertEqual(self.client.get(reverse("cases:map")).status_code, 403)
        self.assertEqual(self.client.get(reverse("cases:export")).status_code, 403)
        self.assertEqual(self.client.get(reverse("cases:detail",
                                                 args=[self.town_case.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("cases:detail",
                                                 args=[someone_else.pk])).status_code, 404)
        data = self.client.get(reverse("cases:map_data")).json()
        self.assertNotIn(someone_else.pk, [f["id"] for f in data["features"]])
        # His own report: he reads it, but no desk button works for him.
        response = self.client.post(reverse("cases:step", args=[self.town_case.pk, "close"]))
        self.assertEqual(response.status_code, 302)
        self.town_case.refresh_from_db()
        self.assertEqual(self.town_case.state, "dispatched")

    def test_roles_without_cases_see_none(self):
        for user in (self.cast.citizen, self.cast.sys_admin):
            with self.subTest(role=user.role):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("cases:detail",
                                                         args=[self.town_case.pk])).status_code,
                                 404)
                self.assertEqual(self.client.get(reverse("cases:map_data")).json()["features"],
                                 [])

    def test_anonymous_goes_to_login(self):
        self.client.logout()
        for url in (reverse("cases:desk"), reverse("cases:detail", args=[self.town_case.pk]),
                    reverse("cases:photo", args=[self.town_case.photos.first().pk])):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("login", response["Location"])


class RoleTableTests(CasePagesBase):
    """Each person of the cast against each page: the status they get."""

    def test_pages_per_role(self):
        case = self.dispatched()
        c = self.cast
        detail = reverse("cases:detail", args=[case.pk])
        pages = {"desk": reverse("cases:desk"), "unit": reverse("cases:unit"),
                 "map": reverse("cases:map"), "export": reverse("cases:export"),
                 "detail": detail}
        # desk, unit, map, export, detail
        expected = {
            "office_admin": (c.office_admin, 200, 403, 200, 200, 200),
            "office_staff": (c.office_staff, 200, 403, 200, 200, 200),
            "supervision": (c.supervision, 403, 403, 200, 200, 200),
            "town_staff": (self.town_staff, 403, 200, 403, 200, 200),
            "reporter_a": (c.reporter_a, 403, 200, 403, 200, 404),
            "head_a": (c.head_a, 403, 200, 403, 200, 404),
            "inspector": (self.inspector, 403, 403, 403, 403, 200),
            "inspector_2": (self.inspector_2, 403, 403, 403, 403, 404),
            "city_leader": (c.city_leader, 403, 403, 200, 200, 200),  # reads, never the desk
            "citizen": (c.citizen, 403, 403, 403, 403, 404),
            "sys_admin": (c.sys_admin, 403, 403, 403, 403, 404),
        }
        for name, (user, *statuses) in expected.items():
            self.client.force_login(user)
            for (page, url), status in zip(pages.items(), statuses, strict=True):
                with self.subTest(person=name, page=page):
                    self.assertEqual(self.client.get(url).status_code, status)
