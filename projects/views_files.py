"""Photos and documents of the ledger: scoped, audited downloads and 批复文件 uploads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View

from core.files import file_view, serve_file
from core.scope import get_for_user
from projects import actions
from projects.forms import ProcedureDocumentForm
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
