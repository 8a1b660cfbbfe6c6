"""Who is told what when a unit claims a procedure done and the office decides, via notify.

Called from projects.actions inside the action's transaction, so a change rolled back
tells nobody; each passes the claim it is about, so a retried action tells nobody twice.
"""

from core.dates import cn_date
from notify.service import notify
from org.roles import CAPABILITIES, Cap
from projects.choices import ProcedureClaimStatus

PROCEDURE_CLAIMED = "projects.procedure_claimed"
PROCEDURE_DECIDED = "projects.procedure_decided"

# The office confirms claims: the roles that manage projects (org/roles.py's table).
OFFICE_ROLES = [role for role, caps in CAPABILITIES.items() if Cap.MANAGE_PROJECTS in caps]


def _office_people(exclude_id=None):
    from org.models import User

    return User.objects.filter(role__in=OFFICE_ROLES, is_active=True).exclude(pk=exclude_id)


def procedure_claimed(claim) -> int:
    """The office, when a unit claims a procedure done (the claimer, if office, is not told)."""
    procedure = claim.procedure
    project = procedure.project
    return notify(
        _office_people(claim.claimed_by_id), event=PROCEDURE_CLAIMED, obj=claim,
        subject=f"手续办结待确认：{project.name} {procedure.get_kind_display()}",
        text=(f"{project.lead_unit.name}申报“{project.name}”的{procedure.get_kind_display()}已于"
              f"{cn_date(claim.done_on)}办结（文号：{claim.document_no}），请核对批复文件后确认。"),
        link=project.get_absolute_url())


def procedure_decided(claim) -> int:
    """The one who filed the claim, told whether it was confirmed or sent back and why."""
    procedure = claim.procedure
    project = procedure.project
    confirmed = claim.status == ProcedureClaimStatus.CONFIRMED
    word = "已确认" if confirmed else "被退回"
    reason = f"\n意见：{claim.decision_note}" if claim.decision_note else ""
    return notify(
        [claim.claimed_by], event=PROCEDURE_DECIDED, obj=claim,
        subject=f"手续办结申报{word}：{project.name} {procedure.get_kind_display()}",
        text=(f"“{project.name}”的{procedure.get_kind_display()}办结申报{word}。"
              f"{'该手续已计为办结。' if confirmed else '请核对后重新申报。'}{reason}"),
        link=project.get_absolute_url())
