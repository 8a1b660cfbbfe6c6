"""The delivery queue runner: claim due rows atomically, send them outside any
transaction, record the outcome, retry with exponential back-off.

Claiming: on PostgreSQL a short transaction takes due rows with
`SELECT … FOR UPDATE SKIP LOCKED` and marks them SENDING (claimed_at, claimed_by), so
overlapping runners each get different rows. SQLite has no row locks, so there one
runner works at a time, holding a RunnerLock row; a second runner finds it held and
leaves at once. Either way a runner records an outcome only for rows it still holds,
and a claim left by a crashed runner goes back to the queue after STALE_AFTER.
"""

import os
import socket
import time
import uuid
from datetime import timedelta

from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import net
from notify import robots
from notify.choices import Channel, DeliveryStatus
from notify.models import Delivery, NotifySetting, RunnerLock

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(hours=6)
BATCH = 10
# A batch of BATCH robot posts with a 10 s timeout each ends well within this; a claim
# older than it belongs to a runner that died (its rows are sent again, at most once more).
STALE_AFTER = timedelta(minutes=15)
MAX_PER_RUN = 1000
LOCK_NAME = "deliveries"
ERROR_MAX = 300


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 2, 4, 8, 16 … minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def runner_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now):
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def requeue_stale(now) -> int:
    """Claims older than STALE_AFTER go back to the queue (or fail, out of attempts)."""
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING,
                                    claimed_at__lt=now - STALE_AFTER)
    note = "发送进程中断，已重新排队。"
    gave_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, claimed_at=None, claimed_by="", last_error=note)
    again = stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=DeliveryStatus.PENDING, claimed_at=None, claimed_by="", next_attempt_at=now,
        last_error=note)
    return gave_up + again


def _mark_claimed(ids, runner, now) -> list[Delivery]:
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=now, claimed_by=runner,
        attempts=F("attempts") + 1)
    return list(Delivery.objects.filter(pk__in=ids, claimed_by=runner,
                                        status=DeliveryStatus.SENDING).order_by("pk"))


def claim(runner: str, now, limit: int = BATCH) -> list[Delivery]:
    """Take up to `limit` due rows for `runner` (the attempt is counted on claiming, so a
    row that crashes its runner every time still runs out of attempts)."""
    with transaction.atomic():
        due = _due(now).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        return _mark_claimed(ids, runner, now) if ids else []


def acquire_lock(runner: str, now) -> bool:
    """Hold the runner lock until now + STALE_AFTER (renewing our own hold)."""
    RunnerLock.objects.get_or_create(name=LOCK_NAME)
    free = Q(holder="") | Q(holder=runner) | Q(expires_at__lt=now)
    return RunnerLock.objects.filter(free, name=LOCK_NAME).update(
        holder=runner, expires_at=now + STALE_AFTER) == 1


def release_lock(runner: str):
    RunnerLock.objects.filter(name=LOCK_NAME, holder=runner).update(holder="")


def _robot_url(delivery) -> str:
    """The robot's URL, signed (钉钉 加签) when the owner's setting holds a secret for it.
    The secret is read at send time: 钉钉 refuses a timestamp older than an hour."""
    if delivery.channel != Channel.DINGTALK:
        return delivery.target
    setting = NotifySetting.objects.filter(user_id=delivery.user_id).first()
    if setting is None or not setting.webhook_secret or setting.webhook_url != delivery.target:
        return delivery.target
    return robots.signed_url(delivery.target, setting.webhook_secret, int(time.time() * 1000))


def send_one(delivery):
    """Send one delivery; raises on failure (core.net.RefusedURL: never retry)."""
    if delivery.channel == Channel.EMAIL:
        send_mail(delivery.subject, delivery.payload["text"], None, [delivery.target])
    else:
        robots.post(_robot_url(delivery), delivery.payload)


def _finish(delivery, runner, **fields):
    """Record an outcome, only while the row is still ours (not requeued as stale)."""
    return Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING,
                                   claimed_by=runner).update(claimed_at=None, **fields)


def _record_failure(delivery, runner, now, error: str, *, final: bool):
    if final or delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, runner, status=DeliveryStatus.FAILED, last_error=error[:ERROR_MAX])
    else:
        _finish(delivery, runner, status=DeliveryStatus.PENDING, last_error=error[:ERROR_MAX],
                next_attempt_at=now + retry_delay(delivery.attempts))


def _send_claimed(delivery, runner, now) -> bool:
    """True when sent; a failure is recorded for a retry or as final."""
    try:
        send_one(delivery)
    except net.RefusedURL as exc:
        # The address itself is refused: trying again would only be refused again.
        _record_failure(delivery, runner, now, str(exc), final=True)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        _record_failure(delivery, runner, now, str(exc) or exc.__class__.__name__, final=False)
    else:
        _finish(delivery, runner, status=DeliveryStatus.SENT, sent_at=now, last_error="")
        return True
    return False


def _run(runner, clock, sent_failed: list):
    done = 0
    while done < MAX_PER_RUN:
        now = clock()
        batch = claim(runner, now)
        if not batch:
            return
        for delivery in batch:
            sent_failed[0 if _send_claimed(delivery, runner, clock()) else 1] += 1
        done += len(batch)
        if not connection.features.has_select_for_update_skip_locked:
            acquire_lock(runner, clock())  # renew: we are alive


def send_deliveries(now=None, *, runner: str | None = None) -> tuple[int, int]:
    """Send what is due; (sent, failed this run). `now` fixes the clock (tests)."""
    runner = runner or runner_name()
    clock = (lambda: now) if now is not None else timezone.now
    requeue_stale(clock())
    sent_failed = [0, 0]
    if connection.features.has_select_for_update_skip_locked:
        _run(runner, clock, sent_failed)
    elif acquire_lock(runner, clock()):
        try:
            _run(runner, clock, sent_failed)
        finally:
            release_lock(runner)
    return sent_failed[0], sent_failed[1]
