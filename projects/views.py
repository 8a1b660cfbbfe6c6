"""Ledger pages: list, project page, reporter's due list and report form, review queue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.dates import today as local_today
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from org.roles import Cap
from projects import actions
from projects.choices import (
    COLOUR_HEX,
    COLOUR_ICON,
    ProcedureClaimStatus,
    ReportStatus,
)
from projects.engine import colour_counts
from projects.filtersets import ProjectFilterSet
from projects.forms import (
    MAX_REPORT_PHOTOS,
    AttachmentForm,
    ProcedureClaimForm,
    RebaselineForm,
    ReportForm,
    StageForm,
)
from projects.models import (
    Attachment,
    Milestone,
    ProcedureClaim,
    ProgressReport,
    Project,
    ProjectStatus,
    RebaselineRequest,
    StatusTransition,
)
from projects.sections import sections_for
from projects.selectors import (
    FILED,
    carried_over,
    due_projects,
    enrich,
    last_filed_report,
    still_due,
)


class ProjectListView(ScopedListView):
    model = Project
    required_cap = Cap.VIEW_PROJECTS
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = enrich(ctx["object_list"])  # join and annotate only the page shown
        ctx["object_list"] = ctx["page_obj"].object_list = rows
        ctx["colour_counts"] = colour_counts(self.object_list.values("pk"))
        ctx["colour_hex"], ctx["colour_icon"] = COLOUR_HEX, COLOUR_ICON
        ctx["may_import"] = self.request.user.has_cap(Cap.IMPORT_LEDGER)
        return ctx


class ProjectDetailView(ScopedDetailView):
    model = Project
    required_cap = Cap.VIEW_PROJECTS
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        ctx["milestones"] = project.milestones.active().order_by("seq")
        ctx["reports"] = project.reports.exclude(status=ReportStatus.DRAFT).order_by(
            "-period_start")[:12]
        ctx["procedures"] = project.procedures.active().prefetch_related(
            Prefetch("documents", queryset=Attachment.objects.active().order_by("created_at")),
            Prefetch("claims", to_attr="claim_list", queryset=ProcedureClaim.objects.active()
                     .select_related("document", "claimed_by__unit").order_by("-created_at")))
        ctx["claim_form"] = ProcedureClaimForm(auto_id=False,  # one per procedure row
                                               initial={"done_on": local_today()})
        ctx["pending_claims"] = [p.claim_list[0] for p in ctx["procedures"] if p.claim_list
                                 and p.claim_list[0].status == ProcedureClaimStatus.PENDING]
        ctx["attachments"] = project.attachments.active().select_related(
            "milestone", "procedure")[:24]
        ctx["year_plans"] = project.year_plans.active()
        ctx["rebaselines"] = RebaselineRequest.objects.visible_to(user).filter(
            milestone__project=project)[:20]
        ctx["transitions"] = StatusTransition.objects.visible_to(user).filter(
            project=project, dimension="overall")[:10]
        ctx["status"] = getattr(project, "status", None)
        ctx["may_report"] = Project.objects.editable_by(user).filter(pk=project.pk).exists()
        ctx["may_manage"] = user.has_cap(Cap.MANAGE_PROJECTS)
        ctx["timeline"] = milestone_timeline(ctx["milestones"])
        ctx["attachment_form"] = AttachmentForm(project=project, user=user)
        if project.geometry is None and ctx["may_manage"]:
            # A photo's EXIF position is offered as the project's location.
            ctx["gps_photo"] = project.attachments.active().exclude(gps_lon=None).first()
        ctx["stage_form"] = StageForm(initial={"stage": project.stage,
                                               "on": timezone.localdate()})
        ctx["colour_hex"], ctx["colour_icon"] = COLOUR_HEX, COLOUR_ICON
        ctx["sections"] = sections_for(project, user)
        return ctx


def milestone_timeline(milestones) -> dict | None:
    """Positions (in %) of baseline, current and actual dates on a shared axis."""
    dates = [d for m in milestones for d in (m.baseline_date, m.planned_date, m.actual_date) if d]
    if not dates:
        return None
    today = timezone.localdate()
    lo, hi = min(dates + [today]), max(dates + [today])
    span = max((hi - lo).days, 1)

    def pos(d):
        return round((d - lo).days / span * 100, 1) if d else None

    rows = [{"m": m, "baseline": pos(m.baseline_date), "planned": pos(m.planned_date),
             "actual": pos(m.actual_date)} for m in milestones]
    return {"rows": rows, "today": pos(today), "start": lo, "end": hi}


class DueView(CapabilityRequiredMixin, View):
    """本周待填报: what the reporter's unit owes this period."""

    required_cap = Cap.SUBMIT_REPORTS

    def get(self, request):
        rows = due_projects(request.user)
        owed = sum(1 for row in rows if still_due(row))
        return render(request, "projects/due.html", {"rows": rows, "owed": owed,
                                                     "filed": len(rows) - owed})


class ReportCreateView(CapabilityRequiredMixin, View):
    required_cap = Cap.SUBMIT_REPORTS
    template_name = "projects/report_form.html"

    def _project(self, request, pk):
        project = get_for_user(Project, request.user, pk)
        if not Project.objects.editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied("只有项目责任单位可以填报该项目。")
        return project

    def _context(self, project, form):
        from projects import engine

        reporting = engine.reporting_for(project.plan)
        start = reporting.period_start(timezone.localdate())
        last = last_filed_report(project)
        carry = carried_over(last)
        return {"project": project, "form": form, "period_start": start,
                "period_end": reporting.period_end(start), "deadline": reporting.deadline(start),
                "last": last, "max_photos": MAX_REPORT_PHOTOS,
                # For the 沿用上周 button's script (the link works without it).
                "carry": {k: "" if v is None else str(v) if not isinstance(v, list) else v
                          for k, v in carry.items()}}

    def get(self, request, pk):
        project = self._project(request, pk)
        form = ReportForm(project=project, user=request.user)
        context = self._context(project, form)
        # 沿用上周 only when asked: a report that silently repeats last week's text is the
        # one a clerk cannot tell from an unchanged site.
        if request.GET.get("carry") == "last" and context["last"] is not None:
            form.initial.update(carried_over(context["last"]))
            context["carried"] = True
        return render(request, self.template_name, context)

    def post(self, request, pk):
        project = self._project(request, pk)
        form = ReportForm(request.POST, request.FILES, project=project, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    report = self._submit(request, project, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return redirect("projects:report_filed", report.pk)
        return render(request, self.template_name, self._context(project, form), status=400)

    def _submit(self, request, project, data):
        reached_on = data.get("milestone_date") or timezone.localdate()
        report = actions.do_submit_report(
            project, acting_user=request.user,
            investment_period=data["investment_period"],
            investment_year_cumulative=data.get("investment_year_cumulative"),
            progress_text=data["progress_text"], progress_percent=data["progress_percent"],
            milestones_reached=[(m, reached_on) for m in data["milestones"]],
            problems=[(data.get("problem", ""), "", list(data.get("coordinate_units") or []))],
            correction_note=data.get("correction_note", ""))
        for upload in data.get("photos") or []:
            actions.do_add_attachment(project, upload, acting_user=request.user, report=report,
                                      allow=("photo",))
        return report


class ReportFiledView(CapabilityRequiredMixin, View):
    """填报结果: right after filing, the project's colour as recomputed with its reasons, and
    the way on to the next project the unit still owes this period."""

    required_cap = Cap.SUBMIT_REPORTS

    def get(self, request, pk):
        report = get_for_user(ProgressReport, request.user, pk)
        if report.status not in FILED:  # returned since, or never filed: not "已提交"
            return redirect(report.get_absolute_url())
        project = report.project
        rows = due_projects(request.user)
        owed = [row["project"] for row in rows
                if still_due(row) and row["project"].pk != project.pk]
        return render(request, "projects/report_filed.html", {
            "report": report, "project": project,
            "status": ProjectStatus.objects.filter(project=project).first(),
            "photos": report.photos.active().count(),
            "problems": report.problem_items.active().prefetch_related("coordinate_units"),
            "next_project": owed[0] if owed else None, "left": len(owed),
            "due_total": len(rows)})


class RebaselineRequestView(View):
    def post(self, request, pk):
        milestone = get_for_user(Milestone, request.user, pk)
        form = RebaselineForm(request.POST)
        if form.is_valid():
            try:
                actions.do_request_rebaseline(milestone, form.cleaned_data["new_date"],
                                              reason=form.cleaned_data["reason"],
                                              acting_user=request.user)
                messages.success(request, "节点调整申请已提交，等待办公室审批。")
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        else:
            messages.error(request, "请填写调整后的日期和理由。")
        return redirect(milestone.project.get_absolute_url())


class AttachmentUploadView(View):
    """Evidence for a project or one of its milestones (lead unit and office)."""

    def post(self, request, pk):
        project = get_for_user(Project, request.user, pk)
        form = AttachmentForm(request.POST, request.FILES, project=project, user=request.user)
        if not form.is_valid():
            messages.error(request, "请选择要上传的文件。")
            return redirect(project.get_absolute_url())
        try:
            actions.do_add_attachment(project, form.cleaned_data["file"], acting_user=request.user,
                                      milestone=form.cleaned_data["milestone"])
            messages.success(request, "附件已上传。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(project.get_absolute_url())


class StageChangeView(View):
    """停工/复工 and moving along the stages, by the lead unit or the office."""

    def post(self, request, pk):
        project = get_for_user(Project, request.user, pk)
        form = StageForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择阶段并填写日期。")
            return redirect(project.get_absolute_url())
        try:
            actions.do_change_stage(project, form.cleaned_data["stage"], on=form.cleaned_data["on"],
                                    reason=form.cleaned_data["reason"], acting_user=request.user)
            messages.success(request, f"建设阶段已改为“{project.get_stage_display()}”。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(project.get_absolute_url())


class LocationFromPhotoView(CapabilityRequiredMixin, View):
    """Use a photo's EXIF GPS as the project's point location (office)."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk, attachment_pk):
        project = get_for_user(Project, request.user, pk)
        photo = project.attachments.active().exclude(gps_lon=None).filter(pk=attachment_pk).first()
        if photo is None:
            raise PermissionDenied("该照片没有定位信息。")
        actions.do_update_project(project, acting_user=request.user, geometry={
            "type": "Point", "coordinates": [photo.gps_lon, photo.gps_lat]})
        messages.success(request, "已按照片定位设置项目位置。")
        return redirect(project.get_absolute_url())
