"""State changes: 督查通报 and rectification."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from org.models import user_unit_ids
from org.roles import Cap, has_cap
from supervision import notices
from supervision.choices import (
    BulletinStatus,
    RectificationStatus,
)


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
    notices.bulletin_issued(bulletin)
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
