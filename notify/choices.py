from django.db import models


class Channel(models.TextChoices):
    """Where a delivery goes (the in-app message is the Notification row itself)."""

    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


ROBOT_CHANNELS = (Channel.WECOM, Channel.DINGTALK)


class DeliveryStatus(models.TextChoices):
    """A delivery's place in the queue. A failure that will be retried goes back to
    PENDING with a later `next_attempt_at`; FAILED means given up."""

    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
