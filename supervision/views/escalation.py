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
from supervision.filtersets import EscalationFilterSet
from supervision.forms import EscalationProposalForm
from supervision.models import (
    EscalationRule,
    EscalationStep,
)


class EscalationListView(ScopedListView):
    model = EscalationStep
    required_cap = Cap.VIEW_PROJECTS
    filterset_class = EscalationFilterSet
    select_related = ("unit", "rule", "decided_by", "interview")
    template_name = "supervision/escalation_list.html"

    def get_context_data(self, **kwargs):
        from supervision.escalation import DEFAULT_RULES, RULE_NOTES

        ctx = super().get_context_data(**kwargs)
        ctx["may_decide"] = self.request.user.has_cap(Cap.SUPERVISE)
        # Steps this person proposed by hand: another person of the bureau decides them.
        ctx["own_proposals"] = {s.pk for s in ctx["object_list"]
                                if actions.proposer_id(s) == self.request.user.pk}
        if ctx["may_decide"]:
            ctx.setdefault("proposal_form", EscalationProposalForm(user=self.request.user))
            # Before the rules first run, their defaults (a page view writes nothing).
            rules = list(EscalationRule.objects.all()) or [
                EscalationRule(key=key, name=name, level=level, threshold=threshold,
                               window_days=window)
                for key, name, level, threshold, window in DEFAULT_RULES]
            ctx["rules"] = [(rule, RULE_NOTES.get(rule.key, "")) for rule in rules]
        return ctx

    def post(self, request):
        if not request.user.has_cap(Cap.SUPERVISE):
            raise PermissionDenied("只有督查局可以运行问责升级规则。")
        messages.success(request, f"新增措施建议{actions.do_propose_escalations()}条。")
        return redirect("supervision:escalation_list")


class EscalationProposeView(EscalationListView):
    """The bureau proposes a step by hand (提醒, 问责 … with the reason) from the ladder page;
    a refusal re-renders the page with the reason and a 400."""

    def post(self, request):
        if not request.user.has_cap(Cap.SUPERVISE):
            raise PermissionDenied("只有督查局可以提出问责升级措施。")
        form = EscalationProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                step = actions.do_propose_step(unit=form.cleaned_data["unit"],
                                               level=form.cleaned_data["level"],
                                               reason=form.cleaned_data["reason"],
                                               acting_user=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"已提出措施建议：{step.unit}{step.get_level_display()}"
                                          "，待决定。")
                return redirect("supervision:escalation_list")
        self.object_list = self.get_queryset()
        context = self.get_context_data(proposal_form=form)
        return self.render_to_response(context, status=400)


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
        except PermissionDenied as exc:
            if not request.user.has_cap(Cap.SUPERVISE):
                raise
            messages.error(request, str(exc))  # four eyes: another person of the bureau decides
        return redirect("supervision:escalation_list")


# --- messages and the leaders' digest -------------------------------------------------
