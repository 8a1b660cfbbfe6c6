"""Excel ledger export (current filter), the two-step import (preview, then apply) and the
序时 schedule form of the project page."""

import hashlib
import json
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.audit import record_audit
from core.choices import AuditEventType
from core.forms import ScopedChoicesMixin
from core.scope import get_for_user
from core.staging import LEDGER_IMPORTS
from core.views import CapabilityRequiredMixin
from org.roles import Cap
from plans.models import Category, Plan
from projects import actions
from projects.filtersets import ProjectFilterSet
from projects.forms import ScheduleForm
from projects.ledger_export import export_queryset
from projects.ledger_import import LedgerImporter
from projects.ledger_sheet import Sheet
from projects.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 20 * 1024 * 1024
SESSION_KEY = "ledger_import_token"
STAGING = LEDGER_IMPORTS  # previews waiting for the clerk's 确认导入 (purge_staged_uploads)


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


class ImportForm(ScopedChoicesMixin, forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")
    plan = forms.ModelChoiceField(label="计划", queryset=Plan.objects.active())
    category = forms.ModelChoiceField(label="新建项目的默认类别", required=False,
                                      queryset=Category.objects.active().select_related("plan"))

    def clean(self):
        data = super().clean()
        plan, category = data.get("plan"), data.get("category")
        if plan and category and category.plan_id != plan.pk:
            self.add_error("category", f"类别“{category}”不属于计划“{plan}”，请选择该计划下的类别。")
        return data


class ImportView(CapabilityRequiredMixin, View):
    """Step 1 uploads and shows the dry run (every problem, warning and change);
    step 2 applies the same rows all-or-nothing.

    The file is read and checked once: the preview keeps the rows it read and what it
    validated (JSON, named by the file's SHA-256 and a token, see STAGING); the apply writes
    those changes while the projects are as the preview saw them, and otherwise checks the
    rows again and shows the new preview instead of applying.
    """

    required_cap = Cap.IMPORT_LEDGER
    template_name = "projects/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm(user=request.user)})

    def post(self, request):
        if request.POST.get("token"):
            return self._apply(request)
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "文件超过20MB上限。")
            return render(request, self.template_name, {"form": form}, status=400)
        data = upload.read()
        digest = hashlib.sha256(data).hexdigest()
        request.session[SESSION_KEY] = {
            "token": uuid.uuid4().hex, "sha256": digest, "plan": form.cleaned_data["plan"].pk,
            "category": form.cleaned_data["category"].pk if form.cleaned_data["category"] else None,
            "name": upload.name}
        importer = self._importer(request, data)
        return self._preview(request, importer, form)

    def _preview(self, request, importer, form, **context):
        """The dry run shown, and what it validated kept for the apply."""
        stash = request.session[SESSION_KEY]
        result = importer.run(apply=False)
        if result.ok:
            default_storage.save(_stash_path(stash), ContentFile(json.dumps(
                {"sheet": importer.sheet.to_json(), "prepared": importer.prepared},
                ensure_ascii=False).encode()))
        return render(request, self.template_name, {
            "form": form, "result": result, "token": stash["token"] if result.ok else None,
            "filename": stash["name"], **context}, status=200 if result.ok else 400)

    def _importer(self, request, data, sheet=None):
        stash = request.session[SESSION_KEY]
        plan = Plan.objects.visible_to(request.user).filter(pk=stash["plan"]).first()
        if plan is None:
            raise PermissionDenied("无权导入该计划。")
        category = Category.objects.filter(pk=stash["category"], plan=plan).first() \
            if stash["category"] else None
        return LedgerImporter(data, user=request.user, plan=plan, default_category=category,
                              sheet=sheet)

    def _apply(self, request):
        stash = request.session.get(SESSION_KEY)
        path = _stash_path(stash) if stash else None
        if not stash or stash["token"] != request.POST["token"] or \
                not default_storage.exists(path):
            messages.error(request, "导入预览已失效，请重新上传文件。")
            return redirect("projects:import")
        with default_storage.open(path, "rb") as fh:
            stored = json.loads(fh.read().decode())
        default_storage.delete(path)
        importer = self._importer(request, None, sheet=Sheet.from_json(stored["sheet"]))
        result = importer.apply_prepared(stored.get("prepared"))
        if result is None:  # a project changed since the preview: check again, show that
            stash["token"] = uuid.uuid4().hex
            request.session[SESSION_KEY] = stash
            return self._preview(request, importer, ImportForm(user=request.user), rechecked=True)
        if not result.applied:
            return render(request, self.template_name,
                          {"form": ImportForm(user=request.user), "result": result}, status=400)
        del request.session[SESSION_KEY]
        messages.success(request, f"导入完成：新建{result.created}个项目，修改{result.updated}个，"
                                  f"填报进度{result.reported}个。")
        return redirect("projects:project_list")


def _stash_path(stash) -> str:
    return f"{STAGING}/{stash['sha256'][:16]}-{stash['token']}.json"


class ScheduleView(CapabilityRequiredMixin, View):
    """The office sets a year's 序时 schedule (monthly amounts) on the project page."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk):
        project = get_for_user(Project, request.user, pk)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "序时计划未保存：" + "；".join([
                *(f"{form.fields[key].label}：{'；'.join(errors)}"
                  for key, errors in form.errors.items() if key in form.fields),
                *form.non_field_errors()]))
            return redirect(project.get_absolute_url())
        schedule = form.cumulative()
        try:
            actions.do_set_year_plan(project, form.cleaned_data["year"], schedule[-1],
                                     monthly=schedule, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, "序时计划未保存：" + "；".join(exc.messages))
            return redirect(project.get_absolute_url())
        messages.success(request, f"{form.cleaned_data['year']}年序时计划已保存，"
                                  f"年度计划投资为{schedule[-1]}万元。")
        return redirect(project.get_absolute_url())
