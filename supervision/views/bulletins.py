"""督查通报: drafts, issue, files, and the rectification each unit files."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.dates import today as local_today
from core.files import serve_file
from core.ids import parse_id
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin, HistoryView, ScopedDetailView, ScopedListView
from org.roles import Cap
from supervision import actions
from supervision.actions import bulletins as bulletin_actions
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
        today = local_today()
        ctx["default_start"] = (today - timedelta(days=today.weekday() + 7)).isoformat()
        ctx["default_end"] = (today - timedelta(days=today.weekday() + 1)).isoformat()
        ctx["overlap"] = getattr(self, "overlap", None)
        return ctx

    def post(self, request):
        try:
            start = datetime.strptime(request.POST.get("period_start", ""), "%Y-%m-%d").date()
            end = datetime.strptime(request.POST.get("period_end", ""), "%Y-%m-%d").date()
            # A second bulletin for the same days only when the clerk says so, having seen
            # which bulletins already cover them.
            bulletin = actions.do_draft_bulletin(
                period_start=start, period_end=end, acting_user=request.user,
                allow_overlap=request.POST.get("allow_overlap") == "1")
        except bulletin_actions.OverlappingBulletin as exc:
            self.overlap = {"start": start, "end": end, "bulletins": exc.bulletins}
            return self.get(request)
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
    from supervision.bulletins import report_label
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
        # A report by its project and period (古槐大道改造 11月16日—11月22日填报), never by id.
        "reports": {r.pk: report_label(r.project.name, r.period_start, r.period_end)
                    for r in ProgressReport.objects.filter(
                        pk__in=wanted["reports"]).select_related("project")},
        "action_items": dict(ActionItem.objects.filter(pk__in=wanted["action_items"])
                             .values_list("pk", "title")),
    }
    stale = {m.pk: m for m in Milestone.objects.filter(pk__in=wanted["milestones"])
             .select_related("project")}
    urls = {"projects": "projects:project_detail", "reports": "projects:report_detail",
            "action_items": "supervision:item_detail"}
    # What the line printed, for facts no longer there (an archived report keeps its name).
    for line in lines:
        for r in line.facts.get("report_list", []):
            names["reports"].setdefault(r["pk"], report_label(
                r["project"], date.fromisoformat(r["start"]), date.fromisoformat(r["end"])))
    gone = {"projects": "已删除的项目", "reports": "已删除的填报", "action_items": "已删除的交办事项"}
    for line in lines:
        # Red projects are listed one by one with their reasons (below), not again here.
        kinds = ("reports", "action_items") if line.red_projects else \
            ("projects", "reports", "action_items")
        line.fact_links = [
            {"label": names[kind].get(pk, gone[kind]), "url": reverse(urls[kind], args=[pk])}
            for kind in kinds for pk in line.facts.get(kind, [])]
        line.project_links = [
            {**p, "url": reverse("projects:project_detail", args=[p["pk"]])}
            for p in line.red_projects]
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
        ctx["headings"] = numbered_headings((line.section for line in lines),
                                            commendations=bool(b.commendation_lines))
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


def _parse_day(value):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        raise ValidationError("日期格式不正确（例如 2026-12-09）。") from None


def _posted_lines(post) -> tuple[dict[int, str], list[int]]:
    """The draft's line texts (`line_<id>`) and the lines to remove (`remove`), ids parsed
    strictly (core.ids): the form only sends ids, so anything else is refused by name, not
    taken for a bad date."""
    texts, remove = {}, []
    for key, value in post.items():
        if key.startswith("line_"):
            pk = parse_id(key.removeprefix("line_"))
            if pk is None:
                raise ValidationError("通报条目编号不正确，请刷新页面后重试。")
            texts[pk] = value
    for value in post.getlist("remove"):
        pk = parse_id(value)
        if pk is None:
            raise ValidationError("要删除的通报条目编号不正确，请刷新页面后重试。")
        remove.append(pk)
    return texts, remove


class BulletinStepView(View):
    """Edit (draft), issue (after the confirmation page), or correct (a new draft) —
    through the actions."""

    def post(self, request, pk, step):
        bulletin = get_for_user(Bulletin, request.user, pk)
        try:
            if step == "edit":
                texts, remove = _posted_lines(request.POST)
                actions.do_edit_bulletin(
                    bulletin, acting_user=request.user, title=request.POST.get("title"),
                    intro=request.POST.get("intro"), requirements=request.POST.get("requirements"),
                    commendations=request.POST.get("commendations"),
                    rectification_deadline=_parse_day(request.POST.get("deadline", "")),
                    line_texts=texts, remove_lines=remove)
                # Saved first, then previewed: 签发 issues what was stored, so nothing typed
                # into the draft is lost on the way to the confirmation.
                if request.POST.get("then") == "confirm":
                    return redirect("supervision:bulletin_confirm", pk=bulletin.pk)
                messages.success(request, "草稿已保存。")
            elif step == "issue":
                # Only from the confirmation page: its checkbox, the number and the draft
                # it showed.
                if request.POST.get("confirmed") != "1" or not request.POST.get("digest") \
                        or not request.POST.get("expected_number"):
                    messages.error(request, "签发前请先预览通报，并勾选确认。")
                    return redirect("supervision:bulletin_confirm", pk=bulletin.pk)
                try:
                    bulletin = actions.do_issue_bulletin(
                        bulletin, acting_user=request.user,
                        expected_number=request.POST["expected_number"],
                        expected_digest=request.POST["digest"])
                except ValidationError as exc:
                    messages.error(request, "；".join(exc.messages))
                    return redirect("supervision:bulletin_confirm", pk=bulletin.pk)
                messages.success(request, f"已签发{bulletin.number_label}，并通知被通报单位整改反馈。")
            elif step == "correct":
                draft = actions.do_correct_bulletin(bulletin, acting_user=request.user)
                messages.success(request, f"已起草对{bulletin.number_label}的更正通报，原通报保持不变。")
                return redirect(draft.get_absolute_url())
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(bulletin.get_absolute_url())


class DraftPreviewMixin(CapabilityRequiredMixin):
    """A draft as it would be issued now: the number it would take, today's date."""

    required_cap = Cap.SUPERVISE

    def draft(self, pk):
        bulletin = get_for_user(Bulletin, self.request.user, pk)
        year = local_today().year
        self.number = bulletin_actions.next_number(year)
        self.preview = {"preview_number": bulletin_actions.doc_number(year, self.number),
                        "preview_on": timezone.now()}
        return bulletin


class BulletinConfirmView(DraftPreviewMixin, View):
    """签发确认: the document as it will be issued, the number it takes, and a checkbox,
    before the one step that cannot be undone."""

    def get(self, request, pk):
        from django.shortcuts import render

        from supervision.bulletins import document

        bulletin = self.draft(pk)
        if bulletin.is_issued:  # e.g. the page reloaded after 签发: the issued bulletin
            return redirect(bulletin.get_absolute_url())
        return render(request, "supervision/bulletin_confirm.html", {
            "object": bulletin, "d": document(bulletin, **self.preview),
            "number": self.number, "number_label": self.preview["preview_number"],
            "digest": bulletin.draft_digest(), "has_lines": bulletin.lines.exists(),
            "deadline_ok": bool(bulletin.rectification_deadline
                                and bulletin.rectification_deadline > local_today())})


class BulletinPreviewView(DraftPreviewMixin, View):
    """The draft's PDF, rendered on request, marked 签发前预览 and never stored."""

    def get(self, request, pk):
        from supervision.bulletins import render_pdf

        bulletin = self.draft(pk)
        if bulletin.is_issued:  # its files are the frozen ones (BulletinFileView)
            raise Http404("通报已印发，请下载正式文件。")
        response = HttpResponse(render_pdf(bulletin, **self.preview), content_type=PDF)
        response["Content-Disposition"] = f'inline; filename="bulletin-preview-{bulletin.pk}.pdf"'
        return response


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

