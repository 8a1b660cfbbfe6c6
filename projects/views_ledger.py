"""Excel ledger export (current filter) and the two-step import (preview, then apply)."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.audit import record_audit
from core.choices import AuditEventType
from core.views import CapabilityRequiredMixin
from org.roles import Cap
from plans.models import Category, Plan
from projects.filtersets import ProjectFilterSet
from projects.ledger_export import export_queryset
from projects.ledger_import import LedgerImporter
from projects.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 20 * 1024 * 1024
SESSION_KEY = "ledger_import_token"


class ExportView(CapabilityRequiredMixin, View):
    """The ledger for the current filter, as the styled office .xlsx (audited)."""

    required_cap = Cap.VIEW_PROJECTS

    def get(self, request):
        qs = Project.objects.visible_to(request.user)
        filterset = ProjectFilterSet(request.GET, queryset=qs, request=request)
        qs = filterset.qs if filterset.is_valid() else qs.none()
        plan = filterset.form.cleaned_data.get("plan") if filterset.is_valid() else None
        title = f"{plan.name}项目台账" if plan else "项目台账"
        data = export_queryset(qs, title=title, as_of=timezone.localdate())
        record_audit(AuditEventType.EXPORT, request=request, what="项目台账",
                     query=request.GET.urlencode(), rows=qs.count())
        response = HttpResponse(data, content_type=XLSX)
        filename = f"ledger-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")
    plan = forms.ModelChoiceField(label="计划", queryset=Plan.objects.active())
    category = forms.ModelChoiceField(label="新建项目的默认类别", required=False,
                                      queryset=Category.objects.active().select_related("plan"))


class ImportView(CapabilityRequiredMixin, View):
    """Step 1 uploads and shows the dry run (every problem, every change);
    step 2 applies the same file all-or-nothing."""

    required_cap = Cap.IMPORT_LEDGER
    template_name = "projects/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm()})

    def post(self, request):
        if request.POST.get("token"):
            return self._apply(request)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "文件超过20MB上限。")
            return render(request, self.template_name, {"form": form}, status=400)
        data = upload.read()
        token = uuid.uuid4().hex
        default_storage.save(f"ledger-imports/{token}.xlsx", ContentFile(data))
        request.session[SESSION_KEY] = {
            "token": token, "plan": form.cleaned_data["plan"].pk,
            "category": form.cleaned_data["category"].pk if form.cleaned_data["category"] else None,
            "name": upload.name}
        result = self._importer(request, data).run(apply=False)
        return render(request, self.template_name, {
            "form": form, "result": result, "token": token if result.ok else None,
            "filename": upload.name}, status=200 if result.ok else 400)

    def _importer(self, request, data):
        stash = request.session[SESSION_KEY]
        plan = Plan.objects.visible_to(request.user).filter(pk=stash["plan"]).first()
        if plan is None:
            raise PermissionDenied("无权导入该计划。")
        category = Category.objects.filter(pk=stash["category"], plan=plan).first() \
            if stash["category"] else None
        return LedgerImporter(data, user=request.user, plan=plan, default_category=category)

    def _apply(self, request):
        stash = request.session.get(SESSION_KEY)
        if not stash or stash["token"] != request.POST["token"]:
            messages.error(request, "导入预览已失效，请重新上传文件。")
            return redirect("projects:import")
        path = f"ledger-imports/{stash['token']}.xlsx"
        with default_storage.open(path, "rb") as fh:
            data = fh.read()
        result = self._importer(request, data).run(apply=True)
        if not result.applied:
            return render(request, self.template_name, {"form": ImportForm(), "result": result},
                          status=400)
        default_storage.delete(path)
        del request.session[SESSION_KEY]
        messages.success(request, f"导入完成：新建{result.created}个项目，修改{result.updated}个，"
                                  f"填报进度{result.reported}个。")
        return redirect("projects:project_list")
