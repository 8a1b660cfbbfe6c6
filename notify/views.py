"""我的消息: a person's messages, marking them read, and where they are also sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST

from core.net import robot_host_hint
from notify import actions
from notify.choices import ROBOT_CHANNELS
from notify.models import Notification, NotifySetting

PAGE_SIZE = 100


class MessagesView(View):
    """The list: newest first; `?unread=1` shows only the unread ones."""

    def get(self, request):
        notes = Notification.objects.filter(user=request.user).prefetch_related("deliveries")
        unread_only = request.GET.get("unread") == "1"
        if unread_only:
            notes = notes.filter(read_at=None)
        return render(request, "notify/messages.html", {
            "notes": notes[:PAGE_SIZE], "unread_only": unread_only,
            "unread_count": Notification.objects.filter(user=request.user, read_at=None).count(),
            "setting": NotifySetting.objects.filter(user=request.user).first(),
            "robot_kinds": [(c.value, c.label) for c in ROBOT_CHANNELS],
            "robot_hosts": robot_host_hint()})


@require_POST
def mark_read(request):
    """One message (`pk`) or all of them."""
    pk = request.POST.get("pk", "")
    actions.do_mark_read(request.user, pks=[int(pk)] if pk.isdigit() else None)
    return redirect("notify:messages")


def open_message(request, pk):
    """Follow a message's link, marking it read on the way."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    actions.do_mark_read(request.user, pks=[note.pk])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return HttpResponseRedirect(note.link)
    return redirect("notify:messages")


@require_POST
def save_settings(request):
    """E-mail on or off, and the group robot (the 钉钉 secret is kept unless retyped)."""
    secret = request.POST.get("webhook_secret", "")
    if request.POST.get("clear_secret"):
        secret = ""
    elif not secret.strip():
        secret = None
    try:
        actions.do_save_setting(request.user, email=bool(request.POST.get("email")),
                                webhook_kind=request.POST.get("webhook_kind", ""),
                                webhook_url=request.POST.get("webhook_url", ""),
                                webhook_secret=secret)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "消息推送设置已保存。")
    return redirect("notify:messages")
