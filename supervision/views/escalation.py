"""The accountability ladder (提醒 → 约谈 → 通报 → 问责)."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from core.scope import get_for_user
from core.views import ScopedListView
from org.roles import Cap
from supervision import actions
from supervision.models import (
    EscalationStep,
)


class EscalationListView(ScopedListView):
    model = EscalationStep
    required_cap = Cap.VIEW_PROJECTS
    select_related = ("unit", "rule", "decided_by")
    template_name = "supervision/escalation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_decide"] = self.request.user.has_cap(Cap.SUPERVISE)
        return ctx

    def post(self, request):
        if not request.user.has_cap(Cap.SUPERVISE):
            raise PermissionDenied("只有督查局可以运行问责升级规则。")
        messages.success(request, f"新增措施建议{actions.do_propose_escalations()}条。")
        return redirect("supervision:escalation_list")


class EscalationStepView(View):
    def post(self, request, pk, step):
        item = get_for_user(EscalationStep, request.user, pk)
        try:
            if step in ("confirm", "dismiss"):
                actions.do_decide_step(item, confirm=step == "confirm",
                                       note=request.POST.get("note", ""), acting_user=request.user)
            elif step == "interview":
                held_on = datetime.strptime(request.POST.get("held_on", ""), "%Y-%m-%d").date()
                actions.do_record_interview(
                    item, held_on=held_on, attendees=request.POST.get("attendees", ""),
                    content=request.POST.get("content", ""),
                    commitments=request.POST.get("commitments", ""),
                    follow_up=request.POST.get("follow_up", ""), acting_user=request.user)
            else:
                raise Http404
            messages.success(request, "已保存。")
        except ValueError:
            messages.error(request, "请填写约谈日期。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("supervision:escalation_list")


# --- messages and the leaders' digest -------------------------------------------------
