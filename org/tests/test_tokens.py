"""API tokens for people: created on the account page, shown once, revoked; all audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.choices import AuditEventType
from core.models import AuditEvent
from org import actions
from tests.base import CastTestCase

ME = "/org/me/"
CREATE = "/org/me/token/"
REVOKE = "/org/me/token/revoke/"


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/org/units/").status_code


class TokenPageTests(CastTestCase):
    def events(self, kind, user):
        return AuditEvent.objects.filter(event_type=kind, username=user.username)

    def test_create_see_once_use_and_revoke(self):
        user = self.cast.reporter_a
        self.client.force_login(user)
        self.assertContains(self.client.get(ME), "创建令牌")

        response = self.client.post(CREATE)
        token = Token.objects.get(user=user)
        self.assertContains(response, f'data-testid="new-token" style="word-break: break-all">'
                                      f"{token.key}</code>", html=False)
        self.assertIn("no-store", response["Cache-Control"])
        created = self.events(AuditEventType.API_TOKEN_CREATE, user).get()
        self.assertTrue(created.success)
        self.assertEqual(created.detail["token"], f"{token.key[:4]}…")
        self.assertNotIn(token.key, str(created.detail))

        # Afterwards the page shows only the first four characters and the time.
        page = self.client.get(ME).content.decode()
        self.assertNotIn(token.key, page)
        self.assertIn(f"{token.key[:4]}…", page)
        self.assertIn("创建于", page)
        self.assertIn("作废令牌", page)

        self.assertEqual(api_status(token.key), 200)  # the token authenticates an API call

        response = self.client.post(REVOKE, follow=True)
        self.assertContains(response, "接口令牌已作废")
        self.assertFalse(Token.objects.filter(user=user).exists())
        revoked = self.events(AuditEventType.API_TOKEN_REVOKE, user).get()
        self.assertEqual(revoked.detail["token"], f"{token.key[:4]}…")
        self.assertEqual(api_status(token.key), 401)  # ... and after revocation it does not
        self.assertContains(self.client.get(ME), "创建令牌")

    def test_a_second_token_needs_the_first_revoked(self):
        self.client.force_login(self.cast.office_admin)
        self.client.post(CREATE)
        first = Token.objects.get(user=self.cast.office_admin).key
        response = self.client.post(CREATE, follow=True)
        self.assertContains(response, "请先作废现有令牌")
        self.assertNotContains(response, first)
        self.assertEqual(Token.objects.get(user=self.cast.office_admin).key, first)
        self.client.post(REVOKE)
        self.client.post(CREATE)
        self.assertNotEqual(Token.objects.get(user=self.cast.office_admin).key, first)
        self.assertEqual(self.events(AuditEventType.API_TOKEN_CREATE, self.cast.office_admin)
                         .count(), 2)

    def test_roles_without_the_api_get_no_token(self):
        for user in (self.cast.citizen, self.cast.sys_admin, self.cast.sec_admin,
                     self.cast.audit_admin):
            with self.subTest(user.username):
                self.client.force_login(user)
                page = self.client.get(ME)
                self.assertContains(page, "无需令牌")
                self.assertNotContains(page, "创建令牌")
                response = self.client.post(CREATE, follow=True)
                self.assertContains(response, "当前角色不能使用接口")
                self.assertFalse(Token.objects.filter(user=user).exists())
                refused = self.events(AuditEventType.API_TOKEN_CREATE, user).get()
                self.assertFalse(refused.success)

    def test_every_internal_role_may_hold_one(self):
        for user in (self.cast.office_admin, self.cast.office_staff, self.cast.reporter_b,
                     self.cast.head_a, self.cast.city_leader, self.cast.supervision):
            with self.subTest(user.username):
                token = actions.do_create_api_token(user)
                self.assertEqual(api_status(token.key), 200)

    def test_revoking_without_a_token_says_so(self):
        self.client.force_login(self.cast.reporter_b)
        self.assertContains(self.client.post(REVOKE, follow=True), "当前没有接口令牌")
        with self.assertRaises(ValidationError):
            actions.do_revoke_api_token(self.cast.reporter_b)

    def test_a_token_from_before_a_role_change_can_still_be_revoked(self):
        token = actions.do_create_api_token(self.cast.reporter_b)
        actions.do_change_role(self.cast.reporter_b, role="citizen")
        self.assertEqual(api_status(token.key), 403)  # the role decides, not the token
        self.client.force_login(self.cast.reporter_b)
        self.assertContains(self.client.get(ME), "作废令牌")
        self.client.post(REVOKE)
        self.assertFalse(Token.objects.filter(user=self.cast.reporter_b).exists())
        with self.assertRaises(PermissionDenied):
            actions.do_create_api_token(self.cast.reporter_b)

    def test_the_page_needs_a_login(self):
        self.assertEqual(self.client.get(ME).status_code, 302)
        self.assertEqual(self.client.post(CREATE).status_code, 302)
        self.assertFalse(Token.objects.exists())

    def test_the_admin_does_not_list_token_keys(self):
        from django.contrib import admin
        from rest_framework.authtoken.admin import TokenProxy

        self.assertFalse(admin.site.is_registered(TokenProxy))
