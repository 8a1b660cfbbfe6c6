"""In-app messages, each person's delivery settings, and the delivery queue."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.net import RefusedURL, check_url
from notify.choices import ROBOT_CHANNELS, Channel, DeliveryStatus


def mask_secret(secret: str) -> str:
    """A stored secret as the page shows it: enough to recognise, not to reuse."""
    if not secret:
        return ""
    if len(secret) <= 12:
        return "*" * 8
    return f"{secret[:3]}{'*' * 8}{secret[-4:]}"


class NotifySetting(models.Model):
    """Where a person's notifications go besides the in-app message: e-mail and a group robot."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户",
                                on_delete=models.CASCADE, related_name="notify_setting")
    email = models.BooleanField("发送电子邮件", default=True)
    webhook_kind = models.CharField("群机器人", max_length=10, blank=True,
                                    choices=[(c.value, c.label) for c in ROBOT_CHANNELS])
    webhook_url = models.URLField("机器人地址（Webhook）", max_length=500, blank=True)
    # 钉钉 加签: the robot's "SEC…" secret; the sender signs each request with it.
    webhook_secret = models.CharField("加签密钥（钉钉）", max_length=200, blank=True)

    class Meta:
        verbose_name = "消息推送设置"
        verbose_name_plural = "消息推送设置"

    def __str__(self):
        return f"{self.user} 的消息推送设置"

    @property
    def masked_secret(self) -> str:
        return mask_secret(self.webhook_secret)

    def clean(self):
        if self.webhook_url and not self.webhook_kind:
            raise ValidationError({"webhook_kind": "请选择群机器人类型。"})
        if self.webhook_url:
            # Only the allowed robot hosts (core.net); the sender checks again, with DNS.
            try:
                check_url(self.webhook_url)
            except RefusedURL as exc:
                raise ValidationError({"webhook_url": str(exc)}) from None
        if self.webhook_secret and self.webhook_kind != Channel.DINGTALK:
            raise ValidationError({"webhook_secret": "只有钉钉群机器人使用加签密钥。"})
        if self.webhook_secret and (not self.webhook_secret.isascii()
                                    or any(c.isspace() for c in self.webhook_secret)):
            raise ValidationError({"webhook_secret": "加签密钥格式不正确（应为 SEC 开头的一串字符）。"})


class Notification(models.Model):
    """An in-app message to one person; `dedupe_key` makes a retried caller harmless."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                             on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField("事件", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, blank=True, default="")
    # A default rather than auto_now_add, so rows moved from the old tables keep their time.
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notify_note_user_time")]
        constraints = [models.UniqueConstraint(
            fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""),
            name="notify_notification_once")]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One message to one channel: a row in the queue `send_deliveries` works through.

    A runner claims a row (SENDING, claimed_at, claimed_by) before sending it, so two
    runners never send the same row; a claim left behind by a crashed runner is put
    back in the queue after a timeout.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                             on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(Notification, verbose_name="站内消息", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    target = models.CharField("地址", max_length=500, blank=True)
    subject = models.CharField("标题", max_length=200)
    payload = models.JSONField("内容", default=dict)
    dedupe_key = models.CharField("去重键", max_length=200, blank=True, default="")
    status = models.CharField("状态", max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    claimed_by = models.CharField("领取进程", max_length=100, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # send_deliveries: the due rows (status, next_attempt_at) and stale claims.
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due"),
        ]
        constraints = [models.UniqueConstraint(
            fields=["channel", "target", "dedupe_key"], condition=~models.Q(dedupe_key=""),
            name="notify_delivery_once")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.user}"


class RunnerLock(models.Model):
    """One runner at a time where rows cannot be claimed with SKIP LOCKED (SQLite).

    Held by `holder` until `expires_at`; a runner renews it as it goes, and a crashed
    runner's lock simply expires.
    """

    name = models.CharField("名称", max_length=50, unique=True)
    holder = models.CharField("持有进程", max_length=100, blank=True)
    expires_at = models.DateTimeField("到期时间", default=timezone.now)

    class Meta:
        verbose_name = "发送进程锁"
        verbose_name_plural = "发送进程锁"

    def __str__(self):
        return self.name
