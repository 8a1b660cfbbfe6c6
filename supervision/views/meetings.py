"""Meetings, their calendar and iCalendar feed, and meeting packs."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views import View

from core.audit import record_audit
from core.choices import AuditEventType
from core.files import serve_file
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from org.roles import Cap, sees_whole_city
from plans.models import Plan
from supervision import actions
from supervision.choices import BulletinStatus, MeetingKind
from supervision.models import (
    CalendarFeed,
    Meeting,
    MeetingPack,
)
from supervision.packs import part_for, part_label, render_docx
from supervision.views.mimetypes import DOCX


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
        # The pack of each meeting shown, as far as the user may see it (drafts: the office
        # and the bureau only), in one query.
        meetings = list(ctx["object_list"])
        labels = dict(BulletinStatus.choices)
        packs = dict(MeetingPack.objects.visible_to(self.request.user)
                     .filter(meeting__in=meetings).values_list("meeting_id", "status"))
        for m in meetings:
            m.pack_label = labels.get(packs.get(m.pk), "")
        ctx["object_list"] = meetings
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


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/meeting_detail.html"

    def get_context_data(self, **kwargs):
        from django.utils.safestring import mark_safe

        from supervision.packs import route_svg

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        pack = MeetingPack.objects.visible_to(user).filter(meeting=self.object).first()
        ctx["pack"] = pack
        ctx["may_manage"] = user.has_cap(Cap.MANAGE_PROJECTS)
        if pack is not None:
            ctx["content"] = part_for(pack.content, user)
            ctx["partial"] = not sees_whole_city(user)
            ctx["part"] = part_label(user) if ctx["partial"] else ""
            if ctx["content"].get("route"):
                # numbers and our own text only
                ctx["route_svg"] = mark_safe(route_svg(ctx["content"]["route"]))
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
    """The issued meeting pack, scoped and audited: the office and the bureau download the
    frozen file (core/files.py); any other reader gets their own part of the same frozen
    content, rendered for them and audited the same way."""

    def get(self, request, pk):
        meeting = get_for_user(Meeting, request.user, pk)
        pack = MeetingPack.objects.visible_to(request.user).filter(meeting=meeting).first()
        if pack is None or not pack.docx:
            raise Http404("会议材料尚未印发。")
        name = f"pack-{meeting.date:%Y%m%d}"
        if sees_whole_city(request.user):
            return serve_file(request, pack.docx, obj=pack, variant="docx", content_type=DOCX,
                              filename=f"{name}.docx")
        part = part_label(request.user)
        data = render_docx(pack, content=part_for(pack.content, request.user), part=part)
        return serve_rendered(request, data, obj=pack, variant="docx", part=part,
                              filename=f"{name}-{part}.docx", content_type=DOCX)


def serve_rendered(request, data: bytes, *, obj, filename, content_type, variant, **detail):
    """A document made for this reader (not a stored file), audited like serve_file()."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, max_age=0)
    record_audit(AuditEventType.FILE_DOWNLOAD, request=request, obj=obj, variant=variant,
                 name=filename, size=len(data), **detail)
    return response


# --- escalation ladder ----------------------------------------------------------------
