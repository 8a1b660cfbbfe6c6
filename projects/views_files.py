"""Photos and documents of the ledger: scoped, audited downloads, 批复文件 uploads, and the
unit's 办结 claims for preliminary procedures with the office's confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from core.files import file_view, serve_file
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin
from org.roles import Cap
from projects import actions
from projects.forms import ProcedureClaimForm, ProcedureDecisionForm, ProcedureDocumentForm
from projects.models import Attachment, ProcedureItem


@file_view
def attachment_file(request, pk):
    """The uploaded file itself: photos open in the browser, documents download."""
    attachment = get_for_user(Attachment, request.user, pk)
    return serve_file(request, attachment.file, obj=attachment, filename=attachment.original_name,
                      content_type=attachment.mime_type, inline=attachment.kind == "photo")


@file_view
def attachment_thumbnail(request, pk):
    attachment = get_for_user(Attachment, request.user, pk)
    stem = attachment.original_name.rsplit(".", 1)[0]
    return serve_file(request, attachment.thumbnail, obj=attachment, filename=f"{stem}_缩略图.jpg",
                      content_type="image/jpeg", inline=True, variant="thumbnail")


class ProcedureDocumentUploadView(View):
    """批复文件 for one preliminary procedure (the lead unit and the office)."""

    def post(self, request, pk):
        procedure = get_for_user(ProcedureItem, request.user, pk)
        form = ProcedureDocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择要上传的批复文件。")
        else:
            try:
                actions.do_add_procedure_document(procedure, form.cleaned_data["file"],
                                                  acting_user=request.user)
                messages.success(request, f"“{procedure.get_kind_display()}”的批复文件已上传。")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return redirect(procedure.project.get_absolute_url())


class ProcedureClaimView(View):
    """申报办结: the lead unit records a procedure as done (date, 文号, 批复文件) for the
    office to confirm. Outside the user's scope is a 404; a unit that sees the project but
    does not lead it (a cooperating unit) is refused by the action (403)."""

    def post(self, request, pk):
        procedure = get_for_user(ProcedureItem, request.user, pk)
        form = ProcedureClaimForm(request.POST, request.FILES, procedure=procedure)
        kind = procedure.get_kind_display()
        if not form.is_valid():
            problems = [f"{form.fields[name].label}：{'；'.join(errors)}" if name in form.fields
                        else "；".join(errors) for name, errors in form.errors.items()]
            messages.error(request, f"“{kind}”申报办结未提交：{'；'.join(problems)}")
        else:
            data = form.cleaned_data
            try:
                actions.do_claim_procedure_done(procedure, data["done_on"], data["doc_number"],
                                                request.user, document=data.get("document"),
                                                earlier_document=data.get("earlier_document"))
                messages.success(request, f"“{kind}”已申报办结，等待办公室确认后计为办结。")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return redirect(procedure.project.get_absolute_url())


class ProcedureDecisionView(CapabilityRequiredMixin, View):
    """The office confirms a unit's 办结 claim, or sends it back with a reason."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk, decision):
        if decision not in ("confirm", "return"):
            raise Http404
        procedure = get_for_user(ProcedureItem, request.user, pk)
        form = ProcedureDecisionForm(request.POST)
        if not form.is_valid():  # no claim named: not sent by the project page's buttons
            messages.error(request, "未指明要处理的办结申报，未作任何更改，请在项目页面上操作。"
                           if "claim" in form.errors else "意见不超过200字，未作任何更改。")
            return redirect(procedure.project.get_absolute_url())
        approve = decision == "confirm"
        try:
            actions.do_confirm_procedure(procedure, request.user, approve,
                                         form.cleaned_data["note"],
                                         claim_id=form.cleaned_data["claim"])
            kind = procedure.get_kind_display()
            messages.success(request, f"已确认“{kind}”办结。" if approve else f"已退回“{kind}”的办结申报。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(procedure.project.get_absolute_url())
