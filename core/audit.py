"""Appending to the tamper-evident audit trail, and verifying it."""

from django.db import transaction
from django.utils import timezone

from core.history import to_jsonable
from core.models import AuditChainHead, AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record_audit(event_type, *, request=None, user=None, username="", obj=None,
                 success=True, **detail) -> AuditEvent:
    """Append one event, chained to the previous one by hash.

    The chain head row is locked for the append so concurrent writers queue
    instead of both chaining to the same predecessor.
    """
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and not username:
        username = user.get_username()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditChainHead.objects.get_or_create(pk=1)
        event = AuditEvent(
            time=timezone.now(), user=user, username=username[:150], ip=client_ip(request),
            event_type=event_type, success=success, detail=to_jsonable(detail), prev_hash=head.last_hash,
        )
        if obj is not None:
            event.object_type = obj._meta.label
            event.object_id = str(obj.pk)
            event.object_repr = str(obj)[:200]
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash)
    return event


def verify_chain(batch_size: int = 2000) -> tuple[int, list[str]]:
    """Walk the chain in order; return (events checked, problems found)."""
    problems: list[str] = []
    previous = ""
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if event.prev_hash != previous:
            problems.append(f"#{event.pk}: 前一条哈希不连续（记录可能被删除或插入）")
        if event.compute_hash() != event.hash:
            problems.append(f"#{event.pk}: 内容与哈希不符（记录可能被篡改）")
        previous = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if checked and head is not None and head.last_hash != previous:
        problems.append("链头与最后一条记录不符（末尾记录可能被删除）")
    return checked, problems
