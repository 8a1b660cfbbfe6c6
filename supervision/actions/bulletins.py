"""State changes: 督查通报 and rectification."""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.dates import cn_date, cn_month_day
from core.workflow import Review
from org.models import user_unit_ids
from org.roles import Cap, has_cap
from supervision import notices
from supervision.choices import (
    BulletinStatus,
    RectificationStatus,
)

# The bureau accepts or returns a unit's response (core.workflow: a reason to return it).
RECTIFICATION_REVIEW = Review(what="整改情况", filed_word="已报送",
                              reviewable=(RectificationStatus.SUBMITTED,),
                              accepted=RectificationStatus.ACCEPTED,
                              returned=RectificationStatus.RETURNED, reason_field="note")

class OverlappingBulletin(ValidationError):
    """A bulletin (draft or issued, in force) already covers part of the period."""

    def __init__(self, bulletins):
        self.bulletins = list(bulletins)
        names = "、".join(f"《{b.title}》（{b.number_label if b.number else b.get_status_display()}）"
                         for b in self.bulletins)
        super().__init__(f"通报期间与已有通报重叠：{names}。")


def _require_bureau(user):
    if user is not None and not has_cap(user, Cap.SUPERVISE):
        raise PermissionDenied("只有督查局可以起草和印发督查通报。")


@transaction.atomic
def do_draft_bulletin(*, period_start, period_end, acting_user, title=None, allow_overlap=True):
    """A draft pre-filled from the data of the period (each line keeps its facts).

    With allow_overlap=False a period that shares a day with a bulletin in force (draft or
    issued) is refused (OverlappingBulletin names them); the page asks the clerk first.
    """
    from supervision.bulletins import draft_lines
    from supervision.models import Bulletin, BulletinLine

    _require_bureau(acting_user)
    if period_end < period_start:
        raise ValidationError("通报期间的结束日期不能早于开始日期。")
    if not allow_overlap:
        clash = list(Bulletin.objects.overlapping(period_start, period_end))
        if clash:
            raise OverlappingBulletin(clash)
    # The year once, unless the period crosses into the next.
    end = cn_month_day(period_end) if period_end.year == period_start.year else cn_date(period_end)
    bulletin = Bulletin.objects.create(
        title=title or f"关于{cn_date(period_start)}至{end}高品质城市建设重点工作推进情况的通报",
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
                     line_texts=None, remove_lines=(), commendations=None,
                     rectification_deadline=None):
    """Save what the clerk changed in a draft (None: unchanged): title, 导语, 通报表扬,
    工作要求, the lines' texts, lines removed, and the 整改反馈期限 the document states."""
    from supervision.models import BulletinLine

    _require_bureau(acting_user)
    _require_draft(bulletin)
    for field, value in (("title", title), ("intro", intro), ("requirements", requirements),
                         ("commendations", commendations)):
        if value is not None:
            setattr(bulletin, field, value.strip())
    if rectification_deadline is not None:
        _check_deadline(rectification_deadline)
        bulletin.rectification_deadline = rectification_deadline
    bulletin.full_clean()
    bulletin.save()
    BulletinLine.objects.filter(bulletin=bulletin, pk__in=list(remove_lines)).remove_from_draft()
    for pk, text in (line_texts or {}).items():
        # Through the tracked queryset: each changed text is recorded in the line's history.
        BulletinLine.objects.filter(bulletin=bulletin, pk=pk).update(text=text.strip())
    return bulletin


def _next_number(year: int) -> int:
    """The year's next 发文顺序号, taken under a lock on the year's counter row.

    The lock is held until the issuing transaction ends, so a second clerk issuing at the
    same moment waits (while the first renders the files) and then takes the next number.
    A counter that does not exist yet is created from the bulletins already numbered; two
    first issues of a year race on its unique year, and get_or_create's retry reads the
    winner's row, again under the lock.
    """
    from django.db.models import Max

    from supervision.models.bulletins import Bulletin, BulletinCounter

    counter, _ = BulletinCounter.objects.select_for_update().get_or_create(
        year=year, defaults={"last_number": Bulletin.objects.filter(year=year).aggregate(
            m=Max("number"))["m"] or 0})
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def next_number(year: int) -> int:
    """The 顺序号 the next bulletin of `year` would take, read without a lock: what the
    confirmation shows; issuing takes the number under the lock and refuses if another
    bulletin took this one meanwhile (do_issue_bulletin's expected_number)."""
    from django.db.models import Max

    from supervision.models.bulletins import Bulletin, BulletinCounter

    last = BulletinCounter.objects.filter(year=year).values_list("last_number", flat=True).first()
    if last is None:
        last = Bulletin.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0
    return last + 1


def _check_deadline(deadline):
    if deadline <= timezone.localdate():
        raise ValidationError({"rectification_deadline": "整改反馈期限应晚于今天。"})


def doc_number(year: int, number: int) -> str:
    """发文字号 (GB/T 9704 7.2.3): 机关代字〔年份〕顺序号号 — no 第, no leading zeros."""
    return f"{settings.BULLETIN_CODE}〔{year}〕{number}号"


@transaction.atomic
def do_issue_bulletin(bulletin, *, acting_user, rectification_deadline=None,
                      expected_number: str | None = None, expected_digest=None):
    """签发: number it (示督通〔年〕N号), freeze the .docx and PDF, ask each named unit to rectify.

    What is issued is the draft as stored, read again under a lock (never the caller's
    copy, which may predate the clerk's last edits): a double click issues once, and the
    second finds it issued. The confirmation page passes the 发文字号 it showed (a new
    year makes a different one too) and the digest of the draft it previewed; if either no
    longer holds, nothing is issued and the clerk confirms again. The deadline is the
    draft's own unless one is given here.

    The requests are written first, while the bulletin is still a draft: once its status
    is 已印发 nothing under it can be written (models/base.py, the PostgreSQL triggers).
    """
    from django.core.files.base import ContentFile

    from supervision.bulletins import cc_text, recipients, render_docx, render_pdf
    from supervision.models import Bulletin, Rectification

    _require_bureau(acting_user)
    stored = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    _require_draft(stored)
    if expected_digest is not None and expected_digest != stored.draft_digest():
        raise ValidationError("草稿在预览后已被修改，请重新预览并确认。")
    if not stored.lines.exists():
        raise ValidationError("通报没有任何内容，不能印发。")
    if rectification_deadline is not None:
        stored.rectification_deadline = rectification_deadline
    if stored.rectification_deadline is None:
        raise ValidationError({"rectification_deadline": "请填写整改反馈期限。"})
    _check_deadline(stored.rectification_deadline)
    now = timezone.now()
    year = timezone.localdate(now).year  # the local year: 1 January 01:30 is the new year
    units = sorted({line.unit_id for line in stored.lines.all()})
    number = _next_number(year)
    if expected_number is not None and doc_number(year, number) != expected_number:
        raise ValidationError(f"{expected_number}已被其他通报使用，"
                              f"本通报将编为{doc_number(year, number)}，请重新确认。")
    Rectification.objects.bulk_create([Rectification(bulletin=stored, unit_id=u)
                                       for u in units])
    stored.year, stored.number = year, number
    stored.doc_number = doc_number(year, stored.number)
    stored.issuer = settings.BULLETIN_ISSUER
    stored.recipients = recipients(stored)
    stored.cc = cc_text(settings.BULLETIN_CC)
    stored.printer = settings.BULLETIN_PRINTER or stored.issuer
    stored.status, stored.issued_at, stored.issued_by = BulletinStatus.ISSUED, now, acting_user
    docx, pdf = render_docx(stored), render_pdf(stored)
    stored.sha256 = hashlib.sha256(docx + pdf).hexdigest()
    name = f"bulletin-{year}-{stored.number:03d}"
    stored.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    stored.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    stored.save()  # the draft → issued save, the last write the bulletin takes
    notices.bulletin_issued(stored)
    if bulletin is not stored:  # the caller's copy now says what was issued
        bulletin.refresh_from_db()
    return stored


@transaction.atomic
def do_correct_bulletin(bulletin, *, acting_user):
    """A correction is a new document: a draft that copies the issued bulletin and refers
    to it (`corrects`); the issued one stays as it was. One open correction at a time."""
    from supervision.models import Bulletin, BulletinLine

    _require_bureau(acting_user)
    if not bulletin.is_issued:
        raise ValidationError("草稿可直接修改，无需更正。")
    open_draft = Bulletin.objects.active().filter(corrects=bulletin,
                                                  status=BulletinStatus.DRAFT).first()
    if open_draft is not None:
        return open_draft
    draft = Bulletin.objects.create(
        title=bulletin.title, period_start=bulletin.period_start,
        period_end=bulletin.period_end, intro=bulletin.intro,
        requirements=bulletin.requirements, corrects=bulletin)
    BulletinLine.objects.bulk_create([
        BulletinLine(bulletin=draft, section=line.section, unit_id=line.unit_id, text=line.text,
                     facts=line.facts, order=line.order) for line in bulletin.lines.all()])
    return draft


def _require_in_force(rectification):
    """The requests of a corrected bulletin are void (原通报同时废止): its correction asks
    the named units again, and the answers are filed and reviewed there."""
    if rectification.bulletin.superseded_by:
        raise ValidationError("原通报已被更正并废止，请按更正通报报送和审核整改情况。")


@transaction.atomic
def do_submit_rectification(rectification, *, text, acting_user):
    """The unit files a response (a new row; a returned one stays as it was)."""
    from supervision.models.bulletins import Rectification, RectificationResponse

    if acting_user is not None and (not has_cap(acting_user, Cap.SUBMIT_REPORTS)
                                    or rectification.unit_id not in user_unit_ids(acting_user)):
        raise PermissionDenied("只有被通报单位可以报送整改情况。")
    # Lock the request (a read lock only: the request itself is never written), so two
    # submissions at once cannot both find it open.
    rectification = (Rectification.objects.select_for_update().with_responses()
                     .select_related("bulletin").get(pk=rectification.pk))
    _require_in_force(rectification)
    if not rectification.may_respond:
        raise ValidationError("整改情况已报送。")
    if not text.strip():
        raise ValidationError({"text": "请填写整改情况。"})
    response = RectificationResponse.objects.create(
        rectification=rectification, text=text.strip(), submitted_at=timezone.now(),
        submitted_by=acting_user)
    return response


@transaction.atomic
def do_review_rectification(rectification, *, accept: bool, note="", acting_user):
    """The bureau accepts or returns the latest response (the request is not touched)."""
    from supervision.models.bulletins import Rectification

    _require_bureau(acting_user)
    rectification = (Rectification.objects.select_for_update().with_responses()
                     .select_related("bulletin").get(pk=rectification.pk))
    _require_in_force(rectification)
    response = rectification.latest
    if response is None:
        raise ValidationError("只有已报送的整改情况可以审核。")
    response.review_note = RECTIFICATION_REVIEW.decide(
        response, accept=accept, reason=note, acting_user=acting_user,
        filed_by_id=response.submitted_by_id)
    response.reviewed_at, response.reviewed_by = timezone.now(), acting_user
    response.save()
    return response


