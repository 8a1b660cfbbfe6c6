"""In-app messages, digest settings and the delivery queue."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.net import RefusedURL, check_url
from supervision.choices import (
    Channel,
    DeliveryStatus,
)


class DigestSetting(models.Model):
    """Where a city leader's weekly digest goes besides the in-app message."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户",
                                on_delete=models.CASCADE, related_name="digest_setting")
    email = models.BooleanField("发送电子邮件", default=True)
    webhook_kind = models.CharField("群机器人", max_length=10, blank=True, choices=[
        (c.value, c.label) for c in (Channel.WECOM, Channel.DINGTALK)])
    webhook_url = models.URLField("机器人地址（Webhook）", blank=True)

    class Meta:
        verbose_name = "周报推送设置"
        verbose_name_plural = "周报推送设置"

    def clean(self):
        # Only the allowed robot hosts (core.net): the sender checks again, with DNS.
        if self.webhook_url:
            try:
                check_url(self.webhook_url)
            except RefusedURL as exc:
                raise ValidationError({"webhook_url": str(exc)}) from None

    def __str__(self):
        return f"{self.user} 周报推送"


class Notification(models.Model):
    """An in-app message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                             on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One message to one channel; failures are kept and retried with back-off."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人",
                             on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    target = models.CharField("地址", max_length=500, blank=True)
    subject = models.CharField("标题", max_length=200)
    payload = models.JSONField("内容", default=dict)
    status = models.CharField("状态", max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.user}"
