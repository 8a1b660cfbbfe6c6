"""Meetings calendar, iCalendar feed, and action items."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.files import serve_file
from core.net import robot_host_hint
from core.redirects import redirect_next
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from org.choices import Role
from org.roles import Cap
from plans.models import Plan
from projects.models import ReportProblem
from supervision import actions
from supervision.choices import ActionItemStatus, MeetingKind
from supervision.forms import ActionItemForm, TextForm
from supervision.models import (
    ActionItem,
    Bulletin,
    CalendarFeed,
    EscalationStep,
    Meeting,
    Rectification,
)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class MeetingListView(ScopedListView):
    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/meeting_list.html"
    paginate_by = 60

    def get_queryset(self):
        qs = super().get_queryset()
        kind = self.request.GET.get("kind")
        if kind in MeetingKind.values:
            qs = qs.filter(kind=kind)
        if self.request.GET.get("all") != "1":
            qs = qs.filter(date__gte=timezone.localdate() - timedelta(days=7))
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = MeetingKind.choices
        ctx["plans"] = Plan.objects.visible_to(self.request.user)
        ctx["may_manage"] = self.request.user.has_cap(Cap.MANAGE_PROJECTS)
        return ctx

    def post(self, request):
        plan = get_for_user(Plan, request.user, request.POST.get("plan") or 0)
        count = actions.do_generate_rhythm(plan, acting_user=request.user)
        messages.success(request, f"已按工作日历生成{count}场会议。")
        return redirect("supervision:meeting_list")


class CalendarView(CapabilityRequiredMixin, View):
    """The user's private subscription URL, and revoking it."""

    required_cap = Cap.VIEW_PROJECTS

    def get(self, request):
        feed = actions.do_calendar_token(request.user)
        url = request.build_absolute_uri(f"/supervision/calendar/{feed.token}.ics")
        return render(request, "supervision/calendar.html", {"feed_url": url})

    def post(self, request):
        actions.do_calendar_token(request.user, renew=True)
        messages.success(request, "已重置订阅地址，旧地址立即失效。")
        return redirect("supervision:calendar")


@login_not_required
def calendar_feed(request, token):
    """iCalendar (RFC 5545) of the meetings that concern the feed's owner."""
    from icalendar import Calendar, Event

    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("订阅地址无效或已重置。")
    cal = Calendar()
    cal.add("prodid", "-//Chengjian//城建指挥平台//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "城建调度会议")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for meeting in Meeting.objects.visible_to(feed.user).select_related("plan"):
        start = timezone.make_aware(datetime.combine(meeting.date, meeting.start_time))
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@chengjian")
        event.add("summary", meeting.title)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
        event.add("dtstamp", meeting.updated_at)
        event.add("location", meeting.location)
        event.add("description", f"{meeting.plan.name} · {meeting.get_kind_display()}")
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chengjian.ics"'
    return response


class ActionItemListView(ScopedListView):
    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    select_related = ("unit", "project")
    template_name = "supervision/item_list.html"

    def get_queryset(self):
        qs = super().get_queryset()
        status = self.request.GET.get("status")
        if status in ActionItemStatus.values:
            qs = qs.filter(status=status)
        if self.request.GET.get("overdue") == "1":
            qs = qs.filter(deadline__lt=timezone.localdate()).exclude(
                status=ActionItemStatus.CLOSED)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = ActionItemStatus.choices
        ctx["may_issue"] = actions._may_issue(self.request.user)
        ctx["form"] = ActionItemForm(user=self.request.user)
        return ctx

    def post(self, request):
        """Issue a new item (from the list page, or from a report's problem)."""
        form = ActionItemForm(request.POST, user=request.user)
        problem = None
        if request.POST.get("problem"):
            problem = get_for_user(ReportProblem, request.user, request.POST["problem"])
        if not form.is_valid():
            messages.error(request, "请填写事项、承办单位和办理期限。")
            return redirect_next(request, "supervision:item_list")
        try:
            item = actions.do_create_action_item(
                title=form.cleaned_data["title"], detail=form.cleaned_data["detail"],
                unit=form.cleaned_data["unit"], deadline=form.cleaned_data["deadline"],
                meeting=form.cleaned_data["meeting"], problem=problem, acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
            return redirect_next(request, "supervision:item_list")
        messages.success(request, f"已交办：{item.title}")
        return redirect(item.get_absolute_url())


class ActionItemDetailView(ScopedDetailView):
    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/item_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["events"] = self.object.events.select_related("by")
        ctx["text_form"] = TextForm()
        return ctx


class ActionItemStepView(View):
    """Respond (the unit), close or return (the issuer) — through the actions."""

    STEPS = {"respond": actions.do_respond, "close": actions.do_close, "return": actions.do_return}

    def post(self, request, pk, step):
        item = get_for_user(ActionItem, request.user, pk)
        if step not in self.STEPS:
            raise Http404
        text = request.POST.get("text", "")
        try:
            if step == "return":
                actions.do_return(item, reason=text, acting_user=request.user)
            elif step == "close":
                actions.do_close(item, text=text, acting_user=request.user)
            else:
                actions.do_respond(item, text=text, acting_user=request.user)
            messages.success(request, "已保存。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(item.get_absolute_url())


# --- bulletins ------------------------------------------------------------------------


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


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/meeting_detail.html"

    def get_context_data(self, **kwargs):
        from django.utils.safestring import mark_safe

        from supervision.packs import route_svg

        ctx = super().get_context_data(**kwargs)
        pack = getattr(self.object, "pack", None)
        ctx["pack"] = pack
        ctx["may_manage"] = self.request.user.has_cap(Cap.MANAGE_PROJECTS)
        if pack and pack.content.get("route"):
            ctx["route_svg"] = mark_safe(route_svg(pack.content["route"]))  # numbers and our text
        return ctx


class MeetingPackStepView(CapabilityRequiredMixin, View):
    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk, step):
        meeting = get_for_user(Meeting, request.user, pk)
        try:
            if step == "generate":
                actions.do_generate_pack(meeting, acting_user=request.user)
                messages.success(request, "已根据数据生成会议材料草稿。")
            elif step == "edit":
                actions.do_edit_pack(meeting.pack, notes=request.POST.get("notes", ""),
                                     acting_user=request.user)
                messages.success(request, "已保存。")
            elif step == "issue":
                actions.do_issue_pack(meeting.pack, acting_user=request.user)
                messages.success(request, "会议材料已印发，内容不再随数据变化。")
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("supervision:meeting_detail", pk=meeting.pk)


class MeetingPackFileView(View):
    """The issued meeting pack (scoped, audited: core/files.py)."""

    def get(self, request, pk):
        meeting = get_for_user(Meeting, request.user, pk)
        pack = getattr(meeting, "pack", None)
        if pack is None or not pack.docx:
            raise Http404("会议材料尚未印发。")
        return serve_file(request, pack.docx, obj=pack, variant="docx", content_type=DOCX,
                          filename=f"pack-{meeting.date:%Y%m%d}.docx")


# --- escalation ladder ----------------------------------------------------------------


class EscalationListView(ScopedListView):
    model = EscalationStep
    required_cap = Cap.VIEW_PROJECTS
    select_related = ("unit", "rule", "decided_by")
    template_name = "supervision/escalation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_decide"] = self.request.user.has_cap(Cap.SUPERVISE)
        return ctx

    def post(self, request):
        if not request.user.has_cap(Cap.SUPERVISE):
            raise PermissionDenied("只有督查局可以运行问责升级规则。")
        messages.success(request, f"新增措施建议{actions.do_propose_escalations()}条。")
        return redirect("supervision:escalation_list")


class EscalationStepView(View):
    def post(self, request, pk, step):
        item = get_for_user(EscalationStep, request.user, pk)
        try:
            if step in ("confirm", "dismiss"):
                actions.do_decide_step(item, confirm=step == "confirm",
                                       note=request.POST.get("note", ""), acting_user=request.user)
            elif step == "interview":
                held_on = datetime.strptime(request.POST.get("held_on", ""), "%Y-%m-%d").date()
                actions.do_record_interview(
                    item, held_on=held_on, attendees=request.POST.get("attendees", ""),
                    content=request.POST.get("content", ""),
                    commitments=request.POST.get("commitments", ""),
                    follow_up=request.POST.get("follow_up", ""), acting_user=request.user)
            else:
                raise Http404
            messages.success(request, "已保存。")
        except ValueError:
            messages.error(request, "请填写约谈日期。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("supervision:escalation_list")


# --- messages and the leaders' digest -------------------------------------------------


class MessagesView(View):
    """我的消息: in-app notifications (the weekly digest lands here)."""

    def get(self, request):
        from supervision.models import DigestSetting, Notification

        notes = Notification.objects.filter(user=request.user)[:50]
        setting = DigestSetting.objects.filter(user=request.user).first()
        response = render(request, "supervision/messages.html", {
            "notes": notes, "setting": setting, "robot_hosts": robot_host_hint(),
            "is_leader": request.user.role == Role.CITY_LEADER})
        Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
        return response

    def post(self, request):
        from supervision.models import DigestSetting

        if request.user.role != Role.CITY_LEADER:
            raise PermissionDenied("只有市级领导可以设置周报推送。")
        kind = request.POST.get("webhook_kind", "")
        url = request.POST.get("webhook_url", "").strip()
        setting = DigestSetting(user=request.user, email=bool(request.POST.get("email")),
                                webhook_kind=kind if url else "", webhook_url=url)
        try:
            setting.full_clean(exclude=["user"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("supervision:messages")
        DigestSetting.objects.update_or_create(user=request.user, defaults={
            "email": setting.email, "webhook_kind": setting.webhook_kind,
            "webhook_url": setting.webhook_url})
        messages.success(request, "周报推送设置已保存。")
        return redirect("supervision:messages")
