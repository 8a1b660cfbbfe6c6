"""Action items (督办事项): list, page, and the respond → close/return steps."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from core.redirects import redirect_next
from core.scope import get_for_user
from core.views import ScopedDetailView, ScopedListView
from org.roles import Cap
from projects.models import ReportProblem
from supervision import actions
from supervision.choices import ActionItemStatus
from supervision.forms import ActionItemForm, TextForm
from supervision.models import (
    ActionItem,
)


class ActionItemListView(ScopedListView):
    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    select_related = ("unit", "project")
    template_name = "supervision/item_list.html"

    def get_queryset(self):
        qs = super().get_queryset()
        status = self.request.GET.get("status")
        if status in ActionItemStatus.values:
            qs = qs.filter(status=status)
        if self.request.GET.get("overdue") == "1":
            qs = qs.filter(deadline__lt=timezone.localdate()).exclude(
                status=ActionItemStatus.CLOSED)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = ActionItemStatus.choices
        ctx["may_issue"] = actions._may_issue(self.request.user)
        ctx["form"] = ActionItemForm(user=self.request.user)
        return ctx

    def post(self, request):
        """Issue a new item (from the list page, or from a report's problem)."""
        form = ActionItemForm(request.POST, user=request.user)
        problem = None
        if request.POST.get("problem"):
            problem = get_for_user(ReportProblem, request.user, request.POST["problem"])
        if not form.is_valid():
            messages.error(request, "请填写事项、承办单位和办理期限。")
            return redirect_next(request, "supervision:item_list")
        try:
            item = actions.do_create_action_item(
                title=form.cleaned_data["title"], detail=form.cleaned_data["detail"],
                unit=form.cleaned_data["unit"], deadline=form.cleaned_data["deadline"],
                meeting=form.cleaned_data["meeting"], problem=problem, acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
            return redirect_next(request, "supervision:item_list")
        messages.success(request, f"已交办：{item.title}")
        return redirect(item.get_absolute_url())


class ActionItemDetailView(ScopedDetailView):
    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/item_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["events"] = self.object.events.select_related("by")
        ctx["text_form"] = TextForm()
        return ctx


class ActionItemStepView(View):
    """Respond (the unit), close or return (the issuer) — through the actions."""

    STEPS = {"respond": actions.do_respond, "close": actions.do_close, "return": actions.do_return}

    def post(self, request, pk, step):
        item = get_for_user(ActionItem, request.user, pk)
        if step not in self.STEPS:
            raise Http404
        text = request.POST.get("text", "")
        try:
            if step == "return":
                actions.do_return(item, reason=text, acting_user=request.user)
            elif step == "close":
                actions.do_close(item, text=text, acting_user=request.user)
            else:
                actions.do_respond(item, text=text, acting_user=request.user)
            messages.success(request, "已保存。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(item.get_absolute_url())


# --- bulletins ------------------------------------------------------------------------
