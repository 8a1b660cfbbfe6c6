"""The case workflow as data: which event may happen in which state, and where it leads.

Pure (no database): cases.actions asks `allowed()` before every step, so a path the table
does not hold cannot be taken by any page, API call or command. The invariant the issue
asks for is built into the table: 结案 is reached only from 核查通过, 核查通过 only by a
passed 核查 of a case 待核查, and a new 处置 always leads back to 已处置, so no case closes
without a passed 核查 after its last 处置.
"""

from django.core.exceptions import ValidationError

from cases.choices import CaseState as S
from cases.choices import EventType as E

INITIAL_STATE = S.REPORTED

# A case the unit is working on (dispatched, started, or sent back for rework).
_AT_UNIT = (S.DISPATCHED, S.HANDLING, S.REWORK)
# Not yet finished: the office may still 督办 it.
_OPEN = (S.REPORTED, S.ACCEPTED, S.REGISTERED, *_AT_UNIT, S.HANDLED, S.CHECKING, S.CHECKED,
         S.HUNG)

# {event: {from_state: to_state}}
TRANSITIONS: dict[str, dict[str, str]] = {
    E.ACCEPT: {S.REPORTED: S.ACCEPTED},
    E.VERIFY: {S.ACCEPTED: S.ACCEPTED},
    E.REGISTER: {S.ACCEPTED: S.REGISTERED},
    E.REJECT: {S.REPORTED: S.REJECTED, S.ACCEPTED: S.REJECTED},
    E.DISPATCH: {S.REGISTERED: S.DISPATCHED},
    # 改派: the desk sends a returned or wrongly dispatched case to another unit.
    E.REASSIGN: {S.REGISTERED: S.DISPATCHED, S.DISPATCHED: S.DISPATCHED,
                 S.HANDLING: S.DISPATCHED},
    E.START: {S.DISPATCHED: S.HANDLING},
    E.HANDLE: {state: S.HANDLED for state in _AT_UNIT},
    E.SEND_CHECK: {S.HANDLED: S.CHECKING},
    E.CHECK_PASS: {S.CHECKING: S.CHECKED},
    E.CHECK_FAIL: {S.CHECKING: S.REWORK},
    E.CLOSE: {S.CHECKED: S.CLOSED},
    # 回退: "not ours" — back to the desk (立案, undispatched) for 改派.
    E.RETURN: {state: S.REGISTERED for state in _AT_UNIT},
    E.EXTENSION_REQUEST: {state: state for state in _AT_UNIT},
    E.EXTENSION_APPROVE: {state: state for state in _AT_UNIT},
    E.EXTENSION_DENY: {state: state for state in _AT_UNIT},
    # 挂账: a long-term problem leaves the unit's queue; resumed, the unit carries on.
    E.HANG: {state: S.HUNG for state in _AT_UNIT},
    E.UNHANG: {S.HUNG: S.HANDLING},
    E.SUPERVISE: {state: state for state in _OPEN},
    # 作废 for mistakes, only before 结案 (a rejected report is already finished).
    E.VOID: {state: S.VOID for state in _OPEN},
}

FINAL_STATES = frozenset({S.CLOSED, S.REJECTED, S.VOID})
# States in which the unit's clock runs (a deadline applies).
CLOCK_STATES = frozenset({*_AT_UNIT})


class TransitionError(ValidationError):
    """The event is not allowed in the case's state (the message is for the user; pages
    show it as they show any ValidationError)."""


def allowed(state: str, event: str) -> str:
    """The state `event` leads to from `state`, or TransitionError."""
    try:
        targets = TRANSITIONS[event]
    except KeyError:
        raise TransitionError(f"未知的办理环节：{event}") from None
    if state not in targets:
        raise TransitionError(f"案件处于“{S(state).label}”，不能{E(event).label}。")
    return targets[state]


def is_allowed(state: str, event: str) -> bool:
    return state in TRANSITIONS.get(event, {})


def events_from(state: str) -> list[str]:
    """The events the table allows in `state` (for buttons)."""
    return [event for event, targets in TRANSITIONS.items() if state in targets]
