"""The leaders' weekly digest, told through notify: in-app, e-mail, 企业微信/钉钉 robots;
failures retried."""

import io
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notify.models import Delivery, Notification, NotifySetting
from notify.queue import send_deliveries
from notify.tests.robot import RobotServer
from projects import engine
from projects.models import Project, StatusTransition
from supervision.digest import queue_digests
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


class DigestTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        StatusTransition.objects.update(as_of=timezone.localdate() - timedelta(days=2))
        cls.cast.city_leader.email = "leader@example.gov.cn"
        cls.cast.city_leader.save()

    def setUp(self):
        self.robot = RobotServer(self)  # a real local robot, allowed through core.net here
        self.url = self.robot.url("/robot")

    def test_digest_goes_in_app_by_mail_and_to_the_robot_with_retries(self):
        engine.recompute(Project.objects.all())
        NotifySetting.objects.create(user=self.cast.city_leader, webhook_kind="dingtalk",
                                     webhook_url=self.url)
        self.assertEqual(queue_digests(), 1)
        self.assertEqual(queue_digests(), 0)  # once a week, however often it runs
        note = Notification.objects.get(user=self.cast.city_leader)
        self.assertIn("城建周报", note.title)
        self.assertIn("甲路综合改造工程", note.body)       # the leader's project
        self.assertNotIn("乙区污水处理厂", note.body)      # not theirs
        self.robot.down = True
        now = timezone.now()
        self.assertEqual(send_deliveries(now), (1, 1))   # mail sent, robot failed
        self.assertEqual(len(mail.outbox), 1)
        hook = Delivery.objects.get(channel="dingtalk")
        self.assertEqual((hook.status, hook.attempts), ("pending", 1))  # to be retried
        self.assertIn("busy", hook.last_error)
        self.assertEqual(send_deliveries(now), (0, 0))   # not due yet (back-off)
        self.robot.down = False
        self.assertEqual(send_deliveries(now + timedelta(minutes=3)), (1, 0))
        hook.refresh_from_db()
        self.assertEqual((hook.status, hook.attempts), ("sent", 2))
        self.assertEqual(self.robot.received[-1]["body"]["msgtype"], "markdown")
        self.assertIn("甲路综合改造工程", self.robot.received[-1]["body"]["markdown"]["text"])
        self.assertEqual(self.robot.received[-1]["body"]["markdown"]["title"], note.title)

    def test_messages_page_and_settings(self):
        queue_digests()
        self.client.force_login(self.cast.city_leader)
        self.assertContains(self.client.get("/messages/"), "城建周报")
        self.assertRedirects(self.client.get("/supervision/messages/"), "/messages/")
        self.client.post("/messages/settings/", {"webhook_kind": "wecom",
                                                 "webhook_url": "not a url"})
        self.assertFalse(NotifySetting.objects.exists())
        self.client.post("/messages/settings/", {"webhook_kind": "wecom",
                                                 "webhook_url": self.url, "email": "on"})
        self.assertEqual(NotifySetting.objects.get().webhook_kind, "wecom")
        self.client.force_login(self.cast.reporter_a)
        self.assertNotContains(self.client.get("/messages/"), "城建周报")

    def test_the_commands_of_the_readme_still_work(self):
        out = io.StringIO()
        call_command("send_digests", "--queue", stdout=out)  # weekly
        self.assertIn("已生成周报 1 份", out.getvalue())
        self.assertIn("推送成功 1 条", out.getvalue())  # the leader's e-mail
        call_command("send_digests", "--queue", stdout=out)  # the same week: nothing new
        self.assertEqual(Notification.objects.count(), 1)
        out = io.StringIO()
        call_command("send_deliveries", stdout=out)  # every few minutes
        self.assertIn("推送成功 0 条，失败 0 条", out.getvalue())
        self.assertEqual(len(mail.outbox), 1)
