"""State changes: The accountability ladder."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.workflow import Review
from supervision.actions.bulletins import _require_bureau
from supervision.choices import (
    EscalationLevel,
    EscalationStatus,
)

# Four eyes on the ladder: whoever proposes a step by hand does not decide it.
STEP_DECISION = Review(what="措施建议", filed_word="待决定",
                       reviewable=(EscalationStatus.PROPOSED,),
                       accepted=EscalationStatus.CONFIRMED, returned=EscalationStatus.DISMISSED,
                       reason_field="note", accept_verb="采纳", return_verb="不予采纳")


def proposer_id(step) -> int | None:
    """Who proposed the step: nobody for a rule's proposal (whoever ran the rules did not
    choose its content), the creator for a step proposed by hand."""
    return None if step.rule_id else step.created_by_id


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
    if level not in EscalationLevel.values:
        raise ValidationError({"level": "请选择问责升级措施。"})
    if not reason.strip():
        raise ValidationError({"reason": "请说明理由。"})
    if EscalationStep.objects.active().filter(unit=unit, level=level,
                                              status=EscalationStatus.PROPOSED).exists():
        raise ValidationError(f"{unit}已有一项待决定的“{EscalationLevel(level).label}”建议，"
                              "请先决定该建议。")
    # Recorded as the proposer, whatever the request context says: four eyes reads it.
    return EscalationStep.objects.create(unit=unit, level=level, reason=reason.strip(),
                                         created_by=acting_user)


@transaction.atomic
def do_decide_step(step, *, confirm: bool, note: str, acting_user):
    """A person decides every step, and says why (recorded with the step); not the person
    who proposed it by hand."""
    _require_bureau(acting_user)
    if step.status != EscalationStatus.PROPOSED:
        raise ValidationError("该措施已决定。")
    if not note.strip():
        raise ValidationError({"note": "请填写决定理由。"})
    STEP_DECISION.decide(step, accept=confirm, reason=note, acting_user=acting_user,
                         filed_by_id=proposer_id(step))
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
