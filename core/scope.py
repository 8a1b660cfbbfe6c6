"""Row-level scope helpers used by every view, viewset, serializer field and form."""

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404


def visible(model, user):
    """The one entry point to a model's rows for a user."""
    return model.objects.visible_to(user)


def get_for_user(model, user, pk):
    """Fetch one object within the user's scope; outside it, the object does not exist."""
    obj = visible(model, user).filter(pk=pk).first()
    if obj is None:
        raise Http404(f"{model._meta.verbose_name}不存在或无权查看。")
    return obj


def is_scoped(model) -> bool:
    """Whether the model has a row scope (`objects.visible_to`)."""
    return callable(getattr(model.objects, "visible_to", None))


def within_scope(queryset, user):
    """`queryset` narrowed to the rows its model shows `user`.

    Used for every id a write accepts (serializer relations, form choices), so a write can
    never point at a row the same user could not open. Whatever the caller narrowed already
    (a project's milestones) is kept: a subquery on visible_to() rather than `&`, which
    refuses to combine a distinct queryset with one that is not.

    A model without a scope is a configuration error, not an open door: the field must say
    why it needs none (see `unscoped` on core.api.serializers.PrimaryKeyRelatedField and
    core.forms.ScopedChoicesMixin).
    """
    model = queryset.model
    if not is_scoped(model):
        raise ImproperlyConfigured(
            f"{model._meta.label} has no visible_to(); a field choosing its rows must be "
            "declared unscoped with a reason.")
    return queryset.filter(pk__in=visible(model, user).values("pk"))
