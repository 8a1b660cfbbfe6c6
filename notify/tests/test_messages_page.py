"""我的消息: one's own messages only, marking read, following a link, and the settings
(the 钉钉 secret stored but never shown back)."""

from core.navigation import menu_for
from notify.models import Notification, NotifySetting
from notify.service import notify
from tests.base import CastTestCase

DING = "https://oapi.dingtalk.com/robot/send?access_token=abc"
SECRET = "SEC" + "9f8e7d6c" * 8


class MessagesPageTests(CastTestCase):
    def setUp(self):
        notify([self.cast.reporter_a], event="t", subject="交办事项：甲", text="正文甲",
               link="/supervision/items/7/")
        notify([self.cast.reporter_a], event="t", subject="交办事项：乙", text="正文乙")
        notify([self.cast.reporter_b], event="t", subject="别人的消息", text="正文丙")
        self.client.force_login(self.cast.reporter_a)

    def test_the_page_lists_only_ones_own_messages_unread_first_seen(self):
        response = self.client.get("/messages/")
        self.assertContains(response, "交办事项：甲")
        self.assertContains(response, "交办事项：乙")
        self.assertNotContains(response, "别人的消息")
        self.assertEqual(response.context["unread_count"], 2)
        # Looking is not reading: messages stay unread until marked or opened.
        self.assertEqual(Notification.objects.filter(user=self.cast.reporter_a,
                                                     read_at=None).count(), 2)

    def test_each_message_says_where_else_it_went(self):
        self.cast.reporter_a.email = "reporter_a@example.gov.cn"
        self.cast.reporter_a.save()
        notify([self.cast.reporter_a], event="t", subject="交办事项：丙", text="正文")
        self.assertContains(self.client.get("/messages/"), "电子邮件：待发送")

    def test_marking_one_and_all_read(self):
        first = Notification.objects.get(title="交办事项：甲")
        self.client.post("/messages/read/", {"pk": first.pk})
        self.assertEqual(list(Notification.objects.filter(read_at=None, user=self.cast.reporter_a)
                              .values_list("title", flat=True)), ["交办事项：乙"])
        other = Notification.objects.get(title="别人的消息")
        self.client.post("/messages/read/", {"pk": other.pk})  # not hers: nothing happens
        self.client.post("/messages/read/")
        self.assertFalse(Notification.objects.filter(user=self.cast.reporter_a, read_at=None))
        self.assertTrue(Notification.objects.filter(user=self.cast.reporter_b, read_at=None))
        self.assertContains(self.client.get("/messages/?unread=1"), "暂无消息")

    def test_opening_a_message_marks_it_read_and_follows_its_link(self):
        note = Notification.objects.get(title="交办事项：甲")
        response = self.client.get(f"/messages/{note.pk}/open/")
        self.assertRedirects(response, "/supervision/items/7/", fetch_redirect_response=False)
        note.refresh_from_db()
        self.assertIsNotNone(note.read_at)
        other = Notification.objects.get(title="别人的消息")
        self.assertEqual(self.client.get(f"/messages/{other.pk}/open/").status_code, 404)

    def test_the_menu_still_offers_the_page_and_the_old_address_leads_there(self):
        labels = {(item.label, item.url_name) for group in menu_for(self.cast.reporter_a)
                  for item in group.items}
        self.assertIn(("我的消息", "notify:messages"), labels)
        self.assertRedirects(self.client.get("/supervision/messages/?unread=1"),
                             "/messages/?unread=1")

    def test_a_dingtalk_secret_is_stored_masked_on_the_page_and_kept_when_left_blank(self):
        self.client.post("/messages/settings/", {"webhook_kind": "dingtalk", "webhook_url": DING,
                                                 "webhook_secret": SECRET, "email": "on"})
        setting = NotifySetting.objects.get(user=self.cast.reporter_a)
        self.assertEqual((setting.webhook_secret, setting.email), (SECRET, True))
        page = self.client.get("/messages/").content.decode()
        self.assertNotIn(SECRET, page)
        self.assertNotIn(SECRET[3:-4], page)
        self.assertIn(setting.masked_secret, page)
        self.assertTrue(setting.masked_secret.endswith(SECRET[-4:]))
        self.client.post("/messages/settings/", {"webhook_kind": "dingtalk", "webhook_url": DING,
                                                 "webhook_secret": ""})  # left blank: kept
        setting.refresh_from_db()
        self.assertEqual((setting.webhook_secret, setting.email), (SECRET, False))
        self.client.post("/messages/settings/", {"webhook_kind": "dingtalk", "webhook_url": DING,
                                                 "clear_secret": "on"})
        setting.refresh_from_db()
        self.assertEqual(setting.webhook_secret, "")

    def test_a_secret_for_a_wecom_robot_is_refused_in_chinese(self):
        response = self.client.post("/messages/settings/", {
            "webhook_kind": "wecom", "webhook_secret": SECRET,
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"}, follow=True)
        self.assertFalse(NotifySetting.objects.exists())
        self.assertIn("只有钉钉群机器人使用加签密钥", [str(m) for m in response.context["messages"]][0])

    def test_the_page_needs_a_login(self):
        self.client.logout()
        self.assertEqual(self.client.get("/messages/").status_code, 302)
