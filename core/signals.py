"""Login, logout and failed-login events go to the audit trail.

These receivers only record; they hold no workflow logic.
"""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.audit import record_audit
from core.choices import AuditEventType


@receiver(user_logged_in, dispatch_uid="core.audit.login")
def _on_login(sender, request, user, **kwargs):
    record_audit(AuditEventType.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="core.audit.logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_audit(AuditEventType.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="core.audit.login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record_audit(AuditEventType.LOGIN_FAILED, request=request, username=username, success=False)


@receiver(user_locked_out, dispatch_uid="core.audit.lockout")
def _on_lockout(sender, request, username, ip_address, **kwargs):
    record_audit(AuditEventType.LOCKOUT, request=request, username=str(username or "")[:150],
                 success=False)


@receiver(user_logged_in, dispatch_uid="core.sessions.touched_at_login")
def _touched_at_login(sender, request, user, **kwargs):
    # Signing in saves the session: it counts as the idle timeout's latest save
    # (core.middleware.SessionTouchMiddleware), so the first page after it writes nothing.
    from core.middleware import SessionTouchMiddleware

    if request is not None and hasattr(request, "session"):
        request.session[SessionTouchMiddleware.KEY] = int(time.time())
