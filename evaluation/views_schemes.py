"""考评方案 pages: the schemes, their versions, and the editor of a draft (office only).

Units and leaders read published versions (the rules they are scored by); drafts are the
office's and do not exist for anyone else (404). Every write goes through an action.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from core.scope import get_for_user
from core.views import ScopedListView, user_may
from evaluation import actions
from evaluation.forms import (
    ItemFormSet,
    SchemeForm,
    VersionForm,
    item_initial,
    version_initial,
)
from evaluation.formulas import LIBRARY
from evaluation.models import Evaluation, Scheme, SchemeVersion
from evaluation.validation import version_errors
from org.roles import Cap


def _require_office(request):
    if not user_may(request.user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以制定考评方案。")


def _refusal(exc: ValidationError) -> str:
    return "；".join(getattr(exc, "messages", ["输入有误"]))


class SchemeListView(ScopedListView):
    model = Scheme
    required_cap = Cap.VIEW_PROJECTS
    template_name = "evaluation/scheme_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_manage"] = user_may(self.request.user, Cap.MANAGE_PROJECTS)
        ctx["form"] = kwargs.get("form") or SchemeForm()
        return ctx

    def post(self, request):
        _require_office(request)
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                scheme = actions.do_create_scheme(**form.cleaned_data, acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, _refusal(exc))
            else:
                messages.success(request, "方案已创建，请编辑草稿后发布。")
                return redirect(scheme.draft.get_absolute_url())
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class SchemeDetailView(View):
    """A scheme: its current rules, its versions, the evaluations that used it."""

    def get(self, request, pk):
        scheme = get_for_user(Scheme, request.user, pk)
        versions = SchemeVersion.objects.visible_to(request.user).filter(scheme=scheme)
        current = scheme.current_version
        return render(request, "evaluation/scheme_detail.html", {
            "scheme": scheme, "current": current, "versions": versions,
            "items": current.items.prefetch_related("parameters") if current else [],
            "evaluations": Evaluation.objects.visible_to(request.user).filter(
                scheme=scheme).select_related("version"),  # the template reads its number
            "may_manage": user_may(request.user, Cap.MANAGE_PROJECTS)})

    def post(self, request, pk):
        """修订: open (or reopen) the draft of the next version."""
        _require_office(request)
        scheme = get_for_user(Scheme, request.user, pk)
        draft = actions.do_start_draft(scheme, acting_user=request.user)
        return redirect(draft.get_absolute_url())


class VersionDetailView(View):
    """A version read-only; a draft is the editor (settings above, items below)."""

    def get(self, request, pk):
        version = get_for_user(SchemeVersion, request.user, pk)
        if not version.is_draft:
            return render(request, "evaluation/version_detail.html", _version_context(version))
        _require_office(request)
        form = VersionForm(initial=version_initial(version))
        items = ItemFormSet(initial=item_initial(version), prefix="items",
                            form_kwargs={"total_points": version.total_points})
        return self.editor(request, version, form, items)

    def post(self, request, pk):
        _require_office(request)
        version = get_for_user(SchemeVersion, request.user, pk)
        if not version.is_draft:
            messages.error(request, "已发布的方案版本不能修改，请先修订出新的草稿。")
            return redirect(version.get_absolute_url())
        form = VersionForm(request.POST)
        total = form.cleaned_data["total_points"] if form.is_valid() else version.total_points
        items = ItemFormSet(request.POST, prefix="items", form_kwargs={"total_points": total})
        if not (form.is_valid() and items.is_valid()):
            messages.error(request, "草稿未保存，请按提示修改。")
            return self.editor(request, version, form, items, status=400)
        try:
            actions.do_save_draft(version, **form.cleaned_data, items=items.specs(),
                                  acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, _refusal(exc))
            return self.editor(request, version, form, items, status=400)
        messages.success(request, "草稿已保存。")
        return redirect(version.get_absolute_url())

    def editor(self, request, version, form, items, status=200):
        return render(request, "evaluation/version_edit.html", {
            **_version_context(version), "form": form, "formset": items,
            "library": LIBRARY.values()}, status=status)


def _version_context(version) -> dict:
    return {"version": version, "scheme": version.scheme,
            "items": version.items.prefetch_related("parameters"),
            "problems": version_errors(version) if version.is_draft else []}


class VersionStepView(View):
    """发布 a draft (it becomes the scheme's current version) or 放弃 it."""

    def post(self, request, pk, step):
        _require_office(request)
        version = get_for_user(SchemeVersion, request.user, pk)
        try:
            if step == "publish":
                actions.do_publish_version(version, acting_user=request.user)
                messages.success(request, f"第{version.number}版已发布，之后计算的考评按此版本计分。")
                return redirect(version.get_absolute_url())
            if step == "discard":
                actions.do_discard_draft(version, acting_user=request.user)
                messages.success(request, "草稿已放弃。")
                return redirect(version.scheme.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, _refusal(exc))
            return redirect(version.get_absolute_url())
        raise Http404
