"""Row-level scope helpers used by every view and viewset."""

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
