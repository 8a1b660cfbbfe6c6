"""Phone numbers on history and admin pages: masked for every role, revealed only through
the audited step with a reason; pages with personal data are never cached (issue 17 item 5).
"""

from core.choices import AuditEventType, ChangeSource
from core.history import change_context
from core.models import AuditEvent
from org import actions
from org.choices import Role
from tests.base import CastTestCase
from tests.cast import PASSWORD

OLD_A, NEW_A = "13812345678", "13911112222"     # person A (unit A): before and after
OLD_L, NEW_L = "13600003333", "13655556666"     # the city leader's person (no unit)
FULL = (OLD_A, NEW_A, OLD_L, NEW_L)


def masked(phone):
    return phone[:3] + "****" + phone[-4:]


class PersonalDataTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.road_chief = actions.do_create_account(username="road_chief", role=Role.ROAD_CHIEF,
                                                   password=PASSWORD, unit=c.unit_a)
        cls.inspector = actions.do_create_account(username="inspector", role=Role.INSPECTOR,
                                                  password=PASSWORD, unit=c.unit_a)
        cls.leader_person = c.leader.person
        with change_context(ChangeSource.SYSTEM, label="测试"):
            for person, phone in ((c.person_a, NEW_A), (cls.leader_person, NEW_L)):
                person.phone = phone
                person.save()

    def history(self, user, person, **post):
        self.client.force_login(user)
        url = person.get_history_url()
        return self.client.post(url, post) if post else self.client.get(url)

    def assert_no_store(self, response):
        self.assertIn("no-store", response.get("Cache-Control", ""), response.request["PATH_INFO"])

    def assert_masked(self, response):
        html = response.content.decode()
        for phone in FULL:
            self.assertNotIn(phone, html)
        return html


class HistoryMaskingTests(PersonalDataTests):
    def test_every_role_sees_masked_numbers_in_the_history(self):
        c = self.cast
        who_sees_what = [
            (self.road_chief, c.person_a), (self.inspector, c.person_a),
            (c.reporter_b, self.leader_person), (c.sys_admin, c.person_a),
            (c.office_staff, c.person_a), (c.office_admin, c.person_a), (c.head_a, c.person_a),
            (c.city_leader, c.person_a), (c.reporter_a, c.person_a),
        ]
        for user, person in who_sees_what:
            with self.subTest(role=user.role, person=person.name):
                response = self.history(user, person)
                self.assertEqual(response.status_code, 200)
                html = self.assert_masked(response)
                old, new = (OLD_A, NEW_A) if person == c.person_a else (OLD_L, NEW_L)
                self.assertIn(masked(old), html)
                self.assertIn(masked(new), html)
                self.assert_no_store(response)

    def test_the_reveal_form_is_offered_only_to_who_may_reveal(self):
        c = self.cast
        offered = {(c.office_admin, c.person_a), (c.head_a, c.person_a),
                   (c.office_admin, self.leader_person)}
        for user in (self.road_chief, self.inspector, c.reporter_b, c.sys_admin, c.office_staff,
                     c.office_admin, c.head_a):
            for person in (c.person_a, self.leader_person):
                response = self.history(user, person)
                if response.status_code == 404:
                    continue
                with self.subTest(role=user.role, person=person.name):
                    self.assertEqual("显示历史中的完整号码" in response.content.decode(),
                                     (user, person) in offered)

    def test_an_entitled_reveal_needs_a_reason_and_is_audited(self):
        c = self.cast
        self.assertEqual(self.history(c.head_a, c.person_a, reason=" ").status_code, 403)
        response = self.history(c.head_a, c.person_a, reason="核对换号时间")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(OLD_A, html)
        self.assertIn(NEW_A, html)
        self.assert_no_store(response)
        event = AuditEvent.objects.filter(event_type=AuditEventType.VIEW_PERSONAL_DATA,
                                          success=True).get()
        self.assertEqual((event.username, event.object_id, event.detail["reason"],
                          event.detail["page"]), ("head_a", str(c.person_a.pk), "核对换号时间",
                                                  "history"))

    def test_a_reveal_without_the_right_is_refused_and_audited(self):
        c = self.cast
        for user, person in ((c.sys_admin, c.person_a), (self.road_chief, c.person_a),
                             (c.reporter_b, self.leader_person), (c.office_staff, c.person_a),
                             (c.head_a, self.leader_person)):
            with self.subTest(role=user.role):
                response = self.history(user, person, reason="想看")
                self.assertEqual(response.status_code, 403)
                self.assert_masked(response)
        self.assertEqual(AuditEvent.objects.filter(
            event_type=AuditEventType.VIEW_PERSONAL_DATA, success=False).count(), 5)

    def test_another_units_person_stays_out_of_reach(self):
        self.assertEqual(self.history(self.cast.reporter_b, self.cast.person_a).status_code, 404)


class NoStoreTests(PersonalDataTests):
    def test_pages_with_people_are_not_cached(self):
        c = self.cast
        self.client.force_login(c.office_admin)
        for url in ("/org/people/", c.person_a.get_absolute_url(), c.person_a.get_history_url(),
                    c.unit_a.get_absolute_url(), "/api/org/people/",
                    f"/api/org/people/{c.person_a.pk}/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_no_store(response)
        reveal = self.client.post(f"/org/people/{c.person_a.pk}/reveal-phone/",
                                  {"reason": "联系"})
        self.assertIn(NEW_A, reveal.content.decode())
        self.assert_no_store(reveal)


class AdminMaskingTests(PersonalDataTests):
    def admin(self, user, path):
        self.client.force_login(user)
        return self.client.get(f"/admin/org/person/{path}")

    def test_admin_list_change_and_history_pages_are_masked_and_not_cached(self):
        c = self.cast
        for user in (c.office_admin, c.sys_admin):
            for path in ("", f"{c.person_a.pk}/change/", f"{c.person_a.pk}/history/",
                         f"{self.leader_person.pk}/change/"):
                with self.subTest(role=user.role, path=path):
                    response = self.admin(user, path)
                    self.assertEqual(response.status_code, 200)
                    self.assert_masked(response)
                    self.assert_no_store(response)
        self.assertContains(self.admin(c.sys_admin, ""), masked(NEW_A))
        self.assertContains(self.admin(c.sys_admin, f"{c.person_a.pk}/change/"), masked(NEW_A))

    def test_the_editor_is_pointed_to_the_audited_reveal(self):
        response = self.admin(self.cast.office_admin, f"{self.cast.person_a.pk}/change/")
        self.assertContains(response, f'value="{masked(NEW_A)}"')
        self.assertContains(response, f'href="{self.cast.person_a.get_absolute_url()}"')

    def test_saving_with_the_masked_number_keeps_it_and_a_new_number_replaces_it(self):
        c = self.cast
        self.client.force_login(c.office_admin)
        url = f"/admin/org/person/{c.person_a.pk}/change/"
        form = {"name": c.person_a.name, "title": "科长", "unit": c.unit_a.pk,
                "phone": masked(NEW_A), "_save": "保存"}
        self.assertEqual(self.client.post(url, form).status_code, 302)
        c.person_a.refresh_from_db()
        self.assertEqual((c.person_a.title, c.person_a.phone), ("科长", NEW_A))
        self.assertEqual(self.client.post(url, {**form, "phone": "13733334444"}).status_code, 302)
        c.person_a.refresh_from_db()
        self.assertEqual(c.person_a.phone, "13733334444")
        self.assert_masked(self.admin(c.office_admin, f"{c.person_a.pk}/history/"))
        self.assertNotIn("13733334444", self.history(c.sys_admin, c.person_a).content.decode())

    def test_roles_without_the_admin_right_do_not_reach_it(self):
        for user in (self.road_chief, self.inspector, self.cast.reporter_b,
                     self.cast.office_staff):
            with self.subTest(role=user.role):
                self.assertEqual(self.admin(user, f"{self.cast.person_a.pk}/change/").status_code,
                                 302)  # not staff: the admin's login page
