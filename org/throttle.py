"""Wrong current passwords on the password-change form, throttled like logins.

Someone holding a signed-in session (a stolen cookie, an unlocked screen) could guess the
current password on the password-change form, and take the account over with it. So
wrong guesses count per account — not per IP, which a thief can change while keeping the
cookie — and after LOGIN_FAILURE_LIMIT of them in a row the form is locked for
LOGIN_LOCKOUT_MINUTES, the same numbers as the login lockout (django-axes).

The counter is the audit trail itself: each wrong guess is a PASSWORD_CHANGE event with
success=False and detail failure="old_password". Counted are those of the last
LOGIN_LOCKOUT_MINUTES after the account's last successful password change and after the
security administrator's last unlock of it (org.actions.do_unlock_login), so nothing
else can drift, and every worker process sees the same count.

Checking the count, verifying the guess and recording it happen under one lock of the
account's row (one_attempt_at_a_time): otherwise parallel requests each read the count
before any of them recorded a guess, and all of them got a guess past the limit.
"""

import math
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.audit import record_audit
from core.choices import AuditEventType
from core.models import AuditEvent

WRONG_OLD_PASSWORD = "old_password"
LOCKED = "locked"


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _failures(user, now) -> list[datetime]:
    """Times of the counted wrong guesses, oldest first."""
    reset = AuditEvent.objects.filter(
        Q(event_type=AuditEventType.PASSWORD_CHANGE, user=user, success=True)
        | Q(event_type=AuditEventType.UNLOCK, detail__target_username=user.get_username())
    ).aggregate(last=Max("time"))["last"]
    since = max(filter(None, (reset, now - _window())))
    return list(AuditEvent.objects.filter(
        event_type=AuditEventType.PASSWORD_CHANGE, user=user, success=False,
        detail__failure=WRONG_OLD_PASSWORD, time__gt=since).order_by("time")
        .values_list("time", flat=True))


@contextmanager
def one_attempt_at_a_time(user):
    """Hold the account's row (SELECT … FOR UPDATE) for one check-verify-record attempt.

    A second attempt on the same account waits until the first has committed its audit
    event, and then reads a count that includes it. On SQLite the write transaction
    (IMMEDIATE) serialises attempts anyway.
    """
    from org.models import User

    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        yield


def locked_until(user, now=None) -> datetime | None:
    """When the form opens again for `user`, or None when it is open now.

    A lock lasts until enough of the counted guesses are older than the window that
    fewer than the limit remain (guesses refused while locked are not counted).
    """
    now = now or timezone.now()
    failures = _failures(user, now)
    excess = len(failures) - settings.LOGIN_FAILURE_LIMIT
    return failures[excess] + _window() if excess >= 0 else None


def minutes_left(until, now=None) -> int:
    return max(1, math.ceil((until - (now or timezone.now())).total_seconds() / 60))


def record_wrong_old_password(user, request) -> datetime | None:
    """Audit one wrong guess; if it completes the limit, audit the lock and return its end."""
    record_audit(AuditEventType.PASSWORD_CHANGE, request=request, user=user, obj=user,
                 success=False, failure=WRONG_OLD_PASSWORD, reason="当前密码不正确")
    until = locked_until(user)
    if until is not None:
        record_audit(AuditEventType.LOCKOUT, request=request, user=user, obj=user,
                     success=False, scope="password_change", until=until,
                     limit=settings.LOGIN_FAILURE_LIMIT)
    return until


def record_refused_while_locked(user, request, until) -> None:
    """An attempt made during the lock: audited, not checked, not counted."""
    record_audit(AuditEventType.PASSWORD_CHANGE, request=request, user=user, obj=user,
                 success=False, failure=LOCKED, reason="修改密码已锁定", until=until)


def locked_accounts(now=None) -> list[tuple[str, datetime]]:
    """(username, locked until) of every account whose password-change form is locked now,
    for the security administrator's lockout page."""
    now = now or timezone.now()
    from org.models import User

    user_ids = (AuditEvent.objects.filter(
        event_type=AuditEventType.LOCKOUT, detail__scope="password_change",
        time__gt=now - _window()).values_list("user_id", flat=True).distinct())
    found = []
    for user in User.objects.filter(pk__in=set(user_ids)).order_by("username"):
        until = locked_until(user, now)
        if until is not None:
            found.append((user.get_username(), until))
    return found
