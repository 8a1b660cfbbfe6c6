"""State changes: Meetings of the dispatch rhythm, calendar tokens and meeting packs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.dates import today as local_today
from org.roles import Cap, has_cap
from supervision import notices
from supervision.choices import (
    BulletinStatus,
    MeetingChangeKind,
    MeetingStatus,
)
from supervision.models import CalendarFeed, Meeting
from supervision.models.meetings import MeetingChange
from supervision.rhythm import DEFAULTS, SCHEDULES


@transaction.atomic
def do_generate_rhythm(plan, *, years=None, acting_user=None) -> int:
    """Create the plan's meetings for its years; dates already set are kept (re-runnable)."""
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以生成会议安排。")
    existing = set(Meeting.objects.filter(plan=plan).values_list("kind", "date"))
    # A day a meeting was moved away from is not free again: re-running keeps the move.
    existing |= set(MeetingChange.objects.filter(meeting__plan=plan, kind=MeetingChangeKind.MOVED)
                    .values_list("meeting__kind", "old_date"))
    created = []
    for year in years or plan.years:
        for kind, dates in SCHEDULES.items():
            title, start, minutes, location = DEFAULTS[kind]
            for day in dates(year):
                if (kind, day) in existing or not (plan.start_year <= day.year <= plan.end_year
                                                   + 1):
                    continue
                created.append(Meeting(plan=plan, kind=kind, date=day, start_time=start,
                                       duration_minutes=minutes, title=title,
                                       location=location))
                existing.add((kind, day))
    Meeting.objects.bulk_create(created)
    return len(created)


def _lock_for_change(meeting: Meeting, acting_user, reason: str, verb: str) -> Meeting:
    """The meeting row, locked, after the checks every change shares (so two clerks
    changing it at once take turns and each SEQUENCE is counted once)."""
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied(f"只有领导小组办公室可以{verb}会议。")
    if not (reason or "").strip():
        raise ValidationError({"reason": f"请说明{verb}原因。"})
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == MeetingStatus.CANCELLED:
        raise ValidationError("该会议已取消。")
    if locked.date < local_today():
        raise ValidationError(f"会议已于{locked.date:%Y年%-m月%-d日}召开，不能{verb}。")
    return locked


@transaction.atomic
def do_move_meeting(meeting: Meeting, *, date, start_time=None, reason: str,
                    acting_user=None) -> Meeting:
    """改期: a new day (and time) with the reason, recorded as a MeetingChange row; the
    meeting's SEQUENCE goes up so subscribed calendars move it."""
    locked = _lock_for_change(meeting, acting_user, reason, "改期")
    start_time = start_time or locked.start_time
    if (date, start_time) == (locked.date, locked.start_time):
        raise ValidationError({"date": "新的日期和时间与原安排相同。"})
    if date < local_today():
        raise ValidationError({"date": "不能改到今天之前。"})
    if Meeting.objects.filter(plan_id=locked.plan_id, kind=locked.kind, date=date).exclude(
            pk=locked.pk).exists():
        raise ValidationError({"date": f"{date:%Y年%-m月%-d日}已有一场{locked.get_kind_display()}。"})
    MeetingChange.objects.create(
        meeting=locked, kind=MeetingChangeKind.MOVED, old_date=locked.date,
        old_start_time=locked.start_time, new_date=date, new_start_time=start_time,
        reason=reason.strip(), by=acting_user)
    locked.date, locked.start_time = date, start_time
    locked.sequence += 1
    locked.full_clean()
    locked.save()
    notices.meeting_changed(locked)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, reason: str, acting_user=None) -> Meeting:
    """取消: the meeting stays on the calendar as cancelled (STATUS:CANCELLED in the feed,
    SEQUENCE up), with the reason recorded as a MeetingChange row."""
    locked = _lock_for_change(meeting, acting_user, reason, "取消")
    MeetingChange.objects.create(
        meeting=locked, kind=MeetingChangeKind.CANCELLED, old_date=locked.date,
        old_start_time=locked.start_time, reason=reason.strip(), by=acting_user)
    locked.status = MeetingStatus.CANCELLED
    locked.sequence += 1
    locked.save()
    notices.meeting_changed(locked)
    meeting.refresh_from_db()
    return meeting


def do_calendar_token(user, *, renew=False) -> CalendarFeed:
    """The user's private feed; `renew` revokes the old URL."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user, token=CalendarFeed.new_token())
    if renew:
        feed.token = CalendarFeed.new_token()
        feed.save(update_fields=["token"])
    return feed


def _require_office(user):
    if user is not None and not has_cap(user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以准备会议材料。")


@transaction.atomic
def do_generate_pack(meeting, *, acting_user):
    """(Re)build a draft pack from the data of the meeting's period."""
    from supervision.models import MeetingPack
    from supervision.packs import build_content, pack_period

    _require_office(acting_user)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("会议已取消，不再准备会议材料。")
    pack = MeetingPack.objects.filter(meeting=meeting).first()
    if pack is not None and pack.status == BulletinStatus.ISSUED:
        raise ValidationError("会议材料已印发，不能重新生成。")
    start, end = pack_period(meeting)
    pack = pack or MeetingPack(meeting=meeting)
    pack.period_start, pack.period_end = start, end
    pack.content = build_content(meeting, start, end)
    pack.save()
    return pack


@transaction.atomic
def do_edit_pack(pack, *, notes, acting_user):
    _require_office(acting_user)
    if pack.status == BulletinStatus.ISSUED:
        raise ValidationError("会议材料已印发，不能修改。")
    pack.notes = notes.strip()
    pack.save()
    return pack


@transaction.atomic
def do_issue_pack(pack, *, acting_user):
    """Freeze the pack: later data changes no longer alter it; the .docx is kept."""
    from django.core.files.base import ContentFile

    from supervision.packs import meeting_snapshot, render_docx

    _require_office(acting_user)
    if pack.status == BulletinStatus.ISSUED:
        raise ValidationError("会议材料已印发。")
    pack.content = {**pack.content, "meeting": meeting_snapshot(pack.meeting)}
    pack.status, pack.issued_at, pack.issued_by = BulletinStatus.ISSUED, timezone.now(), acting_user
    pack.docx.save(f"pack-{pack.meeting.date:%Y%m%d}-{pack.meeting.kind}.docx",
                   ContentFile(render_docx(pack)), save=False)
    pack.save()
    return pack


# --- 会议纪要 -----------------------------------------------------------------------


def _clean_decisions(decisions) -> list[dict]:
    """The decisions as given (dicts of text, unit, deadline), blank rows dropped, each
    checked: a decision without its unit or its deadline cannot become an action item."""
    rows, errors = [], []
    for n, d in enumerate(decisions, start=1):
        text = (d.get("text") or "").strip()
        if not text and not d.get("unit") and not d.get("deadline"):
            continue
        if not text:
            errors.append(f"第{n}项议定事项没有内容。")
        elif len(text) > 200:
            errors.append(f"第{n}项议定事项超过200字，请分项或精简。")
        if d.get("unit") is None:
            errors.append(f"第{n}项议定事项没有责任单位。")
        if d.get("deadline") is None:
            errors.append(f"第{n}项议定事项没有完成时限。")
        rows.append({"text": text, "unit": d.get("unit"), "deadline": d.get("deadline")})
    if errors:
        raise ValidationError({"decisions": errors})
    return rows


@transaction.atomic
def do_save_minutes(meeting, *, attendees: str, summary: str, decisions, acting_user):
    """Write (or rewrite) the draft minutes of a held meeting: attendees, a summary and the
    decisions (议定事项), each with its responsible unit and deadline."""
    from supervision.models import MeetingMinutes, MinutesDecision

    _require_office(acting_user)
    # The meeting's row is the lock: a minutes row that does not exist yet cannot be locked,
    # so two first saves would both insert and the second hit the unique meeting (a 500).
    # Under this lock the second waits, then finds the first's minutes and rewrites them.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("会议已取消，没有会议纪要。")
    if meeting.date > local_today():
        raise ValidationError("会议尚未召开，召开后再写会议纪要。")
    # Only this action creates minutes, always under the lock: the read below is the one
    # the second save makes after the first has committed (one save, one history entry);
    # the minutes' own lock waits for an 印发 under way (do_issue_minutes).
    minutes = MeetingMinutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None and minutes.status == BulletinStatus.ISSUED:
        raise ValidationError("会议纪要已印发，不能修改。")
    rows = _clean_decisions(decisions)
    minutes = minutes or MeetingMinutes(meeting=meeting)
    minutes.attendees, minutes.summary = attendees.strip(), summary.strip()
    minutes.full_clean(exclude=["meeting"])
    minutes.save()
    minutes.decisions.all().remove_from_draft()  # a draft's decisions: rewritten whole
    for n, row in enumerate(rows, start=1):
        MinutesDecision.objects.create(minutes=minutes, order=n, **row)
    return minutes


@transaction.atomic
def do_issue_minutes(minutes, *, acting_user):
    """印发: each decision becomes an action item for its unit (from the meeting, told to the
    unit like any other), then the minutes are frozen with their .docx. Refused as a whole
    if any decision's deadline has passed: nothing is half-issued."""
    from django.core.files.base import ContentFile

    from core.dates import cn_date
    from supervision.actions.items import do_create_action_item
    from supervision.minutes import render_minutes_docx
    from supervision.models import MeetingMinutes

    _require_office(acting_user)
    minutes = MeetingMinutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status == BulletinStatus.ISSUED:
        raise ValidationError("会议纪要已印发。")
    if not minutes.summary.strip() or not minutes.attendees.strip():
        raise ValidationError("请先填写参会人员和会议概要。")
    decisions = list(minutes.decisions.select_related("unit").order_by("order", "pk"))
    today = local_today()
    late = [f"第{d.order}项" for d in decisions if d.deadline < today]
    if late:
        raise ValidationError(f"{'、'.join(late)}议定事项的完成时限已过，请修改后再印发。")
    meeting = minutes.meeting
    for d in decisions:
        d.action_item = do_create_action_item(
            title=d.text, unit=d.unit, deadline=d.deadline, acting_user=acting_user,
            meeting=meeting,
            detail=f"《{meeting.title}会议纪要》（{cn_date(meeting.date)}）议定事项第{d.order}项")
        d.save()  # linked while the minutes are still a draft: the last write to the row
    minutes.status, minutes.issued_at, minutes.issued_by = (BulletinStatus.ISSUED, timezone.now(),
                                                            acting_user)
    minutes.docx.save(f"minutes-{meeting.date:%Y%m%d}-{meeting.kind}.docx",
                      ContentFile(render_minutes_docx(minutes, decisions)), save=False)
    minutes.save()
    return minutes


# --- escalation ladder ------------------------------------------------------------------
