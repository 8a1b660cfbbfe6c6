"""Meetings, their calendar and iCalendar feed, and meeting packs."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views import View

from core.audit import record_audit
from core.choices import AuditEventType
from core.dates import today as local_today
from core.files import serve_file
from core.ids import bad_request, parse_id
from core.scope import get_for_user
from core.views import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from org.roles import Cap, sees_whole_city
from plans.models import Plan
from supervision import actions
from supervision.choices import BulletinStatus, MeetingChangeKind, MeetingStatus
from supervision.filtersets import WHEN_DEFAULT, MeetingFilterSet
from supervision.forms import MeetingCancelForm, MeetingMoveForm
from supervision.models import (
    CalendarFeed,
    Meeting,
    MeetingPack,
)
from supervision.packs import (
    meeting_as_issued,
    pack_sections,
    part_for,
    part_for_unit,
    part_label,
    render_docx,
    render_pack_docx,
    units_readable_by,
)
from supervision.views.mimetypes import DOCX

# The feed's zone: the city's clocks (the meetings' dates and times are local, settings.TIME_ZONE).
FEED_TZID = "Asia/Shanghai"
FEED_ZONE = ZoneInfo(FEED_TZID)


class MeetingListView(ScopedListView):
    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    filterset_class = MeetingFilterSet
    select_related = ("plan",)
    template_name = "supervision/meeting_list.html"
    paginate_by = 60

    def get_queryset(self):
        if "when" not in self.request.GET:  # the page opens on what is coming (the API: all)
            query = self.request.GET.copy()
            query["when"] = WHEN_DEFAULT
            self.request.GET = query
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["plans"] = Plan.objects.visible_to(self.request.user)
        ctx["may_manage"] = self.request.user.has_cap(Cap.MANAGE_PROJECTS)
        # The pack of each meeting shown, as far as the user may see it (drafts: the office
        # and the bureau only), in one query.
        meetings = list(ctx["object_list"])
        labels = dict(BulletinStatus.choices)
        packs = dict(MeetingPack.objects.visible_to(self.request.user)
                     .filter(meeting__in=meetings).values_list("meeting_id", "status"))
        from supervision.models import MeetingMinutes

        minutes = dict(MeetingMinutes.objects.visible_to(self.request.user)
                       .filter(meeting__in=meetings).values_list("meeting_id", "status"))
        for m in meetings:
            m.pack_label = labels.get(packs.get(m.pk), "")
            m.minutes_label = labels.get(minutes.get(m.pk), "")
        ctx["object_list"] = meetings
        return ctx

    def post(self, request):
        plan_id = parse_id(request.POST.get("plan", ""))
        if plan_id is None:
            return bad_request("请选择工作计划。")
        plan = get_for_user(Plan, request.user, plan_id)
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


def _vtimezone():
    """VTIMEZONE of China Standard Time: UTC+8 all year, no daylight saving since 1991, so one
    STANDARD part is the whole rule (the block Outlook and WPS write for 北京时间)."""
    from icalendar import Timezone, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", FEED_TZID)
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=8))
    standard.add("tzoffsetto", timedelta(hours=8))
    standard.add("tzname", "CST")
    zone.add_component(standard)
    return zone


def meeting_event(meeting, changes):
    """One VEVENT: times in Asia/Shanghai (DTSTART;TZID=…), SEQUENCE from the meeting's
    changes, STATUS:CANCELLED once cancelled; the reason of the last change is told too."""
    from icalendar import Event

    start = timezone.make_aware(datetime.combine(meeting.date, meeting.start_time)).astimezone(
        FEED_ZONE)
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@chengjian")
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("summary", f"【已取消】{meeting.title}" if cancelled else meeting.title)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("dtstamp", meeting.updated_at.astimezone(UTC))  # UTC, as RFC 5545 requires
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("location", meeting.location)
    lines = [f"{meeting.plan.name} · {meeting.get_kind_display()}"]
    if changes:
        last = changes[-1]
        if last.kind == MeetingChangeKind.CANCELLED:
            lines.append(f"会议已取消。原因：{last.reason}")
        else:
            lines.append(f"会议已改期（原定{last.old_date:%Y年%-m月%-d日} "
                         f"{last.old_start_time:%H:%M}）。原因：{last.reason}")
    event.add("description", "\n".join(lines))
    return event


@login_not_required
def calendar_feed(request, token):
    """iCalendar (RFC 5545) of the meetings the feed's owner attends (rhythm.ATTENDEES)."""
    from icalendar import Calendar

    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("订阅地址无效或已重置。")
    cal = Calendar()
    cal.add("prodid", "-//Chengjian//城建指挥平台//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "城建调度会议")
    cal.add("x-wr-timezone", FEED_TZID)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(_vtimezone())
    meetings = list(Meeting.objects.attended_by(feed.user).select_related("plan")
                    .prefetch_related("changes"))
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, list(meeting.changes.all())))
    _audit_feed_read(request, feed, len(meetings))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chengjian.ics"'
    response["Cache-Control"] = "no-store, private"  # names and places of a person's meetings
    return response


# Calendar apps poll a feed every hour, so a read is audited once per feed, per address the
# token is used from, per day: the trail shows who reads a person's meetings from where
# (a token that leaks shows up as a new address) without one row per poll.
FEED_READ = "会议日历订阅读取"


def _audit_feed_read(request, feed, returned: int) -> None:
    from core.audit import client_ip, record_audit
    from core.choices import AuditEventType
    from core.models import AuditEvent

    ip = client_ip(request)
    since = timezone.now() - timedelta(days=1)
    if not AuditEvent.objects.filter(event_type=AuditEventType.EXPORT, user=feed.user, ip=ip,
                                     time__gt=since, detail__what=FEED_READ).exists():
        record_audit(AuditEventType.EXPORT, request=request, user=feed.user, what=FEED_READ,
                     returned=returned, note="同一订阅同一地址每天记录一次")


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    template_name = "supervision/meeting_detail.html"

    def get_context_data(self, **kwargs):
        from django.utils.safestring import mark_safe

        from supervision.packs import route_svg

        ctx = super().get_context_data(**kwargs)
        user, meeting = self.request.user, self.object
        pack = MeetingPack.objects.visible_to(user).filter(meeting=meeting).first()
        ctx["pack"] = pack
        ctx["may_manage"] = user.has_cap(Cap.MANAGE_PROJECTS)
        ctx["changes"] = meeting.changes.select_related("by")
        ctx["may_change"] = (ctx["may_manage"] and meeting.status == MeetingStatus.SCHEDULED
                             and meeting.date >= local_today())
        ctx.setdefault("move_form", MeetingMoveForm(initial={"date": meeting.date,
                                                             "start_time": meeting.start_time}))
        ctx.setdefault("cancel_form", MeetingCancelForm())
        # The 征求意见稿 while nothing is issued: the office, the bureau and the readers of a
        # part (a leader their 分包, a unit its own) download it before the meeting.
        ctx["may_draft"] = (not meeting.is_cancelled and (pack is None or not pack.docx)
                            and units_readable_by(user) != set())
        ctx.update(minutes_context(meeting, user))
        if pack is not None:
            ctx["content"] = part_for(pack.content, user)
            ctx["partial"] = not sees_whole_city(user)
            ctx["part"] = part_label(user) if ctx["partial"] else ""
            ctx["sections"] = pack_sections(ctx["content"])
            if ctx["content"].get("route"):
                # numbers and our own text only
                ctx["route_svg"] = mark_safe(route_svg(ctx["content"]["route"]))
        return ctx


class MeetingChangeView(MeetingDetailView):
    """改期 or 取消 from the meeting's page, with the reason (the same actions as the API).
    A refusal re-renders the page with the reason and a 400."""

    FORMS = {"move": MeetingMoveForm, "cancel": MeetingCancelForm}

    def post(self, request, pk, step):
        if step not in self.FORMS:
            raise Http404
        if not request.user.has_cap(Cap.MANAGE_PROJECTS):
            raise PermissionDenied("只有领导小组办公室可以调整会议。")
        self.object = meeting = self.get_object()
        form = self.FORMS[step](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "move":
                    actions.do_move_meeting(meeting, date=data["date"],
                                            start_time=data["start_time"],
                                            reason=data["reason"], acting_user=request.user)
                    messages.success(request, f"会议已改至{meeting.date:%Y年%-m月%-d日} "
                                              f"{meeting.start_time:%H:%M}，改期原因已记录。")
                else:
                    actions.do_cancel_meeting(meeting, reason=data["reason"],
                                              acting_user=request.user)
                    messages.success(request, "会议已取消，取消原因已记录。")
                return redirect(meeting.get_absolute_url())
            except ValidationError as exc:
                _add_errors(form, exc)
        context = self.get_context_data(**{f"{step}_form": form, "open_form": step})
        context["change_errors"] = [e for errors in form.errors.values() for e in errors]
        return self.render_to_response(context, status=400)


def _add_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


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
        name = f"pack-{meeting_as_issued(pack)['date'].replace('-', '')}"
        if sees_whole_city(request.user):
            return serve_file(request, pack.docx, obj=pack, variant="docx", content_type=DOCX,
                              filename=f"{name}.docx")
        part = part_label(request.user)
        data = render_docx(pack, content=part_for(pack.content, request.user), part=part)
        return serve_rendered(request, data, obj=pack, variant="docx", part=part,
                              filename=f"{name}-{part}.docx", content_type=DOCX)


class MeetingPackDraftView(View):
    """会议材料征求意见稿: the pack as it would be if generated now, before it is issued —
    computed from the live data at download time, marked as a draft in the document, each
    reader their own part (as the issued pack's parts), every download audited.

    `?unit=<id>` asks for one unit's part (the office sending each unit its part for
    comment); a reader asking for a unit outside their own gets 404, as for any object
    outside their scope."""

    def get(self, request, pk):
        from supervision.packs import build_content, pack_period

        user = request.user
        meeting = get_for_user(Meeting, user, pk)
        readable = units_readable_by(user)
        pack = MeetingPack.objects.filter(meeting=meeting).first()
        if meeting.is_cancelled or readable == set() or (pack is not None and pack.docx):
            raise Http404("没有可下载的征求意见稿。")
        raw = request.GET.get("unit", "")
        unit_id = parse_id(raw) if raw else None
        if raw and unit_id is None:
            return bad_request("单位编号无效：应为数字。")
        unit = _asked_unit(unit_id, readable)
        start, end = pack_period(meeting)
        content = build_content(meeting, start, end)
        whole = sees_whole_city(user)
        part = None
        if not whole:
            content, part = part_for(content, user), part_label(user)
        if unit is not None:
            content, part = part_for_unit(content, unit), unit.name
        now = timezone.now()
        data = render_pack_docx(
            meeting={"title": meeting.title, "date": meeting.date.isoformat(),
                     "location": meeting.location},
            start=start, end=end, content=content, part=part, draft_at=now,
            # the office's draft notes are its own until issued
            notes=pack.notes if (pack is not None and whole and unit is None) else "")
        name = f"pack-{meeting.date:%Y%m%d}-征求意见稿{'-' + part if part else ''}.docx"
        return serve_rendered(request, data, obj=meeting, variant="draft-docx",
                              part=part or "", filename=name, content_type=DOCX)


def _asked_unit(unit_id: int | None, readable):
    """The unit `?unit=` names (parsed by core.ids), if the reader may read its part;
    otherwise 404."""
    from org.models import Unit

    if unit_id is None:
        return None
    if readable is not None and unit_id not in readable:
        raise Http404("无权查看该单位的会议材料。")
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404("单位不存在。")
    return unit


def serve_rendered(request, data: bytes, *, obj, filename, content_type, variant, **detail):
    """A document made for this reader (not a stored file), audited like serve_file()."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, max_age=0)
    record_audit(AuditEventType.FILE_DOWNLOAD, request=request, obj=obj, variant=variant,
                 name=filename, size=len(data), **detail)
    return response


# --- 会议纪要 -------------------------------------------------------------------------

BLANK_DECISION_ROWS = 3  # empty rows under the written ones, for the next decisions


def minutes_context(meeting, user) -> dict:
    """The minutes on the meeting's page: issued ones for every reader of the meeting, the
    draft and its form for the office once the meeting has been held."""
    from org.models import Unit
    from supervision.minutes import document
    from supervision.models import MeetingMinutes

    minutes = MeetingMinutes.objects.visible_to(user).filter(meeting=meeting).first()
    decisions = list(minutes.decisions.select_related("unit", "action_item")) if minutes else []
    may_write = (user.has_cap(Cap.MANAGE_PROJECTS) and not meeting.is_cancelled
                 and meeting.date <= local_today()
                 and (minutes is None or minutes.status != BulletinStatus.ISSUED))
    ctx = {"minutes": minutes, "decisions": decisions, "may_write_minutes": may_write,
           "minutes_doc": document(minutes, decisions) if minutes else None}
    if may_write:
        ctx["minutes_units"] = Unit.objects.active().order_by("name")
        ctx["decision_rows"] = [{"text": d.text, "unit_id": d.unit_id,
                                 "deadline": d.deadline.isoformat()} for d in decisions] + [
            {"text": "", "unit_id": None, "deadline": ""}] * BLANK_DECISION_ROWS
    return ctx


def _posted_decisions(post) -> list[dict]:
    """The decision rows of the minutes form (parallel lists), units and dates parsed; a
    unit or date that does not parse is left empty for the action to name (第n项…没有责任单位)."""
    from datetime import date as date_cls

    from org.models import Unit

    unit_ids = [parse_id(v) for v in post.getlist("decision_unit")]
    units = Unit.objects.active().in_bulk([pk for pk in unit_ids if pk is not None])
    rows = []
    for text, unit_id, deadline in zip(post.getlist("decision_text"), unit_ids,
                                       post.getlist("decision_deadline"), strict=False):
        try:
            day = date_cls.fromisoformat(deadline) if deadline else None
        except ValueError:
            day = None
        rows.append({"text": text, "unit": units.get(unit_id), "deadline": day})
    return rows


class MinutesStepView(CapabilityRequiredMixin, View):
    """保存 (the draft) and 印发 (action items for each decision, then frozen)."""

    required_cap = Cap.MANAGE_PROJECTS

    def post(self, request, pk, step):
        from supervision.actions.meetings import do_issue_minutes, do_save_minutes
        from supervision.models import MeetingMinutes

        meeting = get_for_user(Meeting, request.user, pk)
        try:
            if step == "save":
                do_save_minutes(meeting, attendees=request.POST.get("attendees", ""),
                                summary=request.POST.get("summary", ""),
                                decisions=_posted_decisions(request.POST),
                                acting_user=request.user)
                messages.success(request, "会议纪要已保存。")
            elif step == "issue":
                minutes = MeetingMinutes.objects.filter(meeting=meeting).first()
                if minutes is None:
                    raise ValidationError("请先填写并保存会议纪要。")
                if not request.POST.get("confirm"):  # 印发 cannot be undone: asked first
                    raise ValidationError("请先勾选确认后再印发。")
                minutes = do_issue_minutes(minutes, acting_user=request.user)
                messages.success(request, f"会议纪要已印发，{minutes.decisions.count()}项议定事项"
                                          "已作为交办事项交办各责任单位。")
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(f"{meeting.get_absolute_url()}#minutes")


class MinutesFileView(View):
    """The issued minutes' .docx, within the reader's scope, audited (core/files.py); before
    the issue, the office's preview of the draft (rendered now, marked 草稿 in its header,
    audited the same way). Nobody else sees a draft (MeetingMinutes.visible_to)."""

    def get(self, request, pk):
        from supervision.minutes import render_minutes_docx
        from supervision.models import MeetingMinutes

        meeting = get_for_user(Meeting, request.user, pk)
        minutes = MeetingMinutes.objects.visible_to(request.user).filter(meeting=meeting).first()
        if minutes is None:
            raise Http404("会议纪要尚未印发。")
        name = f"minutes-{meeting.date:%Y%m%d}"
        if minutes.status != BulletinStatus.ISSUED:
            data = render_minutes_docx(minutes, list(minutes.decisions.select_related("unit")),
                                       draft=True)
            return serve_rendered(request, data, obj=minutes, variant="draft-docx",
                                  filename=f"{name}-草稿.docx", content_type=DOCX)
        return serve_file(request, minutes.docx, obj=minutes, variant="docx", content_type=DOCX,
                          filename=f"{name}.docx")


# --- escalation ladder ----------------------------------------------------------------
