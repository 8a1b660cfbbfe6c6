"""The office's review queue: submitted reports beside the previous period, with anomaly
flags, filters, the true count and paging; batch accept for unflagged reports; re-baseline
requests in their own tab; accept/return on the report's own page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from core.ids import bad_request, parse_id
from core.redirects import redirect_next
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin, ScopedDetailView
from org.roles import Cap
from projects import actions, anomalies
from projects.choices import RebaselineStatus, ReportStatus
from projects.filtersets import ReviewFilterSet
from projects.forms import ReturnForm
from projects.models import ProgressReport, RebaselineRequest

PAGE_SIZE = 50
TABS = {"reports": "进度填报", "rebaselines": "节点调整"}


def side_by_side(reports, user=None) -> list[dict]:
    """Each report with the previous filed report's values and its anomaly flags."""
    reports = list(reports)
    facts, previous = anomalies.load_facts(reports)
    texts = dict(ProgressReport.objects.filter(pk__in=[p.pk for p in previous.values()])
                 .values_list("pk", "progress_text"))
    share = anomalies.jump_share()
    rows = []
    for report in reports:
        before = previous.get(report.pk)
        rows.append({
            "report": report, "previous": before,
            "previous_text": texts.get(before.pk, "") if before else "",
            "flags": anomalies.flag_reasons(facts[report.pk], share),
            # 投资跳增 is measured against the year plan: without one it is not checked.
            "no_year_plan": not facts[report.pk].year_planned,
            "own": user is not None and report.submitted_by_id == user.pk})
    return rows


class ReviewQueueView(CapabilityRequiredMixin, View):
    required_cap = Cap.MANAGE_PROJECTS

    def get(self, request):
        user = request.user
        pending = (ProgressReport.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED)
                   .select_related("project__lead_unit", "project__plan", "submitted_by")
                   .order_by("submitted_at", "pk"))
        filterset = ReviewFilterSet(request.GET, queryset=pending, request=request)
        reports = filterset.qs if filterset.is_valid() else pending.none()
        rebaselines = (RebaselineRequest.objects.visible_to(user)
                       .filter(status=RebaselineStatus.PENDING)
                       .select_related("milestone__project", "requested_by")
                       .order_by("created_at"))
        report_total, rebaseline_total = pending.count(), rebaselines.count()
        tab = request.GET.get("tab")
        if tab not in TABS:  # the reports, unless only re-baselines are waiting
            tab = "rebaselines" if rebaseline_total and not report_total else "reports"
        query = request.GET.copy()
        query.pop("page", None)
        ctx = {"filterset": filterset, "tab": tab, "tabs": TABS,
               "report_total": report_total, "rebaseline_total": rebaseline_total,
               # The first requests waiting, whichever tab is shown (the tab pages them).
               "rebaselines": rebaselines[:PAGE_SIZE],
               "query_without_page": query.urlencode(), "return_form": ReturnForm(),
               "flag_share": f"{anomalies.jump_share() * 100:.0f}%"}
        if tab == "reports":
            page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
            ctx["page_obj"] = page
            ctx["rows"] = side_by_side(page.object_list, user)
            ctx["row_offset"] = page.start_index() - 1
        else:
            page = Paginator(rebaselines, PAGE_SIZE).get_page(request.GET.get("page"))
            ctx["page_obj"] = page
            ctx["rebaselines"] = page.object_list
        return render(request, "projects/review.html", ctx)


class BatchAcceptView(CapabilityRequiredMixin, View):
    """批量通过 the checked reports; flagged ones and one's own are left in the queue."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request):
        # Strict ids: isdigit() accepts '²', which int() then refuses (a 500). The page only
        # sends ids, so anything else is a bad request, not a silently shorter batch.
        ids = [parse_id(v) for v in request.POST.getlist("report")][:PAGE_SIZE * 4]
        if None in ids:
            return bad_request("所选填报编号不正确。")
        reports = (ProgressReport.objects.visible_to(request.user).filter(pk__in=ids)
                   .select_related("project"))
        result = actions.do_accept_reports(reports, acting_user=request.user)
        if result.accepted:
            messages.success(request, f"已审核通过{len(result.accepted)}份填报。")
        if result.flagged:
            messages.warning(request, f"{len(result.flagged)}份填报有异常标记，不能批量通过，"
                                      "请打开逐份审核。")
        if result.own:
            messages.warning(request, f"{len(result.own)}份填报为本人提交，须由其他人员审核。")
        if result.not_pending:
            messages.info(request, f"{len(result.not_pending)}份填报已不在待审核状态。")
        if not ids:
            messages.info(request, "请先勾选要通过的填报。")
        return redirect_next(request, "projects:review")


class ReportDecisionView(CapabilityRequiredMixin, View):
    """Accept or return one report (from its own page or the queue)."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk, decision):
        report = get_for_user(ProgressReport, request.user, pk)
        try:
            if decision == "accept":
                actions.do_accept_report(report, acting_user=request.user)
                messages.success(request, f"已审核通过：{report.project.name}")
            elif decision == "return":
                actions.do_return_report(report, reason=request.POST.get("reason", ""),
                                         acting_user=request.user)
                messages.success(request, f"已退回：{report.project.name}")
            else:
                raise PermissionDenied("未知的审核操作。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect_next(request, "projects:review")


class RebaselineDecisionView(CapabilityRequiredMixin, View):
    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk, decision):
        req = get_for_user(RebaselineRequest, request.user, pk)
        if decision not in ("approve", "reject"):
            raise PermissionDenied("未知的审批操作。")
        try:
            actions.do_decide_rebaseline(req, approve=decision == "approve",
                                         note=request.POST.get("note", ""),
                                         acting_user=request.user)
            messages.success(request, "已批准调整。" if decision == "approve" else "已驳回申请。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect_next(request, "projects:review")


class ReportDetailView(ScopedDetailView):
    """A report's own page: its figures beside the previous period's, its flags, and
    accept/return for the office (never for the person who filed it)."""

    model = ProgressReport
    required_cap = Cap.VIEW_PROJECTS
    template_name = "projects/report_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        filed = report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        ctx["row"] = side_by_side([report], user)[0] if filed else None
        ctx["flag_share"] = f"{anomalies.jump_share() * 100:.0f}%"
        own = report.submitted_by_id == user.pk
        may_manage = user.has_cap(Cap.MANAGE_PROJECTS)
        ctx["own"] = own
        ctx["may_accept"] = may_manage and not own and report.status == ReportStatus.SUBMITTED
        ctx["may_return"] = may_manage and not own and filed
        ctx["return_form"] = ReturnForm()
        return ctx
