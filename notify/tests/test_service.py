"""notify(): an in-app message per person, e-mail and robot deliveries per their settings,
written in the caller's transaction and never twice for the same event and object."""

from django.db import transaction
from django.test import override_settings

from notify.models import Delivery, Notification, NotifySetting
from notify.service import dedupe_key, notify
from tests.base import CastTestCase

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=group-a"
DING = "https://oapi.dingtalk.com/robot/send?access_token=group-b"


class ServiceTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cast.reporter_a.email = "reporter_a@example.gov.cn"
        cls.cast.reporter_a.save()
        cls.cast.head_a.email = "head_a@example.gov.cn"
        cls.cast.head_a.save()

    def tell(self, users, **kwargs):
        fields = {"event": "test.event", "subject": "交办事项：清理围挡",
                  "text": "请于5月30日前办理。", "link": "/supervision/items/1/"} | kwargs
        return notify(users, **fields)

    def test_everyone_gets_an_in_app_message_with_its_link(self):
        people = [self.cast.reporter_a, self.cast.reporter_b, self.cast.office_admin]
        self.assertEqual(self.tell(people), 3)
        notes = Notification.objects.order_by("user__username")
        self.assertEqual([n.user for n in notes],
                         [self.cast.office_admin, self.cast.reporter_a, self.cast.reporter_b])
        for note in notes:
            self.assertEqual((note.title, note.body, note.link, note.event, note.read_at),
                             ("交办事项：清理围挡", "请于5月30日前办理。", "/supervision/items/1/",
                              "test.event", None))

    def test_email_by_default_when_the_account_has_an_address_and_not_when_turned_off(self):
        NotifySetting.objects.create(user=self.cast.head_a, email=False)
        self.tell([self.cast.reporter_a, self.cast.head_a, self.cast.reporter_b])
        mails = Delivery.objects.filter(channel="email")
        self.assertEqual([(d.user, d.target) for d in mails],
                         [(self.cast.reporter_a, "reporter_a@example.gov.cn")])  # b has no address
        self.assertEqual(mails.get().payload, {"text": "请于5月30日前办理。"})
        self.assertEqual(mails.get().notification.user, self.cast.reporter_a)

    def test_the_robot_of_each_setting_and_one_message_per_group(self):
        NotifySetting.objects.create(user=self.cast.reporter_a, email=False, webhook_kind="wecom",
                                     webhook_url=ROBOT)
        NotifySetting.objects.create(user=self.cast.head_a, email=False, webhook_kind="wecom",
                                     webhook_url=ROBOT)  # the same group: told once
        NotifySetting.objects.create(user=self.cast.reporter_b, webhook_kind="dingtalk",
                                     webhook_url=DING)
        self.tell([self.cast.reporter_a, self.cast.head_a, self.cast.reporter_b])
        robots = Delivery.objects.exclude(channel="email").order_by("channel")
        self.assertEqual([(d.channel, d.target) for d in robots],
                         [("dingtalk", DING), ("wecom", ROBOT)])
        self.assertEqual(robots[1].payload["markdown"]["content"],
                         "### 交办事项：清理围挡\n\n请于5月30日前办理。")
        self.assertEqual(robots[0].payload["markdown"]["title"], "交办事项：清理围挡")

    def test_a_long_wecom_message_is_queued_as_several_deliveries(self):
        NotifySetting.objects.create(user=self.cast.reporter_a, email=False, webhook_kind="wecom",
                                     webhook_url=ROBOT)
        long_text = "\n".join(f"- 第{i}个项目：节点超期，请抓紧整改落实" for i in range(400))
        self.tell([self.cast.reporter_a], text=long_text, obj="week:1")
        parts = Delivery.objects.filter(channel="wecom").order_by("pk")
        self.assertGreater(parts.count(), 3)
        self.assertEqual(len({d.dedupe_key for d in parts}), parts.count())
        for part in parts:
            self.assertLessEqual(len(part.payload["markdown"]["content"].encode()), 4096)

    def test_a_retried_caller_tells_nobody_twice(self):
        NotifySetting.objects.create(user=self.cast.reporter_a, webhook_kind="wecom",
                                     webhook_url=ROBOT)
        people = [self.cast.reporter_a, self.cast.head_a]
        item = self.cast.unit_a  # any row will do as "the object"
        self.assertEqual(self.tell(people, obj=item), 2)
        self.assertEqual(self.tell(people, obj=item), 0)
        self.assertEqual(self.tell(people + [self.cast.reporter_b], obj=item), 1)  # only b is new
        self.assertEqual(Notification.objects.count(), 3)
        self.assertEqual(Delivery.objects.filter(channel="wecom").count(), 1)
        self.assertEqual(Delivery.objects.filter(channel="email").count(), 2)
        self.assertEqual(self.tell(people, obj=item, occasion="moved-again"), 2)  # a new event
        self.assertEqual(self.tell(people), 2)  # without an object, nothing to deduplicate on

    def test_the_key_names_event_object_and_occasion(self):
        self.assertEqual(dedupe_key("e", self.cast.unit_a), f"e:org.unit:{self.cast.unit_a.pk}")
        self.assertEqual(dedupe_key("e", "week:2026-W21", "x"), "e:week:2026-W21:x")
        self.assertEqual(dedupe_key("e"), "")
        self.assertLessEqual(len(dedupe_key("e", "x" * 500)), 200)

    def test_a_rolled_back_change_tells_nobody(self):
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.tell([self.cast.reporter_a], obj="x")
            raise RuntimeError("the change failed")
        self.assertFalse(Notification.objects.exists())
        self.assertFalse(Delivery.objects.exists())

    def test_inactive_and_repeated_people_are_skipped(self):
        self.cast.reporter_b.is_active = False
        self.cast.reporter_b.save()
        self.assertEqual(self.tell([self.cast.reporter_a, self.cast.reporter_a,
                                    self.cast.reporter_b, None]), 1)

    def test_links_are_paths_on_this_site(self):
        for link in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
            with self.subTest(link=link), self.assertRaises(ValueError):
                self.tell([self.cast.reporter_a], link=link)

    @override_settings(SITE_URL="https://cj.example.gov.cn/")
    def test_mail_and_robots_carry_the_full_address_when_it_is_configured(self):
        NotifySetting.objects.create(user=self.cast.reporter_a, webhook_kind="dingtalk",
                                     webhook_url=DING)
        self.tell([self.cast.reporter_a])
        mail = Delivery.objects.get(channel="email")
        self.assertTrue(mail.payload["text"].endswith(
            "查看：https://cj.example.gov.cn/supervision/items/1/"))
        robot = Delivery.objects.get(channel="dingtalk")
        self.assertIn("(https://cj.example.gov.cn/supervision/items/1/)",
                      robot.payload["markdown"]["text"])
