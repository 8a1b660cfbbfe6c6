"""A person's messages and digest settings."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.net import robot_host_hint
from org.choices import Role


class MessagesView(View):
    """我的消息: in-app notifications (the weekly digest lands here)."""

    def get(self, request):
        from supervision.models import DigestSetting, Notification

        notes = Notification.objects.filter(user=request.user)[:50]
        setting = DigestSetting.objects.filter(user=request.user).first()
        response = render(request, "supervision/messages.html", {
            "notes": notes, "setting": setting, "robot_hosts": robot_host_hint(),
            "is_leader": request.user.role == Role.CITY_LEADER})
        Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
        return response

    def post(self, request):
        from supervision.models import DigestSetting

        if request.user.role != Role.CITY_LEADER:
            raise PermissionDenied("只有市级领导可以设置周报推送。")
        kind = request.POST.get("webhook_kind", "")
        url = request.POST.get("webhook_url", "").strip()
        setting = DigestSetting(user=request.user, email=bool(request.POST.get("email")),
                                webhook_kind=kind if url else "", webhook_url=url)
        try:
            setting.full_clean(exclude=["user"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("supervision:messages")
        DigestSetting.objects.update_or_create(user=request.user, defaults={
            "email": setting.email, "webhook_kind": setting.webhook_kind,
            "webhook_url": setting.webhook_url})
        messages.success(request, "周报推送设置已保存。")
        return redirect("supervision:messages")
