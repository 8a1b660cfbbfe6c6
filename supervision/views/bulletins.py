"""督查通报: drafts, issue, files, and the rectification each unit files."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.files import serve_file
from core.scope import get_for_user
from core.views import HistoryView, ScopedDetailView, ScopedListView
from org.roles import Cap
from supervision import actions
from supervision.filtersets import BulletinFilterSet
from supervision.models import (
    Bulletin,
    Rectification,
)
from supervision.views.mimetypes import DOCX, PDF


class BulletinListView(ScopedListView):
    model = Bulletin
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/bulletin_list.html"
    filterset_class = BulletinFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_draft"] = self.request.user.has_cap(Cap.SUPERVISE)
        today = timezone.localdate()
        ctx["default_start"] = (today - timedelta(days=today.weekday() + 7)).isoformat()
        ctx["default_end"] = (today - timedelta(days=today.weekday() + 1)).isoformat()
        return ctx

    def post(self, request):
        try:
            start = datetime.strptime(request.POST.get("period_start", ""), "%Y-%m-%d").date()
            end = datetime.strptime(request.POST.get("period_end", ""), "%Y-%m-%d").date()
            bulletin = actions.do_draft_bulletin(period_start=start, period_end=end,
                                                 acting_user=request.user)
        except ValueError:
            messages.error(request, "请填写通报期间（例如 2024-06-01）。")
            return redirect("supervision:bulletin_list")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("supervision:bulletin_list")
        messages.success(request, f"已根据数据生成通报草稿，共{bulletin.lines.count()}条。")
        return redirect(bulletin.get_absolute_url())


def _fact_links(lines):
    """Per line, what it rests on — named and linked: projects, reports and action items by
    their names; overdue milestones one by one with their planned dates (as the document
    printed them; for lines from before that snapshot, as the milestones stand)."""
    from projects.models import Milestone, ProgressReport, Project
    from supervision.models import ActionItem

    wanted = defaultdict(set)
    for line in lines:
        for kind in ("projects", "reports", "action_items"):
            wanted[kind].update(line.facts.get(kind, []))
        if "milestone_list" not in line.facts:
            wanted["milestones"].update(line.facts.get("milestones", []))
    names = {
        "projects": dict(Project.objects.filter(pk__in=wanted["projects"])
                         .values_list("pk", "name")),
        "reports": {r.pk: str(r) for r in ProgressReport.objects.filter(
            pk__in=wanted["reports"]).select_related("project")},
        "action_items": dict(ActionItem.objects.filter(pk__in=wanted["action_items"])
                             .values_list("pk", "title")),
    }
    stale = {m.pk: m for m in Milestone.objects.filter(pk__in=wanted["milestones"])
             .select_related("project")}
    urls = {"projects": "projects:project_detail", "reports": "projects:report_detail",
            "action_items": "supervision:item_detail"}
    for line in lines:
        line.fact_links = [
            {"label": names[kind].get(pk, f"#{pk}"), "url": reverse(urls[kind], args=[pk])}
            for kind in ("projects", "reports", "action_items")
            for pk in line.facts.get(kind, [])]
        if line.facts.get("escalation_steps"):  # 通报批评: the ladder's confirmed steps
            line.fact_links.append({
                "label": f"问责升级决定{len(line.facts['escalation_steps'])}项",
                "url": reverse("supervision:escalation_list")})
        listed = line.facts.get("milestone_list") or [
            {"pk": m.pk, "project_id": m.project_id, "project": m.project.name, "name": m.name,
             "planned": m.planned_date.isoformat(),
             "days": (line.bulletin.period_end - m.planned_date).days}
            for pk in line.facts.get("milestones", []) if (m := stale.get(pk))]
        line.milestone_links = [
            {**m, "planned_date": date.fromisoformat(m["planned"]),
             "url": reverse("projects:project_detail", args=[m["project_id"]])}
            for m in listed]
    return lines


class BulletinDetailView(ScopedDetailView):
    model = Bulletin
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/bulletin_detail.html"

    def get_context_data(self, **kwargs):
        from supervision.bulletins import numbered_headings

        ctx = super().get_context_data(**kwargs)
        b, user = self.object, self.request.user
        ctx["may_edit"] = user.has_cap(Cap.SUPERVISE) and not b.is_issued
        ctx["may_review"] = user.has_cap(Cap.SUPERVISE)
        ctx["may_submit"] = user.has_cap(Cap.SUBMIT_REPORTS)
        ctx["may_correct"] = user.has_cap(Cap.SUPERVISE) and b.is_issued
        lines = _fact_links(list(b.lines.select_related("unit", "bulletin")))
        ctx["lines"] = lines
        ctx["headings"] = numbered_headings(line.section for line in lines)
        ctx["rectifications"] = (Rectification.objects.visible_to(user).filter(bulletin=b)
                                 .with_responses().select_related("unit", "bulletin"))
        ctx["corrections"] = Bulletin.objects.visible_to(user).filter(corrects=b)
        # The original of an issued correction is void: no more responses under it.
        ctx["superseded_by"] = b.superseded_by
        ctx["may_submit"] = ctx["may_submit"] and ctx["superseded_by"] is None
        ctx["may_review"] = ctx["may_review"] and ctx["superseded_by"] is None
        ctx["corrected"] = (Bulletin.objects.visible_to(user).filter(pk=b.corrects_id).first()
                            if b.corrects_id else None)
        return ctx


class BulletinHistoryView(HistoryView):
    """The bulletin's history with its lines', requests' and responses' (those the reader
    may see): a line's edit in the draft is part of the bulletin's story."""

    model = Bulletin
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/bulletin_history.html"

    def get_context_data(self, **kwargs):
        from django.contrib.contenttypes.models import ContentType
        from django.core.paginator import Paginator
        from django.db.models import Q

        from core.models import ObjectChange
        from supervision.models import BulletinLine
        from supervision.models.bulletins import RectificationResponse

        ctx = super().get_context_data(**kwargs)
        b = self.object
        ct = ContentType.objects.get_for_models(Bulletin, BulletinLine, Rectification,
                                                RectificationResponse)
        rects = Rectification.objects.visible_to(self.request.user).filter(bulletin=b)
        # Lines are matched by the bulletin in their snapshot, so removed draft lines count.
        where = (Q(content_type=ct[Bulletin], object_id=b.pk)
                 | Q(content_type=ct[BulletinLine], after__bulletin_id=b.pk)
                 | Q(content_type=ct[BulletinLine], before__bulletin_id=b.pk)
                 | Q(content_type=ct[Rectification], object_id__in=rects.values("pk"))
                 | Q(content_type=ct[RectificationResponse], object_id__in=(
                     RectificationResponse.objects.filter(rectification__in=rects)
                     .values("pk"))))
        changes = ObjectChange.objects.filter(where).select_related("content_type")
        page = Paginator(changes, 50).get_page(self.request.GET.get("page"))
        labels = {c.pk: model._meta.verbose_name for model, c in ct.items()}
        for change in page:
            change.kind_label = labels.get(change.content_type_id, "")
        ctx["page_obj"] = page
        return ctx


class BulletinStepView(View):
    """Edit (draft), issue, or correct (a new draft) — through the actions."""

    def post(self, request, pk, step):
        bulletin = get_for_user(Bulletin, request.user, pk)
        try:
            if step == "edit":
                texts = {int(k.split("_", 1)[1]): v for k, v in request.POST.items()
                         if k.startswith("line_")}
                actions.do_edit_bulletin(
                    bulletin, acting_user=request.user, title=request.POST.get("title"),
                    intro=request.POST.get("intro"), requirements=request.POST.get("requirements"),
                    line_texts=texts, remove_lines=[int(v) for v in request.POST.getlist("remove")])
                messages.success(request, "草稿已保存。")
            elif step == "issue":
                deadline = datetime.strptime(request.POST.get("deadline", ""), "%Y-%m-%d").date()
                bulletin = actions.do_issue_bulletin(bulletin, rectification_deadline=deadline,
                                                     acting_user=request.user)
                messages.success(request, f"已印发{bulletin.number_label}，并通知被通报单位整改反馈。")
            elif step == "correct":
                draft = actions.do_correct_bulletin(bulletin, acting_user=request.user)
                messages.success(request, f"已起草对{bulletin.number_label}的更正通报，原通报保持不变。")
                return redirect(draft.get_absolute_url())
            else:
                raise Http404
        except ValueError:
            messages.error(request, "请填写整改反馈期限。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(bulletin.get_absolute_url())


class RectificationView(View):
    def post(self, request, pk, step):
        rect = Rectification.objects.visible_to(request.user).filter(pk=pk).first()
        if rect is None:
            raise Http404("整改要求不存在或无权查看。")
        try:
            if step == "submit":
                actions.do_submit_rectification(rect, text=request.POST.get("text", ""),
                                                acting_user=request.user)
                messages.success(request, "整改情况已报送。")
            elif step in ("accept", "return"):
                actions.do_review_rectification(rect, accept=step == "accept",
                                                note=request.POST.get("note", ""),
                                                acting_user=request.user)
                messages.success(request, "已审核。")
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(rect.bulletin.get_absolute_url())


class BulletinFileView(View):
    """The frozen documents of an issued bulletin (scoped, audited: core/files.py)."""

    def get(self, request, pk, kind):
        bulletin = get_for_user(Bulletin, request.user, pk)
        field = {"docx": bulletin.docx, "pdf": bulletin.pdf}.get(kind)
        if not bulletin.is_issued or not field:
            raise Http404("通报尚未印发。")
        return serve_file(request, field, obj=bulletin, variant=kind,
                          filename=f"bulletin-{bulletin.year}-{bulletin.number:03d}.{kind}",
                          content_type=PDF if kind == "pdf" else DOCX)

