"""State changes of dispatch and supervision: meetings, action items."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from org.choices import Role
from org.models import user_unit_ids
from org.roles import Cap, has_cap
from supervision.choices import (
    ActionEventKind,
    ActionItemSource,
    ActionItemStatus,
    BulletinStatus,
    EscalationLevel,
    EscalationStatus,
    RectificationStatus,
)
from supervision.models import ActionItem, ActionItemEvent, CalendarFeed, Meeting
from supervision.rhythm import DEFAULTS, SCHEDULES


def _may_issue(user) -> bool:
    return user is None or has_cap(user, Cap.MANAGE_PROJECTS) or user.role in (
        Role.CITY_LEADER, Role.SUPERVISION)


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


def _event(item, kind, user, text=""):
    return ActionItemEvent.objects.create(item=item, kind=kind, by=user, text=text)


@transaction.atomic
def do_create_action_item(*, title, unit, deadline, acting_user, detail="", meeting=None,
                          problem=None, project=None) -> ActionItem:
    """交办: from a meeting, from a report's problem, or by a leader."""
    if not _may_issue(acting_user):
        raise PermissionDenied("当前角色不能交办事项。")
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": "办理期限不能早于今天。"})
    source = (ActionItemSource.MEETING if meeting else
              ActionItemSource.REPORT_PROBLEM if problem else ActionItemSource.LEADER)
    if problem is not None:
        project = project or problem.project
    item = ActionItem(title=title.strip(), detail=detail.strip(), unit=unit, deadline=deadline,
                      source=source, meeting=meeting, problem=problem, project=project,
                      issued_by=acting_user)
    item.full_clean()
    item.save()
    _event(item, ActionEventKind.CREATED, acting_user, detail)
    return item


def _require_unit(item, user):
    if user is not None and (not has_cap(user, Cap.SUBMIT_REPORTS)
                             or item.unit_id not in user_unit_ids(user)):
        raise PermissionDenied("只有承办单位可以反馈。")


def _require_issuer(item, user):
    if user is None or has_cap(user, Cap.MANAGE_PROJECTS) or item.issued_by_id == user.pk:
        return
    raise PermissionDenied("只有交办人或领导小组办公室可以办结或退回。")


@transaction.atomic
def do_respond(item: ActionItem, *, text: str, acting_user) -> ActionItem:
    _require_unit(item, acting_user)
    if item.status not in (ActionItemStatus.OPEN, ActionItemStatus.RETURNED):
        raise ValidationError("该事项当前不能反馈。")
    if not text.strip():
        raise ValidationError({"text": "请填写办理情况。"})
    item.status = ActionItemStatus.RESPONDED
    item.save()
    _event(item, ActionEventKind.RESPONDED, acting_user, text.strip())
    return item


@transaction.atomic
def do_close(item: ActionItem, *, acting_user, text: str = "") -> ActionItem:
    _require_issuer(item, acting_user)
    if item.status != ActionItemStatus.RESPONDED:
        raise ValidationError("承办单位反馈后才能办结。")
    item.status, item.closed_at = ActionItemStatus.CLOSED, timezone.now()
    item.save()
    _event(item, ActionEventKind.CLOSED, acting_user, text.strip())
    return item


@transaction.atomic
def do_return(item: ActionItem, *, reason: str, acting_user) -> ActionItem:
    _require_issuer(item, acting_user)
    if item.status != ActionItemStatus.RESPONDED:
        raise ValidationError("只有已反馈的事项可以退回。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因。"})
    item.status = ActionItemStatus.RETURNED
    item.save()
    _event(item, ActionEventKind.RETURNED, acting_user, reason.strip())
    return item


@transaction.atomic
def do_flag_overdue(today=None) -> int:
    """Record an overdue reminder once per overdue item (the first escalation step)."""
    today = today or timezone.localdate()
    items = (ActionItem.objects.active().filter(deadline__lt=today)
             .exclude(status=ActionItemStatus.CLOSED)
             .exclude(events__kind=ActionEventKind.OVERDUE))
    events = [ActionItemEvent(item=item, kind=ActionEventKind.OVERDUE,
                              text=f"已超过办理期限{(today - item.deadline).days}天")
              for item in items]
    ActionItemEvent.objects.bulk_create(events)
    return len(events)


# --- bulletins (督查通报) -----------------------------------------------------------


def _require_bureau(user):
    if user is not None and not has_cap(user, Cap.SUPERVISE):
        raise PermissionDenied("只有督查局可以起草和印发督查通报。")


@transaction.atomic
def do_draft_bulletin(*, period_start, period_end, acting_user, title=None):
    """A draft pre-filled from the data of the period (each line keeps its facts)."""
    from supervision.bulletins import draft_lines
    from supervision.models import Bulletin, BulletinLine

    _require_bureau(acting_user)
    if period_end < period_start:
        raise ValidationError("通报期间的结束日期不能早于开始日期。")
    bulletin = Bulletin.objects.create(
        title=title or f"关于{period_start:%Y年%-m月%-d日}至{period_end:%-m月%-d日}"
                       "高品质城市建设重点工作推进情况的通报",
        period_start=period_start, period_end=period_end,
        intro="按照市委、市政府工作部署，市督查局对高品质城市建设三年行动计划推进情况进行了"
              "督促检查，现将有关情况通报如下：",
        requirements="各被通报单位要高度重视，逐项分析原因，制定整改措施，明确责任人和完成时限。\n"
                     "对整改不力、连续被通报的单位，将按程序提请约谈问责。")
    BulletinLine.objects.bulk_create([
        BulletinLine(bulletin=bulletin, section=line["section"], unit=line["unit"],
                     text=line["text"], facts=line["facts"], order=i)
        for i, line in enumerate(draft_lines(period_start, period_end))])
    return bulletin


def _require_draft(bulletin):
    if bulletin.is_issued:
        raise ValidationError("通报已印发，不能再修改。")


@transaction.atomic
def do_edit_bulletin(bulletin, *, acting_user, title=None, intro=None, requirements=None,
                     line_texts=None, remove_lines=()):
    _require_bureau(acting_user)
    _require_draft(bulletin)
    for field, value in (("title", title), ("intro", intro), ("requirements", requirements)):
        if value is not None:
            setattr(bulletin, field, value.strip())
    bulletin.full_clean()
    bulletin.save()
    bulletin.lines.filter(pk__in=list(remove_lines)).delete()
    for pk, text in (line_texts or {}).items():
        bulletin.lines.filter(pk=pk).update(text=text.strip())
    return bulletin


@transaction.atomic
def do_issue_bulletin(bulletin, *, rectification_deadline, acting_user):
    """Number it (〔年〕第N期), freeze the .docx and PDF, and ask each named unit to rectify."""
    from django.core.files.base import ContentFile
    from django.db.models import Max

    from supervision.bulletins import render_docx, render_pdf
    from supervision.models import Bulletin, Rectification

    _require_bureau(acting_user)
    _require_draft(bulletin)
    if not bulletin.lines.exists():
        raise ValidationError("通报没有任何内容，不能印发。")
    if rectification_deadline <= timezone.localdate():
        raise ValidationError({"rectification_deadline": "整改反馈期限应晚于今天。"})
    now = timezone.now()
    year = timezone.localdate(now).year
    # Lock the year's bulletins so two issues cannot take the same number.
    last = (Bulletin.objects.select_for_update().filter(year=year)
            .aggregate(m=Max("number"))["m"] or 0)
    bulletin.year, bulletin.number = year, last + 1
    bulletin.status, bulletin.issued_at, bulletin.issued_by = BulletinStatus.ISSUED, now, acting_user
    bulletin.rectification_deadline = rectification_deadline
    docx, pdf = render_docx(bulletin), render_pdf(bulletin)
    import hashlib

    bulletin.sha256 = hashlib.sha256(docx + pdf).hexdigest()
    name = f"bulletin-{year}-{bulletin.number:03d}"
    bulletin.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    bulletin.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    bulletin.save()
    units = {line.unit_id for line in bulletin.lines.all()}
    Rectification.objects.bulk_create([Rectification(bulletin=bulletin, unit_id=u) for u in units])
    return bulletin


@transaction.atomic
def do_submit_rectification(rectification, *, text, acting_user):
    if acting_user is not None and (not has_cap(acting_user, Cap.SUBMIT_REPORTS)
                                    or rectification.unit_id not in user_unit_ids(acting_user)):
        raise PermissionDenied("只有被通报单位可以报送整改情况。")
    if rectification.status not in (RectificationStatus.PENDING, RectificationStatus.RETURNED):
        raise ValidationError("整改情况已报送。")
    if not text.strip():
        raise ValidationError({"text": "请填写整改情况。"})
    rectification.text, rectification.status = text.strip(), RectificationStatus.SUBMITTED
    rectification.submitted_at, rectification.submitted_by = timezone.now(), acting_user
    rectification.save()
    return rectification


@transaction.atomic
def do_review_rectification(rectification, *, accept: bool, note="", acting_user):
    _require_bureau(acting_user)
    if rectification.status != RectificationStatus.SUBMITTED:
        raise ValidationError("只有已报送的整改情况可以审核。")
    if not accept and not note.strip():
        raise ValidationError({"note": "退回须说明原因。"})
    rectification.status = RectificationStatus.ACCEPTED if accept else RectificationStatus.RETURNED
    rectification.reviewed_at, rectification.review_note = timezone.now(), note.strip()
    rectification.save()
    return rectification


# --- meeting packs (会议材料) -----------------------------------------------------------


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


@transaction.atomic
def do_propose_escalations(today=None) -> int:
    """Run the rules; add a proposal per unit and measure unless one is already open."""
    from supervision.escalation import findings
    from supervision.models import EscalationStep

    open_steps = set(EscalationStep.objects.active().filter(status=EscalationStatus.PROPOSED)
                     .values_list("unit_id", "level"))
    created = 0
    for rule, unit, reason, facts in findings(today):
        if (unit.pk, rule.level) in open_steps:
            continue
        EscalationStep.objects.create(unit=unit, level=rule.level, reason=reason, rule=rule,
                                      facts=facts)
        open_steps.add((unit.pk, rule.level))
        created += 1
    return created


@transaction.atomic
def do_propose_step(*, unit, level, reason, acting_user):
    """The bureau puts a step on a unit's ladder by hand (no rule), with its reason."""
    from supervision.models import EscalationStep

    _require_bureau(acting_user)
    if not reason.strip():
        raise ValidationError({"reason": "请说明理由。"})
    return EscalationStep.objects.create(unit=unit, level=level, reason=reason.strip())


@transaction.atomic
def do_decide_step(step, *, confirm: bool, note: str, acting_user):
    """A person decides every step, and says why (recorded with the step)."""
    _require_bureau(acting_user)
    if step.status != EscalationStatus.PROPOSED:
        raise ValidationError("该措施已决定。")
    if not note.strip():
        raise ValidationError({"note": "请填写决定理由。"})
    step.status = EscalationStatus.CONFIRMED if confirm else EscalationStatus.DISMISSED
    step.decided_by, step.decided_at, step.decision_note = acting_user, timezone.now(), note.strip()
    step.save()
    return step


@transaction.atomic
def do_record_interview(step, *, held_on, attendees, content, commitments, follow_up="",
                        acting_user):
    from supervision.models import InterviewRecord

    _require_bureau(acting_user)
    if step.level != EscalationLevel.INTERVIEW or step.status != EscalationStatus.CONFIRMED:
        raise ValidationError("只有已决定的约谈可以记录约谈情况。")
    record = InterviewRecord(step=step, held_on=held_on, attendees=attendees.strip(),
                             content=content.strip(), commitments=commitments.strip(),
                             follow_up=follow_up.strip())
    record.full_clean()
    record.save()
    return record
