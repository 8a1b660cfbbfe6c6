"""Each mutating view and rule, tried by the roles that must not pass."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from core.choices import AuditEventType
from core.models import AuditEvent
from org import actions
from org.choices import Role
from org.models import User
from tests.base import CastTestCase
from tests.cast import PASSWORD


class PhoneMaskingTests(CastTestCase):
    def test_lists_and_api_show_masked_phones_only(self):
        self.client.force_login(self.cast.office_admin)
        html = self.client.get("/org/people/").content.decode()
        self.assertIn("138****5678", html)
        self.assertNotIn("13812345678", html)
        self.client.force_login(self.cast.reporter_a)
        data = self.client.get(f"/api/org/people/{self.cast.person_a.pk}/").json()
        self.assertEqual(data["phone"], "138****5678")

    def test_unit_head_reveals_own_unit_phone_and_it_is_audited(self):
        self.client.force_login(self.cast.head_a)
        response = self.client.post(f"/org/people/{self.cast.person_a.pk}/reveal-phone/",
                                    {"reason": "联系项目协调"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("13812345678", response.content.decode())
        event = AuditEvent.objects.filter(event_type=AuditEventType.VIEW_PERSONAL_DATA).first()
        self.assertEqual(event.username, "head_a")
        self.assertEqual(event.detail["reason"], "联系项目协调")
        self.assertTrue(event.success)

    def test_reporter_cannot_reveal_and_the_attempt_is_audited(self):
        self.client.force_login(self.cast.reporter_a)
        response = self.client.post(f"/org/people/{self.cast.person_a.pk}/reveal-phone/",
                                    {"reason": "想看"})
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("13812345678", response.content.decode())
        event = AuditEvent.objects.filter(event_type=AuditEventType.VIEW_PERSONAL_DATA).first()
        self.assertFalse(event.success)

    def test_unit_head_cannot_reveal_other_units_phone(self):
        self.client.force_login(self.cast.head_a)
        # Person B is outside head A's scope entirely: not found.
        response = self.client.post(f"/org/people/{self.cast.person_b.pk}/reveal-phone/",
                                    {"reason": "x"})
        self.assertEqual(response.status_code, 404)

    def test_reveal_needs_a_reason(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.post(f"/org/people/{self.cast.person_b.pk}/reveal-phone/",
                                    {"reason": "  "})
        self.assertEqual(response.status_code, 403)


class SeparationOfDutiesTests(CastTestCase):
    def test_system_admin_cannot_grant_business_roles(self):
        with self.assertRaises(PermissionDenied):
            actions.do_create_account(username="new1", role=Role.OFFICE_ADMIN, password=PASSWORD,
                                      acting_user=self.cast.sys_admin)
        user = actions.do_create_account(username="new2", role=Role.CITIZEN, password=PASSWORD,
                                         acting_user=self.cast.sys_admin)
        with self.assertRaises(PermissionDenied):
            actions.do_change_role(user, role=Role.OFFICE_STAFF, acting_user=self.cast.sys_admin)

    def test_security_admin_grants_roles_but_not_to_itself(self):
        c = self.cast
        actions.do_change_role(c.citizen, role=Role.UNIT_REPORTER, unit=c.unit_b,
                               acting_user=c.sec_admin)
        c.citizen.refresh_from_db()
        self.assertEqual(c.citizen.role, Role.UNIT_REPORTER)
        with self.assertRaises(PermissionDenied):
            actions.do_change_role(c.sec_admin, role=Role.AUDIT_ADMIN, acting_user=c.sec_admin)

    def test_business_roles_cannot_grant_roles_or_create_accounts(self):
        c = self.cast
        for member in (c.office_admin, c.head_a, c.reporter_a, c.city_leader, c.audit_admin):
            with self.subTest(member=member.username), self.assertRaises(PermissionDenied):
                actions.do_change_role(c.citizen, role=Role.OFFICE_ADMIN, acting_user=member)
            with self.subTest(member=member.username), self.assertRaises(PermissionDenied):
                actions.do_create_account(username="x" + member.username, role=Role.CITIZEN,
                                          password=PASSWORD, acting_user=member)

    def test_role_change_is_an_audited_permission_change(self):
        c = self.cast
        actions.do_change_role(c.citizen, role=Role.OFFICE_STAFF, acting_user=c.sec_admin)
        event = AuditEvent.objects.filter(event_type=AuditEventType.PERMISSION_CHANGE,
                                          object_id=str(c.citizen.pk)).first()
        self.assertEqual(event.detail["changes"]["role"], ["citizen", "office_staff"])

    def test_administrators_hold_no_business_capability(self):
        c = self.cast
        for admin in (c.sys_admin, c.sec_admin, c.audit_admin):
            for cap in ("view_plans", "manage_plans", "manage_org"):
                self.assertFalse(admin.has_cap(cap), (admin.username, cap))
        # The three administrator capabilities never meet in one account.
        triad = {"manage_accounts", "assign_roles", "view_audit"}
        for user in User.objects.all():
            self.assertLessEqual(len({c for c in triad if user.has_cap(c)}), 1, user.username)

    def test_administrator_roles_belong_to_no_unit(self):
        self.cast.sys_admin.unit = self.cast.unit_a
        with self.assertRaises(ValidationError):
            self.cast.sys_admin.full_clean()

    @override_settings(ALLOW_SUPERUSER=False)
    def test_no_superuser_in_production(self):
        user = User(username="root", is_superuser=True)
        with self.assertRaises(ValidationError):
            user.save()

    def test_admin_site_refuses_roles_without_the_right(self):
        c = self.cast
        self.client.force_login(c.sys_admin)
        self.assertEqual(self.client.get("/admin/plans/plan/").status_code, 403)
        self.assertEqual(self.client.get("/admin/org/user/").status_code, 200)
        self.client.force_login(c.office_admin)
        self.assertEqual(self.client.get("/admin/org/user/").status_code, 403)
        self.assertEqual(self.client.get("/admin/plans/plan/").status_code, 200)
        self.client.force_login(c.reporter_a)
        self.assertEqual(self.client.get("/admin/").status_code, 302)  # not staff → admin login

    def test_system_admin_cannot_change_a_role_in_the_admin_site(self):
        c = self.cast
        self.client.force_login(c.sys_admin)
        page = self.client.get(f"/admin/org/user/{c.citizen.pk}/change/")
        self.assertNotIn('name="role"', page.content.decode())

    def test_nobody_can_delete_in_the_admin_site(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.post(f"/admin/org/unit/{self.cast.unit_b.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 403)

    def test_lockout_page_is_security_admin_only(self):
        for member in ("office_admin", "sys_admin", "audit_admin", "reporter_a"):
            self.client.force_login(getattr(self.cast, member))
            self.assertEqual(self.client.get("/org/lockouts/").status_code, 403, member)
            self.assertEqual(self.client.post("/org/lockouts/", {"username": "x"}).status_code,
                             403, member)
        self.client.force_login(self.cast.sec_admin)
        self.assertEqual(self.client.get("/org/lockouts/").status_code, 200)
