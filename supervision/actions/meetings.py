"""State changes: Meetings of the dispatch rhythm, calendar tokens and meeting packs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from org.roles import Cap, has_cap
from supervision.choices import (
    BulletinStatus,
)
from supervision.models import CalendarFeed, Meeting
from supervision.rhythm import DEFAULTS, SCHEDULES


@transaction.atomic
def do_generate_rhythm(plan, *, years=None, acting_user=None) -> int:
    """Create the plan's meetings for its years; dates already set are kept (re-runnable)."""
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以生成会议安排。")
    existing = set(Meeting.objects.filter(plan=plan).values_list("kind", "date"))
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


@transaction.atomic
def do_move_meeting(meeting: Meeting, *, date, start_time=None, acting_user=None) -> Meeting:
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以调整会议。")
    meeting.date = date
    if start_time is not None:
        meeting.start_time = start_time
    meeting.full_clean()
    meeting.save()
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

    from supervision.packs import render_docx

    _require_office(acting_user)
    if pack.status == BulletinStatus.ISSUED:
        raise ValidationError("会议材料已印发。")
    pack.status, pack.issued_at, pack.issued_by = BulletinStatus.ISSUED, timezone.now(), acting_user
    pack.docx.save(f"pack-{pack.meeting.date:%Y%m%d}-{pack.meeting.kind}.docx",
                   ContentFile(render_docx(pack)), save=False)
    pack.save()
    return pack


# --- escalation ladder ------------------------------------------------------------------
