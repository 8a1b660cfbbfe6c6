"""notify(): the one way an app tells people something.

An in-app message per person, and per the person's NotifySetting an e-mail and a group
robot message, queued as Delivery rows that `send_deliveries` sends and retries. The
rows are written in the caller's transaction (an outbox): a change that is rolled back
notifies nobody — a dry run included — and a committed change always has its messages.
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from notify.choices import Channel
from notify.models import Delivery, Notification, NotifySetting
from notify.robots import robot_messages

KEY_MAX = 200


def dedupe_key(event: str, obj=None, occasion: str = "") -> str:
    """"event:app.model:pk[:occasion]" ("" without `obj`: nothing to deduplicate on)."""
    if obj is None:
        return ""
    ref = obj if isinstance(obj, str) else f"{obj._meta.label_lower}:{obj.pk}"
    key = f"{event}:{ref}" + (f":{occasion}" if occasion else "")
    if len(key) > KEY_MAX:
        import hashlib

        key = f"{event[:60]}:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def absolute_link(link: str) -> str:
    """`link` on the platform's public address (SITE_URL), for e-mail and robots; "" when
    the address is not configured (the in-app message still links)."""
    base = getattr(settings, "SITE_URL", "")
    return f"{base.rstrip('/')}{link}" if base and link else ""


def _people(users) -> list:
    """Active accounts, each once, in a stable order."""
    unique = {user.pk: user for user in users if user is not None and user.is_active}
    return [unique[pk] for pk in sorted(unique)]


def _create_once(model, key: str, **fields):
    """A new row, or None when its dedupe key is taken (also by a concurrent caller)."""
    if not key:
        return model.objects.create(**fields)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives
            return model.objects.create(dedupe_key=key, **fields)
    except IntegrityError:
        return None


def _queue_email(note, setting, text):
    user = note.user
    if user.email and (setting is None or setting.email):
        _create_once(Delivery, note.dedupe_key, user=user, notification=note,
                     channel=Channel.EMAIL, target=user.email, subject=note.title,
                     payload={"text": text})


def _queue_robot(note, setting, markdown, robots_done: set):
    """The person's group robot, once per robot in this call: colleagues who share a
    group robot must not flood the group with the same message."""
    if setting is None or not (setting.webhook_kind and setting.webhook_url):
        return
    robot = (setting.webhook_kind, setting.webhook_url)
    if robot in robots_done:
        return
    robots_done.add(robot)
    messages = robot_messages(setting.webhook_kind, note.title, markdown)
    for number, payload in enumerate(messages, start=1):
        key = note.dedupe_key and (f"{note.dedupe_key}#{number}" if len(messages) > 1
                                   else note.dedupe_key)
        _create_once(Delivery, key, user=note.user, notification=note,
                     channel=setting.webhook_kind, target=setting.webhook_url,
                     subject=note.title, payload=payload)


def _check_link(link: str):
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"notify: link must be a path on this site, got {link!r}")


@transaction.atomic
def notify(users, *, event: str, subject: str, text: str, link: str = "", obj=None,
           occasion: str = "") -> int:
    """Tell `users` about `event`: an in-app message each (with `link`, a path on this site),
    plus e-mail and group-robot deliveries per their settings. With `obj` (a model
    instance or a string) each person hears of an event+obj(+`occasion`) once, so a
    retried caller does not double anything; `occasion` tells repeated events on one
    object apart (a meeting moved twice). Returns how many people were newly notified."""
    _check_link(link)
    people = _people(users)
    key = dedupe_key(event, obj, occasion)
    subject = subject[:200]
    settings_of = {s.user_id: s for s in NotifySetting.objects.filter(user__in=people)}
    url = absolute_link(link)
    email_text = f"{text}\n\n查看：{url}" if url else text
    markdown = f"### {subject}\n\n{text}" + (f"\n\n[查看详情]({url})" if url else "")
    robots_done: set = set()
    count = 0
    for user in people:
        note = _create_once(Notification, key, user=user, event=event, title=subject,
                            body=text, link=link)
        if note is None:
            continue  # told already (a retried caller)
        count += 1
        setting = settings_of.get(user.pk)
        _queue_email(note, setting, email_text)
        _queue_robot(note, setting, markdown, robots_done)
    return count
