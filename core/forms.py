"""Form helpers shared by the apps."""

from django import forms

from core.scope import within_scope


class ScopedChoicesMixin:
    """Every ModelChoiceField and ModelMultipleChoiceField of the form offers and accepts
    only rows its model shows the user (`visible_to(user)`), so a page write cannot point
    at a row the same user could not open, whatever queryset the field was declared with.

    Construct with `user=request.user`. A field over a model without a row scope sets
    `field.unscoped = "reason"` (core/tests/test_write_scope.py lists each one). Narrow a
    field by filtering its queryset (`field.queryset.filter(...)`); a replaced queryset is
    scoped again before validation, so the check holds even when a subclass forgets.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._scoped: dict[str, object] = {}
        self._scope_choices()

    def full_clean(self):
        self._scope_choices()
        super().full_clean()

    def _scope_choices(self):
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or getattr(field, "unscoped", ""):
                continue
            if field.queryset is not self._scoped.get(name):  # new, or replaced since
                field.queryset = within_scope(field.queryset, self.user)
                self._scoped[name] = field.queryset
