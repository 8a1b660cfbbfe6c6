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


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (a phone's picker, or its camera and gallery buttons both
    posting the same name); each is checked by content where it is stored (core.uploads).
    `max_files` refuses a larger selection with its count."""

    def __init__(self, *, max_files: int | None = None, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(**kwargs)

    def files_of(self, data) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [f for f in files if f]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if self.max_files is not None and len(files) > self.max_files:
            raise forms.ValidationError(
                f"每次最多上传{self.max_files}张照片，您选了{len(files)}张。")
        return files

    def clean(self, data, initial=None):
        return [super(MultiplePhotoField, self).clean(f, initial) for f in self.files_of(data)]
