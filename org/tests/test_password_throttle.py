"""Wrong current passwords on the password-change form are throttled like logins
(issue 17 item 8): counted per account, locked after the login limit, audited — also
when the guesses arrive in parallel."""

import threading
from datetime import timedelta
from unittest import skipUnless

import time_machine
from django.conf import settings
from django.db import connection, connections
from django.test import Client, TransactionTestCase
from django.utils import timezone

from core.choices import AuditEventType
from core.models import AuditChainHead, AuditEvent
from org.choices import Role
from org.models import User
from tests.base import CastTestCase
from tests.cast import PASSWORD

NEW = "Fresh#Password99"


class PasswordChangeThrottleTests(CastTestCase):
    def setUp(self):
        self.user = self.cast.reporter_a
        self.client.force_login(self.user)

    def change(self, old, ip="10.0.0.1"):
        return self.client.post("/accounts/password/", {
            "old_password": old, "new_password1": NEW, "new_password2": NEW}, REMOTE_ADDR=ip)

    def wrong(self, times, start=0):
        # A different IP each time: the count is per account, not per address.
        return [self.change(f"guess-{i}", ip=f"10.0.{i // 250}.{i % 250 + 1}").status_code
                for i in range(start, start + times)]

    def password_works(self, password):
        self.user.refresh_from_db()
        return self.user.check_password(password)

    def events(self, **filters):
        return AuditEvent.objects.filter(user=self.user, **filters)

    def test_eight_wrong_guesses_in_a_row_lock_the_form_with_a_chinese_message(self):
        limit = settings.LOGIN_FAILURE_LIMIT
        statuses = self.wrong(8)
        self.assertEqual(statuses, [200] * (limit - 1) + [429] * (9 - limit))
        response = self.change(PASSWORD)  # even the right password, while locked
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, f"当前密码已连续输错{limit}次，修改密码已锁定", status_code=429)
        self.assertFalse(self.password_works(NEW))
        self.assertEqual(self.events(event_type=AuditEventType.PASSWORD_CHANGE,
                                     detail__failure="old_password").count(), limit)
        self.assertEqual(self.events(event_type=AuditEventType.PASSWORD_CHANGE,
                                     detail__failure="locked").count(), 9 - limit)
        lock = self.events(event_type=AuditEventType.LOCKOUT).get()
        self.assertEqual((lock.success, lock.detail["scope"]), (False, "password_change"))

    def test_a_wrong_guess_says_what_happens_next(self):
        response = self.change("guess")
        self.assertContains(response, f"连续输错{settings.LOGIN_FAILURE_LIMIT}次将锁定"
                                      f"{settings.LOGIN_LOCKOUT_MINUTES}分钟")

    def test_the_lock_ends_after_the_lockout_minutes(self):
        self.wrong(settings.LOGIN_FAILURE_LIMIT)
        self.assertEqual(self.change(PASSWORD).status_code, 429)
        later = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
        with time_machine.travel(later):
            self.client.force_login(self.user)  # the idle session has expired by then
            self.assertEqual(self.change(PASSWORD).status_code, 302)
        self.assertTrue(self.password_works(NEW))

    def test_a_successful_change_starts_the_count_again(self):
        self.wrong(settings.LOGIN_FAILURE_LIMIT - 1)
        self.assertEqual(self.change(PASSWORD).status_code, 302)
        self.user.refresh_from_db()
        self.client.force_login(self.user)  # a session of the new password
        self.assertEqual(self.wrong(settings.LOGIN_FAILURE_LIMIT - 1, start=20),
                         [200] * (settings.LOGIN_FAILURE_LIMIT - 1))

    def test_other_accounts_are_not_affected(self):
        self.wrong(settings.LOGIN_FAILURE_LIMIT)
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.change(PASSWORD).status_code, 302)

    def test_the_security_administrator_sees_and_lifts_the_lock(self):
        self.wrong(settings.LOGIN_FAILURE_LIMIT)
        self.client.force_login(self.cast.sec_admin)
        page = self.client.get("/org/lockouts/")
        self.assertContains(page, "修改密码锁定")
        self.assertIn("reporter_a", page.content.decode().split("修改密码锁定")[1])
        self.client.post("/org/lockouts/", {"username": "reporter_a"})
        self.client.force_login(self.user)
        self.assertEqual(self.change(PASSWORD).status_code, 302)

    def test_the_admin_sites_password_form_leads_to_the_throttled_one(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.get("/admin/password_change/")
        self.assertRedirects(response, "/accounts/password/", fetch_redirect_response=False)
        response = self.client.post("/admin/password_change/", {
            "old_password": "guess", "new_password1": NEW, "new_password2": NEW})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AuditEvent.objects.filter(event_type=AuditEventType.PASSWORD_CHANGE,
                                                   success=True).exists())


@skipUnless(connection.vendor == "postgresql", "SQLite runs one write transaction at a time")
class ParallelGuessesTests(TransactionTestCase):
    """Guesses sent at once, each request in its own thread with its own database
    connection: no more than the limit is ever checked, the rest are refused as locked."""

    EXTRA = 5  # guesses beyond the limit

    def setUp(self):
        self.user = User.objects.create_user(username="racer", password=PASSWORD,
                                             role=Role.OFFICE_STAFF,
                                             password_changed_at=timezone.now())
        AuditChainHead.objects.get_or_create(pk=1)  # as a running system has it

    def guess_at_once(self, count):
        clients = []
        for _ in range(count):
            client = Client()
            client.force_login(self.user)
            clients.append(client)
        start, statuses, lock = threading.Barrier(count), [], threading.Lock()

        def guess(client, i):
            try:
                start.wait()
                status = client.post("/accounts/password/", {
                    "old_password": f"guess-{i}", "new_password1": NEW,
                    "new_password2": NEW}).status_code
                with lock:
                    statuses.append(status)
            finally:
                connections.close_all()  # this thread's own connection

        threads = [threading.Thread(target=guess, args=(client, i))
                   for i, client in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return sorted(statuses)

    def test_parallel_wrong_guesses_beyond_the_limit_are_refused(self):
        limit = settings.LOGIN_FAILURE_LIMIT
        statuses = self.guess_at_once(limit + self.EXTRA)
        checked = AuditEvent.objects.filter(event_type=AuditEventType.PASSWORD_CHANGE,
                                            user=self.user, detail__failure="old_password")
        refused = AuditEvent.objects.filter(event_type=AuditEventType.PASSWORD_CHANGE,
                                            user=self.user, detail__failure="locked")
        self.assertEqual(checked.count(), limit)
        self.assertEqual(refused.count(), self.EXTRA)
        # The guess that completes the limit is answered with the lock too.
        self.assertEqual(statuses, [200] * (limit - 1) + [429] * (self.EXTRA + 1))
