"""The transition table: no sequence of events closes a case without a passed 核查 after its
last 处置, and no event leads outside the table."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import workflow
from cases.choices import CaseState, EventType

EVENTS = list(EventType)
TABLE_EVENTS = [e for e in EVENTS if e != EventType.REPORT]  # 上报 creates the case


def test_every_event_but_report_is_in_the_table():
    assert set(workflow.TRANSITIONS) == set(TABLE_EVENTS)


def test_every_target_is_a_known_state():
    states = set(CaseState)
    for targets in workflow.TRANSITIONS.values():
        assert set(targets) <= states and set(targets.values()) <= states


def test_the_main_path():
    state = workflow.INITIAL_STATE
    for event in (EventType.ACCEPT, EventType.REGISTER, EventType.DISPATCH, EventType.START,
                  EventType.HANDLE, EventType.SEND_CHECK, EventType.CHECK_PASS, EventType.CLOSE):
        state = workflow.allowed(state, event)
    assert state == CaseState.CLOSED


@pytest.mark.parametrize("state", [CaseState.HANDLED, CaseState.CHECKING, CaseState.REWORK,
                                   CaseState.DISPATCHED, CaseState.REGISTERED])
def test_no_close_without_a_passed_check(state):
    with pytest.raises(workflow.TransitionError, match="不能结案"):
        workflow.allowed(state, EventType.CLOSE)


def test_failed_check_is_rework_and_rework_is_handled_again():
    assert workflow.allowed(CaseState.CHECKING, EventType.CHECK_FAIL) == CaseState.REWORK
    assert workflow.allowed(CaseState.REWORK, EventType.HANDLE) == CaseState.HANDLED


def test_return_waits_for_the_desk_and_reassign_redispatches():
    assert workflow.allowed(CaseState.HANDLING, EventType.RETURN) == CaseState.RETURNED
    for state in (CaseState.REGISTERED, CaseState.RETURNED, CaseState.DISPATCHED,
                  CaseState.HANDLING, CaseState.REWORK):
        assert workflow.allowed(state, EventType.REASSIGN) == CaseState.DISPATCHED
    for state in (CaseState.HANDLED, CaseState.CHECKING, CaseState.HUNG):
        assert not workflow.is_allowed(state, EventType.REASSIGN)


@pytest.mark.parametrize("prior", [CaseState.DISPATCHED, CaseState.HANDLING, CaseState.REWORK])
def test_refused_return_goes_back_to_the_prior_state(prior):
    assert workflow.allowed(CaseState.RETURNED, EventType.REFUSE_RETURN, prior=prior) == prior


@pytest.mark.parametrize("prior", [CaseState.HANDLED, CaseState.CHECKED, CaseState.CLOSED])
def test_refused_return_never_skips_the_work(prior):
    with pytest.raises(workflow.TransitionError):
        workflow.allowed(CaseState.RETURNED, EventType.REFUSE_RETURN, prior=prior)


def test_send_check_again_from_checking():
    assert workflow.allowed(CaseState.CHECKING, EventType.SEND_CHECK) == CaseState.CHECKING


def test_join_keeps_the_state_and_merge_voids_a_report():
    for state in workflow.OPEN_STATES:
        assert workflow.allowed(state, EventType.JOIN) == state
    assert workflow.allowed(CaseState.REPORTED, EventType.MERGE) == CaseState.VOID
    assert workflow.allowed(CaseState.ACCEPTED, EventType.MERGE) == CaseState.VOID
    assert not workflow.is_allowed(CaseState.REGISTERED, EventType.MERGE)


def test_supervise_and_extensions_change_no_state():
    for state in (CaseState.DISPATCHED, CaseState.HANDLING, CaseState.REWORK):
        for event in (EventType.SUPERVISE, EventType.EXTENSION_REQUEST,
                      EventType.EXTENSION_APPROVE, EventType.EXTENSION_DENY):
            assert workflow.allowed(state, event) == state


def test_hang_and_resume():
    assert workflow.allowed(CaseState.HANDLING, EventType.HANG) == CaseState.HUNG
    assert workflow.allowed(CaseState.HUNG, EventType.UNHANG) == CaseState.HANDLING
    with pytest.raises(workflow.TransitionError):
        workflow.allowed(CaseState.HUNG, EventType.HANDLE)


@pytest.mark.parametrize("state", sorted(workflow.FINAL_STATES))
def test_nothing_leaves_a_final_state(state):
    assert workflow.events_from(state) == []
    with pytest.raises(workflow.TransitionError):
        workflow.allowed(state, EventType.VOID)


def test_unknown_event_is_a_clear_error():
    with pytest.raises(workflow.TransitionError, match="未知"):
        workflow.allowed(CaseState.REPORTED, "teleport")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TABLE_EVENTS), st.sampled_from(list(CaseState))),
                max_size=60))
def test_no_sequence_closes_without_a_passed_check_after_the_last_handling(steps):
    # Each step also names a `prior` state, whatever it is: an event that goes back to a
    # prior state can only go to one the table allows.
    state = workflow.INITIAL_STATE
    handled = passed_since_handled = False
    for event, prior in steps:
        if not workflow.is_allowed(state, event):
            with pytest.raises(workflow.TransitionError):
                workflow.allowed(state, event)
            continue
        try:
            state = workflow.allowed(state, event, prior=prior)
        except workflow.TransitionError:
            assert event in workflow.PRIOR_TARGETS
            continue
        assert state in set(CaseState)
        if event == EventType.HANDLE:
            handled, passed_since_handled = True, False
        elif event == EventType.CHECK_PASS:
            passed_since_handled = True
        if state == CaseState.CLOSED:
            assert handled and passed_since_handled
            assert event == EventType.CLOSE
