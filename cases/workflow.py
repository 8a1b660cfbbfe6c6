"""The case workflow as data: which event may happen in which state, and where it leads.

Pure (no database): cases.actions asks `allowed()` before every step, so a path the table
does not hold cannot be taken by any page, API call or command. The invariant the issue
asks for is built into the table: 结案 is reached only from 核查通过, 核查通过 only by a
passed 核查 of a case 待核查, and a new 处置 always leads back to 已处置, so no case closes
without a passed 核查 after its last 处置.

Two steps lead back to where the case was: 不同意回退 returns a 回退待审 case to the state
the unit left it in (已派遣, 处置中 or 返工), as recorded by the 回退 event; `allowed()`
takes that `prior` state. Both targets stay short of 已处置, so the invariant holds.

The clock (cases.actions.compute_deadline): it starts at the (latest) 派遣/改派 and runs in
working time only. 回退待审 keeps it running (a refused 回退 must not have bought the unit
time); 返工 does not restart it (the rework is late when the original limit is used up);
挂账 stops it; 改派 starts a new one for the new unit.
"""

from django.core.exceptions import ValidationError

from cases.choices import CaseState as S
from cases.choices import EventType as E

INITIAL_STATE = S.REPORTED

# A case the unit is working on (dispatched, started, or sent back for rework).
_AT_UNIT = (S.DISPATCHED, S.HANDLING, S.REWORK)
# Not yet finished: the office may still 督办 it.
_OPEN = (S.REPORTED, S.ACCEPTED, S.REGISTERED, *_AT_UNIT, S.RETURNED, S.HANDLED, S.CHECKING,
         S.CHECKED, S.HUNG)

# {event: {from_state: to_state}}
TRANSITIONS: dict[str, dict[str, str]] = {
    E.ACCEPT: {S.REPORTED: S.ACCEPTED},
    E.VERIFY: {S.ACCEPTED: S.ACCEPTED},
    E.REGISTER: {S.ACCEPTED: S.REGISTERED},
    E.REJECT: {S.REPORTED: S.REJECTED, S.ACCEPTED: S.REJECTED},
    E.DISPATCH: {S.REGISTERED: S.DISPATCHED},
    # 改派: the desk sends a returned or wrongly dispatched case to another unit.
    E.REASSIGN: {state: S.DISPATCHED for state in (S.REGISTERED, S.RETURNED, *_AT_UNIT)},
    E.START: {S.DISPATCHED: S.HANDLING},
    E.HANDLE: {state: S.HANDLED for state in _AT_UNIT},
    # Also from 待核查: the desk sends the check to another inspector (one left, say).
    E.SEND_CHECK: {S.HANDLED: S.CHECKING, S.CHECKING: S.CHECKING},
    E.CHECK_PASS: {S.CHECKING: S.CHECKED},
    E.CHECK_FAIL: {S.CHECKING: S.REWORK},
    E.CLOSE: {S.CHECKED: S.CLOSED},
    # 回退: "not ours" — the desk reviews it: 改派, or 不同意回退 back to the unit.
    E.RETURN: {state: S.RETURNED for state in _AT_UNIT},
    # Nominal target; the real one is the state before the 回退 (PRIOR_TARGETS).
    E.REFUSE_RETURN: {S.RETURNED: S.HANDLING},
    E.EXTENSION_REQUEST: {state: state for state in _AT_UNIT},
    E.EXTENSION_APPROVE: {state: state for state in _AT_UNIT},
    E.EXTENSION_DENY: {state: state for state in _AT_UNIT},
    # 挂账: a long-term problem leaves the unit's queue; resumed, the unit carries on.
    E.HANG: {state: S.HUNG for state in _AT_UNIT},
    E.UNHANG: {S.HUNG: S.HANDLING},
    E.SUPERVISE: {state: state for state in _OPEN},
    # 作废 for mistakes, only before 结案 (a rejected report is already finished).
    E.VOID: {state: S.VOID for state in _OPEN},
    # A second reporter's sighting of an open case: no change of state.
    E.JOIN: {state: state for state in _OPEN},
    # 并案: a report the desk has not registered yet is a duplicate of an open case.
    E.MERGE: {S.REPORTED: S.VOID, S.ACCEPTED: S.VOID},
}

# Events whose target is the state the case was in before (given as `prior`).
PRIOR_TARGETS: dict[str, frozenset] = {E.REFUSE_RETURN: frozenset(_AT_UNIT)}

FINAL_STATES = frozenset({S.CLOSED, S.REJECTED, S.VOID})
OPEN_STATES = frozenset(_OPEN)
# States in which the unit's clock runs (a deadline applies).
CLOCK_STATES = frozenset({*_AT_UNIT, S.RETURNED})
# The unit has finished (已处置 … 核查通过): the clock is read at 处置 time.
HANDLED_STATES = frozenset({S.HANDLED, S.CHECKING, S.CHECKED})


class TransitionError(ValidationError):
    """The event is not allowed in the case's state (the message is for the user; pages
    show it as they show any ValidationError)."""


def allowed(state: str, event: str, prior: str | None = None) -> str:
    """The state `event` leads to from `state`, or TransitionError.

    For an event of PRIOR_TARGETS, `prior` (the state before the step being undone) is the
    target; it must be one the table allows."""
    try:
        targets = TRANSITIONS[event]
    except KeyError:
        raise TransitionError(f"未知的办理环节：{event}") from None
    if state not in targets:
        raise TransitionError(f"案件处于“{S(state).label}”，不能{E(event).label}。")
    if event in PRIOR_TARGETS and prior is not None:
        if prior not in PRIOR_TARGETS[event]:
            raise TransitionError(f"案件不能{E(event).label}到“{S(prior).label}”。")
        return prior
    return targets[state]


def is_allowed(state: str, event: str) -> bool:
    return state in TRANSITIONS.get(event, {})


def events_from(state: str) -> list[str]:
    """The events the table allows in `state` (for buttons)."""
    return [event for event, targets in TRANSITIONS.items() if state in targets]
