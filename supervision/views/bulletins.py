"""督查通报: drafts, issue, files, and the rectification each unit files."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from core.files import serve_file
from core.scope import get_for_user
from core.views import ScopedDetailView, ScopedListView
from org.roles import Cap
from supervision import actions
from supervision.models import (
    Bulletin,
    Rectification,
)
from supervision.views.mimetypes import DOCX, PDF


class BulletinListView(ScopedListView):
    model = Bulletin
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/bulletin_list.html"

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


class BulletinDetailView(ScopedDetailView):
    model = Bulletin
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/bulletin_detail.html"

    def get_context_data(self, **kwargs):
        from supervision.bulletins import SECTION_HEADINGS

        ctx = super().get_context_data(**kwargs)
        b, user = self.object, self.request.user
        ctx["may_edit"] = user.has_cap(Cap.SUPERVISE) and not b.is_issued
        ctx["may_review"] = user.has_cap(Cap.SUPERVISE)
        ctx["may_submit"] = user.has_cap(Cap.SUBMIT_REPORTS)
        ctx["lines"] = b.lines.select_related("unit")
        ctx["headings"] = SECTION_HEADINGS
        ctx["rectifications"] = Rectification.objects.visible_to(user).filter(
            bulletin=b).select_related("unit")
        return ctx


class BulletinStepView(View):
    """Edit (draft), issue, or review a unit's rectification — through the actions."""

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
                actions.do_issue_bulletin(bulletin, rectification_deadline=deadline,
                                          acting_user=request.user)
                messages.success(request, f"已印发{bulletin.number_label}，并通知被通报单位整改反馈。")
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
            raise Http404("整改反馈不存在或无权查看。")
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


# --- meeting packs -----------------------------------------------------------------------
