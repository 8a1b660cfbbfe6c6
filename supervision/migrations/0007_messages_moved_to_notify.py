# In-app messages, deliveries and digest settings moved to the notify app (a service
# every app uses). Their rows are copied into notify's tables, then the old tables go.
# Written by hand: Django's autodetector would only delete the models.

from django.db import migrations

MAX_ATTEMPTS = 5  # notify.queue.MAX_ATTEMPTS when the move was made
BATCH = 500
ROBOT_AND_MAIL = ("email", "wecom", "dingtalk")


def _status(old) -> str:
    """The old queue had no SENDING and kept retries as "failed"; notify keeps them pending."""
    if old.status == "failed" and old.attempts < MAX_ATTEMPTS:
        return "pending"
    return old.status


def copy_to_notify(apps, schema_editor):
    old_setting = apps.get_model("supervision", "DigestSetting")
    old_note = apps.get_model("supervision", "Notification")
    old_delivery = apps.get_model("supervision", "Delivery")
    setting = apps.get_model("notify", "NotifySetting")
    note = apps.get_model("notify", "Notification")
    delivery = apps.get_model("notify", "Delivery")
    setting.objects.bulk_create(
        [setting(user_id=s.user_id, email=s.email, webhook_kind=s.webhook_kind,
                 webhook_url=s.webhook_url) for s in old_setting.objects.iterator()],
        batch_size=BATCH)
    note.objects.bulk_create(
        (note(user_id=n.user_id, event="supervision.digest", title=n.title, body=n.body,
              created_at=n.created_at, read_at=n.read_at) for n in old_note.objects.iterator()),
        batch_size=BATCH)
    delivery.objects.bulk_create(
        (delivery(user_id=d.user_id, channel=d.channel, target=d.target, subject=d.subject,
                  payload=d.payload, status=_status(d), attempts=d.attempts,
                  last_error=d.last_error, next_attempt_at=d.next_attempt_at, sent_at=d.sent_at,
                  created_at=d.created_at)
         for d in old_delivery.objects.filter(channel__in=ROBOT_AND_MAIL).iterator()),
        batch_size=BATCH)


def copy_back(apps, schema_editor):
    """Reverse: the rows moved back into the recreated supervision tables (the new fields —
    links, dedupe keys, claims, 钉钉 secrets — have nowhere to go and are dropped)."""
    old_setting = apps.get_model("supervision", "DigestSetting")
    old_note = apps.get_model("supervision", "Notification")
    old_delivery = apps.get_model("supervision", "Delivery")
    setting = apps.get_model("notify", "NotifySetting")
    note = apps.get_model("notify", "Notification")
    delivery = apps.get_model("notify", "Delivery")
    old_setting.objects.bulk_create(
        [old_setting(user_id=s.user_id, email=s.email, webhook_kind=s.webhook_kind,
                     webhook_url=s.webhook_url[:200]) for s in setting.objects.iterator()],
        batch_size=BATCH)
    for n in note.objects.iterator():
        row = old_note.objects.create(user_id=n.user_id, title=n.title, body=n.body,
                                      read_at=n.read_at)
        old_note.objects.filter(pk=row.pk).update(created_at=n.created_at)  # auto_now_add
    for d in delivery.objects.iterator():
        row = old_delivery.objects.create(
            user_id=d.user_id, channel=d.channel, target=d.target, subject=d.subject,
            payload=d.payload, status="pending" if d.status == "sending" else d.status,
            attempts=d.attempts, last_error=d.last_error, next_attempt_at=d.next_attempt_at,
            sent_at=d.sent_at)
        old_delivery.objects.filter(pk=row.pk).update(created_at=d.created_at)
    # Moved, not copied: migrating forward again must not find them twice.
    delivery.objects.all().delete()
    note.objects.all().delete()
    setting.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0006_alter_digestsetting_webhook_kind"),
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_notify, copy_back),
        migrations.DeleteModel(name="Delivery"),
        migrations.DeleteModel(name="DigestSetting"),
        migrations.DeleteModel(name="Notification"),
    ]
