"""Action items (督办事项): list, page, and the respond → close/return steps."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from core.dates import cn_date
from core.files import file_view, serve_file
from core.ids import bad_request, parse_id
from core.redirects import redirect_next
from core.scope import get_for_user
from core.views import ScopedDetailView, ScopedListView
from org.models import CityLeader
from org.roles import Cap
from projects.models import ReportProblem
from projects.views import ProjectDetailView
from supervision import actions
from supervision.actions.items import do_issue_instruction, may_instruct
from supervision.filtersets import ActionItemFilterSet
from supervision.forms import ActionItemForm, InstructionForm, ResponseForm, TextForm
from supervision.models import (
    ActionItem,
)
from supervision.models.items import ResponseAttachment


class ActionItemListView(ScopedListView):
    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    filterset_class = ActionItemFilterSet
    select_related = ("unit", "project", "instructed_by__person")
    template_name = "supervision/item_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_issue"] = actions._may_issue(self.request.user)
        ctx["form"] = ActionItemForm(user=self.request.user)
        return ctx

    def post(self, request):
        """Issue a new item (from the list page, or from a report's problem)."""
        form = ActionItemForm(request.POST, user=request.user)
        problem = None
        if request.POST.get("problem"):
            problem_id = parse_id(request.POST["problem"])
            if problem_id is None:
                return bad_request("来源问题编号无效：应为数字。")
            problem = get_for_user(ReportProblem, request.user, problem_id)
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
        ctx["events"] = self.object.events.select_related("by").prefetch_related(
            Prefetch("attachments", queryset=ResponseAttachment.objects.active()))
        ctx["text_form"] = TextForm()
        ctx["response_form"] = ResponseForm()
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
                form = ResponseForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError([e for errors in form.errors.values() for e in errors])
                actions.do_respond(item, text=form.cleaned_data["text"],
                                   files=form.cleaned_data["files"], acting_user=request.user)
            messages.success(request, "已保存。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(item.get_absolute_url())


class InstructionView(ProjectDetailView):
    """领导批示 from a project page (a leader, or the office recording one): it becomes an
    action item for the project's lead unit (do_issue_instruction). A refusal is the
    project's page again with the reason, answered 400 (as MeetingChangeView)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.object = project = self.get_object()  # outside scope: 404
        if not may_instruct(request.user):
            raise PermissionDenied("只有市级领导或领导小组办公室可以批示。")
        form = InstructionForm(request.POST)
        if not form.is_valid():
            return self.refused(_form_reasons(form))
        leader = None
        if form.cleaned_data["leader"]:  # the office names the leader (404 outside scope)
            leader = get_for_user(CityLeader, request.user, form.cleaned_data["leader"])
        try:
            item = do_issue_instruction(project, form.cleaned_data["text"],
                                        form.cleaned_data["deadline"], request.user,
                                        leader=leader)
        except ValidationError as exc:
            return self.refused(exc.messages)
        messages.success(request, f"批示已转{item.unit.name}办理，期限{cn_date(item.deadline)}。")
        return redirect(project.get_absolute_url())

    def refused(self, reasons):
        messages.error(self.request, "；".join(reasons))
        return self.render_to_response(self.get_context_data(), status=400)


def _form_reasons(form) -> list[str]:
    """The form's errors, each with its field's label (批示内容：这个字段是必填项。)."""
    return [f"{form.fields[field].label}：{error}" if field in form.fields else error
            for field, errors in form.errors.items() for error in errors]


@file_view
def item_file(request, pk, file_pk):
    """A file of a response, to whoever sees the action item (scoped, audited: core/files.py)."""
    item = get_for_user(ActionItem, request.user, pk)
    attachment = ResponseAttachment.objects.visible_to(request.user).filter(
        pk=file_pk, item=item).first()
    if attachment is None:
        raise Http404("附件不存在或无权查看。")
    return serve_file(request, attachment.file, obj=attachment,
                      filename=attachment.original_name, content_type=attachment.mime_type,
                      inline=attachment.kind == "photo")


# --- bulletins ------------------------------------------------------------------------
