"""Who changed what: the context every change is recorded under.

A web or API request, a management command and an importer each open a
change context; every TrackedModel write made inside it is stored as an
ObjectChange row carrying the same request_id, actor and source. Writes made
outside any context (a shell, a stray script) are still attributed: to the
operating-system user and the command line, so the actor is never lost.
"""

import contextlib
import contextvars
import getpass
import json
import sys
import uuid
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile

from core.choices import ChangeSource


@dataclass
class ChangeContext:
    source: str
    user: object | None = None  # a User; for requests it is read lazily from request
    label: str = ""
    request: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def actor_user(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None

    def actor_label(self) -> str:
        user = self.actor_user()
        if user is not None and self.label:
            return f"{user.get_username()}（{self.label}）"
        if user is not None:
            return user.get_username()
        return self.label or "匿名"


_current: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar(
    "chengjian_change_context", default=None
)
_process_fallback: ChangeContext | None = None


def _fallback_context() -> ChangeContext:
    """One context per process for writes made outside any declared context."""
    global _process_fallback
    if _process_fallback is None:
        try:
            os_user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            os_user = "unknown"
        command = " ".join(sys.argv[:2]) or "python"
        _process_fallback = ChangeContext(source=ChangeSource.SYSTEM, label=f"{os_user}@{command}")
    return _process_fallback


def current_context() -> ChangeContext:
    return _current.get() or _fallback_context()


@contextlib.contextmanager
def change_context(source: str, *, user=None, label: str = "", request=None):
    """Attribute every tracked write inside the block to this actor and source."""
    ctx = ChangeContext(source=source, user=user, label=label, request=request)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def to_jsonable(data):
    """Normalise a value to what a JSONField gives back (dates as ISO strings, ...)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def history_fields(model) -> list[str]:
    """The attnames a model's history records (concrete fields minus `history_exclude`)."""
    excluded = set(getattr(model, "history_exclude", ()))
    return [f.attname for f in model._meta.concrete_fields
            if f.name not in excluded and f.attname not in excluded]


def snapshot(instance) -> dict:
    """The tracked field values of an instance, JSON-ready, keyed by attname."""
    values = {}
    for attname in history_fields(type(instance)):
        value = getattr(instance, attname)
        if isinstance(value, FieldFile):
            value = value.name or ""  # the stored path, not the file
        values[attname] = value
    return to_jsonable(values)


def masked_changes(change, masks: dict) -> list[tuple[str, object, object]]:
    """`change.changed_fields()` with the values of the attnames in `masks` passed through
    their mask function, so a history page shows personal data (a phone number) masked.

    Rows are chosen on the stored values: a change between two numbers that mask alike
    still shows as a change.
    """
    before, after = change.before or {}, change.after or {}
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    rows = change.changed_fields()  # the same keys, in the same order
    return [(label, masks[key](old) if key in masks else old,
             masks[key](new) if key in masks else new)
            for key, (label, old, new) in zip(keys, rows, strict=True)]
