"""考评 pages: schemes, group rankings, a unit's drill-down, Excel export."""

import io
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.audit import record_audit
from core.choices import AuditEventType
from core.scope import get_for_user
from core.spreadsheet import set_value, write_row
from core.views import ScopedListView
from evaluation import actions
from evaluation.forms import AdjustmentForm
from evaluation.models import Scheme, UnitScore
from evaluation.presets import PRESETS
from org.roles import Cap


def _number(points):
    """An item's points for the sheet; blank where the unit had nothing due ("—")."""
    try:
        return float(points)
    except (TypeError, ValueError):
        return None


class SchemeListView(ScopedListView):
    model = Scheme
    required_cap = Cap.VIEW_PROJECTS
    template_name = "evaluation/scheme_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["presets"] = [(k, v["name"]) for k, v in PRESETS.items()]
        ctx["may_manage"] = self.request.user.has_cap(Cap.MANAGE_PROJECTS)
        return ctx

    def post(self, request):
        try:
            start = datetime.strptime(request.POST["period_start"], "%Y-%m-%d").date()
            end = datetime.strptime(request.POST["period_end"], "%Y-%m-%d").date()
            scheme = actions.do_create_scheme(preset=request.POST.get("preset", ""),
                                              period_start=start, period_end=end,
                                              acting_user=request.user)
        except (KeyError, ValueError):
            messages.error(request, "请填写考评期间。")
            return redirect("evaluation:scheme_list")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("evaluation:scheme_list")
        return redirect(scheme.get_absolute_url())


class SchemeDetailView(View):
    def get(self, request, pk):
        scheme = get_for_user(Scheme, request.user, pk)
        scores = UnitScore.objects.visible_to(request.user).filter(scheme=scheme).select_related(
            "unit")
        groups: dict[str, list] = {}
        for s in scores:
            groups.setdefault(s.group, []).append(s)
        return render(request, "evaluation/scheme_detail.html", {
            "scheme": scheme, "groups": groups, "items": scheme.items.all(),
            "may_manage": request.user.has_cap(Cap.MANAGE_PROJECTS),
            "units": AdjustmentForm(user=request.user).fields["unit"].queryset})

    def post(self, request, pk):
        scheme = get_for_user(Scheme, request.user, pk)
        step = request.POST.get("step")
        try:
            if step == "compute":
                n = actions.do_compute(scheme, acting_user=request.user)
                messages.success(request, f"已计算{n}个单位的得分。")
            elif step == "publish":
                actions.do_publish(scheme, acting_user=request.user)
                messages.success(request, "考评结果已冻结并公布。")
            elif step == "adjust":
                self._adjust(request, scheme)
                messages.success(request, "已记录加减分，请重新计算。")
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(getattr(exc, "messages", ["输入有误"])))
        return redirect(scheme.get_absolute_url())

    def _adjust(self, request, scheme):
        # The unit is chosen among the units the user may see (an id outside is refused).
        form = AdjustmentForm(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.error_messages())
        actions.do_adjust(scheme, **form.cleaned_data, acting_user=request.user)


class ScoreDetailView(View):
    """From a rank to its items to the facts behind them."""

    def get(self, request, pk):
        score = UnitScore.objects.visible_to(request.user).select_related(
            "scheme", "unit").filter(pk=pk).first()
        if score is None:
            raise Http404("得分不存在或无权查看。")
        return render(request, "evaluation/score_detail.html", {"score": score})


class SchemeExportView(View):
    """The scheme's ranking as .xlsx (audited like the ledger export)."""

    def get(self, request, pk):
        scheme = get_for_user(Scheme, request.user, pk)
        if scheme.status == "draft":
            raise PermissionDenied("尚未计算。")
        scores = UnitScore.objects.visible_to(request.user).filter(scheme=scheme).select_related(
            "unit").order_by("group", "rank")
        data, rows = _workbook(scheme, scores)
        record_audit(AuditEventType.EXPORT, request=request, obj=scheme, what="考评结果",
                     rows=rows)
        response = HttpResponse(data, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="evaluation-{scheme.pk}.xlsx"'
        return response


def _workbook(scheme, scores) -> tuple[bytes, int]:
    """The ranking sheet and how many units it lists; names go in as text (core.spreadsheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    items = list(scheme.items.all())
    wb = Workbook()
    ws = wb.active
    ws.title = "考评结果"
    set_value(ws["A1"], scheme.name).font = Font(bold=True, size=14)
    write_row(ws, 2, ["分组", "名次", "单位", *[str(i) for i in items], "加减分", "总分"])
    count = 0
    for count, s in enumerate(scores, start=1):
        by_fact = {item["fact"]: item["points"] for item in s.items}
        write_row(ws, 2 + count, [s.group, s.rank, s.unit.name,
                                  *[_number(by_fact.get(i.fact)) for i in items],
                                  float(s.adjustment), float(s.total)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count
