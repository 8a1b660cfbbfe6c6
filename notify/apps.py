from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """通知: in-app messages, e-mail and group robots, and the delivery queue.

    A service beside `core`: every app may call `notify.service.notify`; it imports none
    of them (it knows users, not projects or meetings).
    """

    name = "notify"
    verbose_name = "消息通知"
