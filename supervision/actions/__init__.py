"""State changes of dispatch and supervision, one module per part; every caller (pages, API,
commands, the demo) imports them from here."""

from supervision.actions.bulletins import (  # noqa: F401
    _require_bureau,
    _require_draft,
    do_correct_bulletin,
    do_draft_bulletin,
    do_edit_bulletin,
    do_issue_bulletin,
    do_review_rectification,
    do_submit_rectification,
)
from supervision.actions.escalation import (  # noqa: F401
    do_decide_step,
    do_propose_escalations,
    do_propose_step,
    do_record_interview,
    proposer_id,
)
from supervision.actions.items import (  # noqa: F401
    _event,
    _may_issue,
    _require_issuer,
    _require_unit,
    do_close,
    do_create_action_item,
    do_flag_overdue,
    do_respond,
    do_return,
)
from supervision.actions.meetings import (  # noqa: F401
    _require_office,
    do_calendar_token,
    do_cancel_meeting,
    do_edit_pack,
    do_generate_pack,
    do_generate_rhythm,
    do_issue_pack,
    do_move_meeting,
)
from supervision.actions.reminders import do_remind_rectifications  # noqa: F401
