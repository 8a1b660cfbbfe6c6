"""State changes shared by every app's records."""

from django.core.exceptions import PermissionDenied
from django.db import transaction


@transaction.atomic
def do_archive(obj, *, acting_user, allowed: bool):
    """Archive a record (never delete). `allowed` is the caller's permission verdict."""
    if not allowed:
        raise PermissionDenied("无权归档该记录。")
    obj.archive()
    return obj


@transaction.atomic
def do_restore(obj, *, acting_user, allowed: bool):
    if not allowed:
        raise PermissionDenied("无权恢复该记录。")
    obj.restore()
    return obj
