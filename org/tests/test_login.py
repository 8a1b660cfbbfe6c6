"""Login hardening: lockout per account and IP, password rules, expiry, idle timeout."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from core.choices import AuditEventType
from core.models import AuditEvent
from org.models import User
from tests.base import CastTestCase
from tests.cast import PASSWORD


class LockoutTests(CastTestCase):
    def attempt(self, password, ip="10.0.0.1", username="reporter_a"):
        return self.client.post("/accounts/login/", {"username": username, "password": password},
                                REMOTE_ADDR=ip)

    def test_five_failures_lock_the_account_from_that_ip_with_a_chinese_message(self):
        for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
            response = self.attempt("wrong")
            self.assertEqual(response.status_code, 200)
            self.assertIn("用户名或密码不正确", response.content.decode())
        response = self.attempt("wrong")
        self.assertEqual(response.status_code, 429)
        # Even the right password is refused while locked, with a clear message, no 500.
        response = self.attempt(PASSWORD)
        self.assertEqual(response.status_code, 429)
        body = response.content.decode()
        self.assertIn("已被锁定30分钟", body)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another IP, or another account from the same IP, is not locked.
        self.assertEqual(self.attempt(PASSWORD, ip="10.0.0.2").status_code, 302)
        self.client.logout()
        self.assertEqual(self.attempt(PASSWORD, username="reporter_b").status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(event_type=AuditEventType.LOCKOUT).exists())
        self.assertEqual(AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED).count(),
                         settings.LOGIN_FAILURE_LIMIT + 1)

    def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(self):
        for i in range(settings.LOGIN_FAILURE_LIMIT):
            self.client.post("/accounts/login/", {"username": "reporter_a", "password": "bad"},
                             REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        response = self.client.post("/accounts/login/",
                                    {"username": "reporter_a", "password": PASSWORD},
                                    REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
        self.assertEqual(response.status_code, 429)

    def test_security_admin_unlocks(self):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            self.attempt("wrong")
        self.assertEqual(self.attempt(PASSWORD).status_code, 429)
        self.client.force_login(self.cast.sec_admin)
        self.client.post("/org/lockouts/", {"username": "reporter_a"})
        self.client.logout()
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(event_type=AuditEventType.UNLOCK).exists())

    def test_successful_login_is_audited_with_ip(self):
        self.attempt(PASSWORD, ip="10.1.2.3")
        event = AuditEvent.objects.filter(event_type=AuditEventType.LOGIN).first()
        self.assertEqual((event.username, event.ip), ("reporter_a", "10.1.2.3"))


class PasswordRuleTests(CastTestCase):
    def test_rules(self):
        user = User(username="wangwei")
        bad = {
            "Short@12": "至少",          # < 12 characters
            "alllowercase1234": "至少3类",  # two kinds only
            "Wangwei#2024": "相似",   # too close to the username
        }
        for password, _hint in bad.items():
            with self.subTest(password=password), self.assertRaises(ValidationError):
                validate_password(password, user)
        validate_password("Blue-River-2024x", user)

    def test_expired_password_forces_a_change_first(self):
        user = self.cast.reporter_a
        User.objects.filter(pk=user.pk).update(
            password_changed_at=timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1))
        self.client.force_login(user)
        response = self.client.get("/org/units/")
        self.assertRedirects(response, "/accounts/password/")
        response = self.client.post("/accounts/password/", {
            "old_password": PASSWORD, "new_password1": "Fresh#Password99",
            "new_password2": "Fresh#Password99"})
        self.assertRedirects(response, "/")
        self.assertEqual(self.client.get("/org/units/").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(event_type=AuditEventType.PASSWORD_CHANGE,
                                                  username="reporter_a").exists())

    def test_password_change_rejects_weak_password_in_chinese(self):
        self.client.force_login(self.cast.reporter_a)
        response = self.client.post("/accounts/password/", {
            "old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("密码", response.content.decode())

    @override_settings(SESSION_COOKIE_AGE=30 * 60, SESSION_TOUCH_SECONDS=60)
    def test_session_is_an_idle_timeout_saved_at_most_once_a_minute(self):
        """Activity keeps a session alive past its first 30 minutes; 30 idle minutes end it;
        requests within a minute of the last save do not write the session row again."""
        from django.contrib.sessions.models import Session

        def expiry():
            return Session.objects.get(session_key=self.client.session.session_key).expire_date

        with time_machine.travel(datetime(2026, 5, 14, 9, 0, tzinfo=UTC), tick=False) as clock:
            self.client.post("/accounts/login/", {"username": "reporter_a",
                                                  "password": PASSWORD})
            self.assertEqual(self.client.get("/").status_code, 200)
            saved = expiry()
            clock.shift(timedelta(seconds=30))
            self.assertEqual(self.client.get("/").status_code, 200)
            self.assertEqual(expiry(), saved)  # within the minute: no write
            for _ in range(3):  # a request every 20 minutes: 60 minutes signed in
                clock.shift(timedelta(minutes=20))
                self.assertEqual(self.client.get("/").status_code, 200)
            self.assertGreater(expiry(), saved)
            clock.shift(timedelta(minutes=31))
            self.assertEqual(self.client.get("/").status_code, 302)  # idle too long
