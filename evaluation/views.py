"""阶段考评 pages: evaluations, group rankings, a unit's drill-down, Excel export."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core.audit import record_audit
from core.choices import AuditEventType
from core.scope import get_for_user
from core.spreadsheet import set_value, write_row
from core.views import ScopedListView, user_may
from evaluation import actions
from evaluation.choices import Fact, FactKind
from evaluation.forms import AdjustmentForm, EvaluationForm
from evaluation.models import Evaluation, ItemScore, ScoreFact, UnitScore
from org.roles import Cap


class EvaluationListView(ScopedListView):
    model = Evaluation
    required_cap = Cap.VIEW_PROJECTS
    template_name = "evaluation/evaluation_list.html"
    select_related = ("scheme", "version__scheme")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_manage"] = user_may(self.request.user, Cap.MANAGE_PROJECTS)
        ctx["form"] = kwargs.get("form") or EvaluationForm(user=self.request.user)
        return ctx

    def post(self, request):
        if not user_may(request.user, Cap.MANAGE_PROJECTS):
            raise PermissionDenied("只有领导小组办公室可以组织考评。")
        form = EvaluationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                evaluation = actions.do_create_evaluation(**form.cleaned_data,
                                                          acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                return redirect(evaluation.get_absolute_url())
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class EvaluationDetailView(View):
    def get(self, request, pk):
        evaluation = get_for_user(Evaluation, request.user, pk)
        scores = (UnitScore.objects.visible_to(request.user).filter(evaluation=evaluation)
                  .select_related("unit"))
        groups: dict[str, list] = {}
        for s in scores:
            groups.setdefault(s.get_group_display(), []).append(s)
        current = evaluation.scheme.current_version
        return render(request, "evaluation/evaluation_detail.html", {
            "evaluation": evaluation, "groups": groups,
            "items": evaluation.version.items.prefetch_related("parameters"),
            "newer_version": current if current and current.pk != evaluation.version_id
            and not evaluation.is_published else None,
            "may_manage": user_may(request.user, Cap.MANAGE_PROJECTS),
            "stale": actions.stale_reasons(evaluation),
            "units": AdjustmentForm(user=request.user).fields["unit"].queryset,
            "adjustments": evaluation.adjustments.active().select_related("unit")})

    def post(self, request, pk):
        evaluation = get_for_user(Evaluation, request.user, pk)
        step = request.POST.get("step")
        try:
            if step == "compute":
                n = actions.do_compute(evaluation, acting_user=request.user)
                messages.success(request, f"已计算{n}个单位的得分。")
            elif step == "publish":
                actions.do_publish(evaluation, acting_user=request.user)
                messages.success(request, "考评结果已冻结并公布。")
            elif step == "adjust":
                self._adjust(request, evaluation)
                messages.success(request, "已记录加减分，请重新计算。")
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(getattr(exc, "messages", ["输入有误"])))
        return redirect(evaluation.get_absolute_url())

    def _adjust(self, request, evaluation):
        # The unit is chosen among the units the user may see (an id outside is refused).
        form = AdjustmentForm(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.error_messages())
        actions.do_adjust(evaluation, **form.cleaned_data, acting_user=request.user)


class ScoreDetailView(View):
    """From a rank to its items to the facts behind them, each named and linked."""

    def get(self, request, pk):
        score = (UnitScore.objects.visible_to(request.user)
                 .select_related("evaluation__version__scheme", "unit").filter(pk=pk).first())
        if score is None:
            raise Http404("得分不存在或无权查看。")
        item_scores = (ItemScore.objects.filter(score=score).select_related("item")
                       .prefetch_related("item__parameters")
                       .prefetch_related(Prefetch("facts", queryset=ScoreFact.objects.order_by(
                           "on_time", "day", "pk"))))
        return render(request, "evaluation/score_detail.html", {
            "score": score, "evaluation": score.evaluation, "item_scores": item_scores,
            "Fact": Fact, "FactKind": FactKind,
            "adjustments": score.evaluation.adjustments.active().filter(unit=score.unit_id)})


class EvaluationExportView(View):
    """The ranking as .xlsx (audited like the ledger export); points are numeric cells."""

    def get(self, request, pk):
        evaluation = get_for_user(Evaluation, request.user, pk)
        if evaluation.is_draft:
            raise PermissionDenied("尚未计算。")
        scores = (UnitScore.objects.visible_to(request.user).filter(evaluation=evaluation)
                  .select_related("unit").prefetch_related("item_scores")
                  .order_by("group", F("rank").asc(nulls_last=True), "unit__sort_order"))
        data, rows = workbook(evaluation, scores)
        record_audit(AuditEventType.EXPORT, request=request, obj=evaluation, what="考评结果",
                     rows=rows)
        response = HttpResponse(data, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="evaluation-{evaluation.pk}.xlsx"'
        return response


def workbook(evaluation, scores) -> tuple[bytes, int]:
    """The ranking sheet and how many units it lists. Names go in as text and points as
    numbers (Decimal, as stored), both through core.spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    items = list(evaluation.version.items.all())
    wb = Workbook()
    ws = wb.active
    ws.title = "考评结果"
    set_value(ws["A1"], evaluation.name).font = Font(bold=True, size=14)
    set_value(ws["A2"], f"{evaluation.version}；{evaluation.period_start:%Y-%m-%d}至"
                        f"{evaluation.period_end:%Y-%m-%d}")
    write_row(ws, 3, ["分组", "名次", "单位", *[str(i) for i in items], "基本分", "加减分",
                      "总分"])
    count = 0
    for count, s in enumerate(scores, start=1):
        # A blank cell where the unit had nothing of the item due in the period.
        points = {i.item_id: i.points for i in s.item_scores.all()}
        if not s.takes_part:  # nothing due on any item: listed, not ranked nor scored
            write_row(ws, 3 + count, [s.get_group_display(), "不参评", s.unit.name,
                                      *[None for _ in items], None, None, None])
            continue
        write_row(ws, 3 + count, [s.get_group_display(), s.rank, s.unit.name,
                                  *[points.get(i.pk) for i in items],
                                  s.base, s.adjustment, s.total])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count
