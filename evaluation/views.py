"""考评 pages: schemes, group rankings, a unit's drill-down, Excel export."""

import io
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.scope import get_for_user
from core.views import ScopedListView
from evaluation import actions
from evaluation.models import Scheme, UnitScore
from evaluation.presets import PRESETS
from org.models import Unit
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
            "units": Unit.objects.active().filter(kind__in=actions.GROUPS)})

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
                unit = Unit.objects.active().get(pk=request.POST.get("unit"))
                actions.do_adjust(scheme, unit=unit, points=request.POST.get("points", "0"),
                                  reason=request.POST.get("reason", ""),
                                  evidence=request.POST.get("evidence", ""),
                                  acting_user=request.user)
                messages.success(request, "已记录加减分，请重新计算。")
            else:
                raise Http404
        except (ValidationError, Unit.DoesNotExist, ArithmeticError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", ["输入有误"])))
        return redirect(scheme.get_absolute_url())


class ScoreDetailView(View):
    """From a rank to its items to the facts behind them."""

    def get(self, request, pk):
        score = UnitScore.objects.visible_to(request.user).select_related(
            "scheme", "unit").filter(pk=pk).first()
        if score is None:
            raise Http404("得分不存在或无权查看。")
        return render(request, "evaluation/score_detail.html", {"score": score})


class SchemeExportView(View):
    def get(self, request, pk):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        scheme = get_for_user(Scheme, request.user, pk)
        if scheme.status == "draft":
            raise PermissionDenied("尚未计算。")
        scores = UnitScore.objects.visible_to(request.user).filter(scheme=scheme).select_related(
            "unit").order_by("group", "rank")
        items = list(scheme.items.all())
        wb = Workbook()
        ws = wb.active
        ws.title = "考评结果"
        ws.append([scheme.name])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(["分组", "名次", "单位", *[str(i) for i in items], "加减分", "总分"])
        for s in scores:
            by_fact = {row["fact"]: row["points"] for row in s.items}
            ws.append([s.group, s.rank, s.unit.name,
                       *[_number(by_fact.get(i.fact)) for i in items], float(s.adjustment),
                       float(s.total)])
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="evaluation-{scheme.pk}.xlsx"'
        return response
