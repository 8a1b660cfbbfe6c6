"""The delivery queue: claims, back-off, stale claims, 钉钉 加签 on the wire, and two
runners at once never sending a row twice."""

import base64
import hashlib
import hmac
import threading
import time
import urllib.parse
from datetime import datetime, timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock, skipUnless
from zoneinfo import ZoneInfo

from django.core import mail
from django.db import connection, connections
from django.test import TestCase, TransactionTestCase

from notify import queue
from notify.models import Delivery, NotifySetting, RunnerLock
from notify.queue import MAX_ATTEMPTS, STALE_AFTER, retry_delay, send_deliveries
from notify.tests.robot import RobotServer
from org.choices import Role
from org.models import User

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def robot_delivery(user, url, text="### 通知", **fields) -> Delivery:
    return Delivery.objects.create(user=user, channel="wecom", target=url, subject="通知",
                                   payload={"msgtype": "markdown", "markdown": {"content": text}},
                                   next_attempt_at=fields.pop("next_attempt_at", NOW), **fields)


class QueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create(username="queue_user", role=Role.OFFICE_STAFF,
                                       email="queue_user@example.gov.cn")

    def setUp(self):
        self.robot = RobotServer(self)

    def test_the_back_off_doubles_from_two_minutes_and_is_capped(self):
        self.assertEqual([retry_delay(n) for n in range(1, 6)],
                         [timedelta(minutes=m) for m in (2, 4, 8, 16, 32)])
        self.assertEqual(retry_delay(30), timedelta(hours=6))

    def test_a_failing_robot_is_retried_on_schedule_then_given_up(self):
        delivery = robot_delivery(self.user, self.robot.url())
        self.robot.down = True
        now, waits = NOW, []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.assertEqual(send_deliveries(now), (0, 1))
            delivery.refresh_from_db()
            self.assertEqual(delivery.attempts, attempt)
            self.assertIn("busy", delivery.last_error)
            if attempt < MAX_ATTEMPTS:
                self.assertEqual(delivery.status, "pending")
                self.assertEqual(send_deliveries(delivery.next_attempt_at - timedelta(seconds=1)),
                                 (0, 0))  # not due before its time
                waits.append(delivery.next_attempt_at - now)
                now = delivery.next_attempt_at
        self.assertEqual(waits, [timedelta(minutes=m) for m in (2, 4, 8, 16)])
        self.assertEqual(delivery.status, "failed")  # given up after MAX_ATTEMPTS
        self.assertEqual(send_deliveries(now + timedelta(days=1)), (0, 0))
        self.assertEqual(len(self.robot.received), MAX_ATTEMPTS)

    def test_a_mail_server_failure_is_retried(self):
        Delivery.objects.create(user=self.user, channel="email", target=self.user.email,
                                subject="通知", payload={"text": "正文"}, next_attempt_at=NOW)
        with mock.patch("notify.queue.send_mail", side_effect=SMTPServerDisconnected("gone")):
            self.assertEqual(send_deliveries(NOW), (0, 1))
        self.assertEqual(send_deliveries(NOW + timedelta(minutes=2)), (1, 0))
        self.assertEqual([m.subject for m in mail.outbox], ["通知"])

    def test_a_claim_left_by_a_dead_runner_is_sent_after_the_timeout(self):
        stale = robot_delivery(self.user, self.robot.url(), "stale", status="sending",
                               attempts=1, claimed_by="dead", claimed_at=NOW - STALE_AFTER
                               - timedelta(seconds=1))
        busy = robot_delivery(self.user, self.robot.url(), "busy", status="sending", attempts=1,
                              claimed_by="alive", claimed_at=NOW - timedelta(minutes=5))
        spent = robot_delivery(self.user, self.robot.url(), "spent", status="sending",
                               attempts=MAX_ATTEMPTS, claimed_by="dead",
                               claimed_at=NOW - timedelta(hours=1))
        self.assertEqual(send_deliveries(NOW, runner="me"), (1, 0))
        self.assertEqual([r["body"]["markdown"]["content"] for r in self.robot.received], ["stale"])
        for row in (stale, busy, spent):
            row.refresh_from_db()
        self.assertEqual((stale.status, stale.attempts, stale.claimed_by), ("sent", 2, "me"))
        self.assertEqual((busy.status, busy.claimed_by), ("sending", "alive"))  # still its
        self.assertEqual(spent.status, "failed")
        self.assertIn("中断", spent.last_error)

    def test_a_runner_records_nothing_on_a_row_no_longer_its_own(self):
        delivery = robot_delivery(self.user, self.robot.url())
        [claimed] = queue.claim("slow", NOW)
        queue.requeue_stale(NOW + STALE_AFTER + timedelta(seconds=1))  # "slow" took too long
        self.assertEqual(queue._finish(claimed, "slow", status="sent"), 0)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, "pending")

    def test_a_dingtalk_robot_with_a_secret_gets_a_valid_signature(self):
        secret = "SEC" + "0a1b2c3d" * 8
        url = self.robot.url("/robot/send?access_token=ding")
        NotifySetting.objects.create(user=self.user, webhook_kind="dingtalk", webhook_url=url,
                                     webhook_secret=secret)
        Delivery.objects.create(user=self.user, channel="dingtalk", target=url, subject="通知",
                                payload={"msgtype": "markdown",
                                         "markdown": {"title": "通知", "text": "正文"}},
                                next_attempt_at=NOW)
        before = int(time.time() * 1000)
        self.assertEqual(send_deliveries(NOW), (1, 0))
        parts = urllib.parse.urlsplit(self.robot.received[0]["path"])
        query = urllib.parse.parse_qs(parts.query)
        self.assertEqual(query["access_token"], ["ding"])
        timestamp = int(query["timestamp"][0])
        self.assertLessEqual(before, timestamp)  # 钉钉 refuses one over an hour off
        self.assertLessEqual(timestamp, int(time.time() * 1000))
        # Checked as 钉钉 checks it: recomputed from the documented algorithm.
        expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        self.assertEqual(query["sign"], [expected])

    def test_without_a_secret_the_url_is_sent_as_it_is(self):
        url = self.robot.url("/robot/send?access_token=ding")
        Delivery.objects.create(user=self.user, channel="dingtalk", target=url, subject="通知",
                                payload={"msgtype": "markdown",
                                         "markdown": {"title": "通知", "text": "正文"}},
                                next_attempt_at=NOW)
        send_deliveries(NOW)
        self.assertEqual(self.robot.received[0]["path"], "/robot/send?access_token=ding")


class RunnerLockTests(TestCase):
    """One runner at a time where rows cannot be locked (SQLite)."""

    def test_the_lock_is_held_renewed_released_and_expires(self):
        self.assertTrue(queue.acquire_lock("a", NOW))
        self.assertFalse(queue.acquire_lock("b", NOW + timedelta(minutes=1)))
        self.assertTrue(queue.acquire_lock("a", NOW + timedelta(minutes=1)))  # renewed
        self.assertFalse(queue.acquire_lock("b", NOW + STALE_AFTER))
        self.assertTrue(queue.acquire_lock("b", NOW + timedelta(minutes=1) + STALE_AFTER
                                           + timedelta(seconds=1)))  # a's hold ran out
        queue.release_lock("a")  # not a's any more: nothing changes
        self.assertEqual(RunnerLock.objects.get().holder, "b")
        queue.release_lock("b")
        self.assertTrue(queue.acquire_lock("c", NOW))

    @skipUnless(connection.vendor == "sqlite", "SQLite runs one runner at a time")
    def test_a_second_runner_on_sqlite_leaves_while_the_first_holds_the_lock(self):
        robot = RobotServer(self)
        user = User.objects.create(username="lock_user", role=Role.OFFICE_STAFF)
        robot_delivery(user, robot.url())
        self.assertTrue(queue.acquire_lock("first", NOW))
        self.assertEqual(send_deliveries(NOW, runner="second"), (0, 0))
        self.assertEqual(robot.received, [])
        later = NOW + STALE_AFTER + timedelta(seconds=1)  # the first died: its lock ran out
        self.assertEqual(send_deliveries(later, runner="second"), (1, 0))
        self.assertEqual(RunnerLock.objects.get().holder, "")  # released


@skipUnless(connection.vendor == "postgresql", "row claims with SKIP LOCKED (PostgreSQL)")
class TwoRunnersTests(TransactionTestCase):
    """Two runners at once, each in its own thread with its own database connection,
    against a real HTTP robot that counts what reaches it: every row is sent once."""

    ROWS = 60

    def setUp(self):
        self.robot = RobotServer(self, delay=0.02)
        user = User.objects.create(username="runner_user", role=Role.OFFICE_STAFF)
        for i in range(self.ROWS):
            robot_delivery(user, self.robot.url(), f"row {i}", next_attempt_at=NOW)

    def run_both(self):
        """Both runners at once; each claim holds its transaction open a moment between
        choosing rows and marking them, so the two claims really overlap."""
        start, results = threading.Barrier(2), {}
        mark = queue._mark_claimed

        def slow_mark(*args):
            time.sleep(0.05)
            return mark(*args)

        patch = mock.patch("notify.queue._mark_claimed", slow_mark)
        patch.start()
        self.addCleanup(patch.stop)

        def runner(name):
            try:
                start.wait()
                results[name] = send_deliveries(NOW, runner=name)
            finally:
                connections.close_all()  # this thread's own connection

        threads = [threading.Thread(target=runner, args=(f"runner-{k}",)) for k in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        return results

    def test_every_delivery_is_sent_exactly_once(self):
        results = self.run_both()
        contents = [r["body"]["markdown"]["content"] for r in self.robot.received]
        self.assertEqual(sorted(contents), sorted(f"row {i}" for i in range(self.ROWS)))
        self.assertEqual(sum(sent for sent, _ in results.values()), self.ROWS)
        self.assertTrue(all(sent > 0 for sent, _ in results.values()), results)  # both worked
        self.assertEqual(set(Delivery.objects.values_list("status", "attempts")), {("sent", 1)})
        self.assertEqual(set(Delivery.objects.values_list("claimed_by", flat=True)),
                         {"runner-1", "runner-2"})
