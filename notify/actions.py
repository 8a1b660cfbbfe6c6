"""State changes of a person's messages and settings (notifying itself is notify.service)."""

from django.db import transaction
from django.utils import timezone

from notify.choices import Channel
from notify.models import Notification, NotifySetting


def do_mark_read(user, *, pks=None) -> int:
    """Mark the user's unread messages read (all, or those in `pks`); how many changed."""
    unread = Notification.objects.filter(user=user, read_at=None)
    if pks is not None:
        unread = unread.filter(pk__in=list(pks))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def do_save_setting(user, *, email: bool, webhook_kind: str = "", webhook_url: str = "",
                    webhook_secret: str | None = None) -> NotifySetting:
    """Save where the user's notifications go. `webhook_secret=None` keeps the stored
    secret (the page never shows it back); "" clears it. ValidationError in Chinese."""
    setting = NotifySetting.objects.filter(user=user).first() or NotifySetting(user=user)
    url = webhook_url.strip()
    setting.email = email
    setting.webhook_url = url
    setting.webhook_kind = webhook_kind if url else ""
    if webhook_secret is not None:
        setting.webhook_secret = webhook_secret.strip()
    elif setting.webhook_kind != Channel.DINGTALK:
        setting.webhook_secret = ""  # the kept secret signed for a 钉钉 robot no longer set
    if not url:
        setting.webhook_secret = ""
    setting.full_clean(exclude=["user"])
    setting.save()
    return setting
