"""图层管理: upload a layer file; when it holds several layers (or no target was named), list
them and let the clerk say where each goes. Both steps import through geo.importers.import_layers.
"""

import os
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.views import View

from core.staging import LAYER_IMPORTS
from core.views import CapabilityRequiredMixin
from geo.choices import LayerKind
from geo.importers import Target, import_layers, list_sources
from geo.models import Layer
from org.roles import Cap

SESSION_KEY = "layer_import"
STAGING = LAYER_IMPORTS  # staged uploads waiting for the clerk's choice (purge_staged_uploads)


class LayerForm(forms.Form):
    file = forms.FileField(label="文件（GeoJSON、Shapefile 的 zip 包、GeoPackage）")
    layer = forms.ModelChoiceField(label="导入到已有图层", queryset=Layer.objects.all(),
                                   required=False)
    name = forms.CharField(label="或新建图层：名称", required=False, max_length=100)
    kind = forms.ChoiceField(label="图层类型", choices=[("", "—")] + LayerKind.choices,
                             required=False)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def target(self) -> Target | None:
        """The layer named on the form, if any (else the clerk chooses after the upload)."""
        data = self.cleaned_data
        if data.get("layer"):
            return Target(layer=data["layer"])
        if data.get("name") and data.get("kind"):
            return Target(name=data["name"], kind=data["kind"])
        return None


class SourceChoiceForm(forms.Form):
    """Where one layer found in the upload goes (one form per layer, prefixed)."""

    pick = forms.BooleanField(label="导入", required=False)
    layer = forms.ModelChoiceField(label="导入到已有图层", queryset=Layer.objects.all(),
                                   required=False, empty_label="（新建图层）")
    name = forms.CharField(label="新图层名称", required=False, max_length=100)
    kind = forms.ChoiceField(label="图层类型", choices=LayerKind.choices, required=False)

    def target(self, label: str) -> Target:
        data = self.cleaned_data
        return Target(source=label, layer=data.get("layer"), name=data.get("name") or "",
                      kind=data.get("kind") or "")


def _layers():
    return Layer.objects.select_related("current_version").prefetch_related("versions")


def _success(request, versions):
    parts = [f"“{v.layer.name}”第{v.number}版，共{v.feature_count}个要素（源坐标系 {v.source_crs}）"
             for v in versions]
    messages.success(request, f"已导入{'；'.join(parts)}。")
    return redirect("maps:layer_list")


class LayerListView(CapabilityRequiredMixin, View):
    """Layers and their versions; upload a new version (the office, for the planning bureau)."""

    required_cap = Cap.MANAGE_PROJECTS

    def get(self, request, form=None):
        return render(request, "maps/layers.html", {"layers": _layers(),
                                                    "form": form or LayerForm()},
                      status=400 if form is not None else 200)

    def post(self, request):
        form = LayerForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form)
        upload, target = form.cleaned_data["file"], form.target()
        try:
            sources = list_sources(upload)
            if len(sources) == 1 and target is not None:
                return _success(request, import_layers(upload, [target],
                                                       acting_user=request.user,
                                                       note=form.cleaned_data["note"]))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.get(request, form)
        _stage(request, upload, form.cleaned_data)
        return redirect("maps:layer_choose")


def _stage(request, upload, data):
    """Keep the upload until the clerk has said where each layer goes."""
    _discard(request)
    token = uuid.uuid4().hex
    ext = os.path.splitext(upload.name.lower())[1]
    upload.seek(0)
    path = default_storage.save(f"{STAGING}/{token}{ext}", upload)
    request.session[SESSION_KEY] = {
        "path": path, "name": upload.name, "note": data["note"],
        "layer": data["layer"].pk if data.get("layer") else None,
        "new_name": data.get("name") or "", "kind": data.get("kind") or ""}


def _discard(request):
    stash = request.session.pop(SESSION_KEY, None)
    if stash and default_storage.exists(stash["path"]):
        default_storage.delete(stash["path"])


class LayerChooseView(CapabilityRequiredMixin, View):
    """Step 2: every layer found in the staged upload, each with where it goes."""

    required_cap = Cap.MANAGE_PROJECTS

    def get(self, request):
        stash, sources = self._staged(request)
        if stash is None:
            return redirect("maps:layer_list")
        rows = [(s, SourceChoiceForm(prefix=f"s{i}", initial=self._initial(stash, s, sources)))
                for i, s in enumerate(sources)]
        return self._render(request, stash, rows)

    def post(self, request):
        if "cancel" in request.POST:
            _discard(request)
            messages.info(request, "已取消导入。")
            return redirect("maps:layer_list")
        stash, sources = self._staged(request)
        if stash is None:
            return redirect("maps:layer_list")
        rows = [(s, SourceChoiceForm(request.POST, prefix=f"s{i}")) for i, s in enumerate(sources)]
        errors = [f"{s.label}：{e}" for s, f in rows if not f.is_valid()
                  for field_errors in f.errors.values() for e in field_errors]
        targets = [f.target(s.label) for s, f in rows if f.is_valid() and f.cleaned_data["pick"]]
        if not errors:
            try:
                with default_storage.open(stash["path"], "rb") as fh:
                    versions = import_layers(fh, targets, acting_user=request.user,
                                             filename=stash["name"], note=stash["note"])
            except ValidationError as exc:
                errors = exc.messages
        if errors:
            return self._render(request, stash, rows, errors, status=400)
        _discard(request)
        return _success(request, versions)

    def _staged(self, request):
        stash = request.session.get(SESSION_KEY)
        if not stash or not default_storage.exists(stash["path"]):
            messages.error(request, "待导入的文件已失效，请重新上传。")
            return None, []
        with default_storage.open(stash["path"], "rb") as fh:
            return stash, list_sources(fh, filename=stash["name"])

    @staticmethod
    def _initial(stash, source, sources):
        only = len(sources) == 1
        return {"pick": True, "layer": stash["layer"] if only else None,
                "name": stash["new_name"] if only and stash["new_name"] else
                source.suggested_name,
                "kind": stash["kind"] if only and stash["kind"] else source.suggested_kind}

    def _render(self, request, stash, rows, errors=(), status=200):
        return render(request, "maps/layer_choose.html", {
            "filename": stash["name"], "rows": rows, "errors": errors}, status=status)
