"""What the desk, unit and case pages share: the step buttons (which step, who may take it,
its form, the do_* it calls), the clocks of a page of cases, state colours, redirects."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.http import url_has_allowed_host_and_scheme

from cases import actions, permissions, workflow
from cases.choices import CaseState, EventType
from cases.clock import clock_for, clocks_for  # noqa: F401  (pages import them from here)
from cases.forms import (
    CheckForm,
    ConfirmForm,
    DuplicateForm,
    ExtensionForm,
    HandleForm,
    NoteForm,
    ReasonForm,
    ReturnForm,
    SendCheckForm,
    SuperviseForm,
    UnitChoiceForm,
)
from core.forms import ScopedChoicesMixin

S = CaseState
RETURNED = S.RETURNED
MERGE = EventType.MERGE
REFUSE_RETURN = EventType.REFUSE_RETURN

# One colour per state on the map and in the badges (the map's legend reads these).
STATE_COLOURS = {
    S.REPORTED: "#7c3aed", S.ACCEPTED: "#6366f1", S.REGISTERED: "#0ea5e9",
    S.DISPATCHED: "#2563eb", S.HANDLING: "#0891b2", S.REWORK: "#dc2626",
    S.HANDLED: "#16a34a", S.CHECKING: "#65a30d", S.CHECKED: "#15803d",
    S.RETURNED: "#ea580c", S.HUNG: "#6b7280", S.CLOSED: "#9ca3af", S.REJECTED: "#9ca3af",
    S.VOID: "#9ca3af",
}

OPEN_STATES = [s for s in S.values if s not in workflow.FINAL_STATES]
AT_UNIT = [S.DISPATCHED, S.HANDLING, S.REWORK]


# --- clocks --------------------------------------------------------------------------------


def attach_clocks(cases, now=None) -> list:
    """The cases with `.clock` set (templates read it through cases/case/_clock.html)."""
    cases = list(cases)
    clocks = clocks_for(cases, now=now)
    for case in cases:
        case.clock = clocks.get(case.pk)
    return cases


# --- steps ---------------------------------------------------------------------------------


def _desk(user, case):
    return permissions.is_desk(user)


def _unit(user, case):
    return permissions.is_handling_unit(user, case)


def _checker(user, case):
    return permissions.is_checker(user, case)


def _event_ok(event):
    return lambda state: workflow.is_allowed(state, event)




@dataclass(frozen=True)
class Step:
    key: str
    label: str
    who: Callable  # (user, case) -> bool
    when: Callable  # (state) -> bool
    form: type
    run: Callable  # (case, user, cleaned_data) -> the message the page shows
    danger: bool = False
    multipart: bool = False
    hint: str = ""


def _dispatch(case, user, d):
    actions.do_dispatch(case, acting_user=user, unit=d.get("unit"), note=d.get("note") or "")
    case.refresh_from_db()
    return f"已派遣至{case.handling_unit.name}。" if case.handling_unit_id else "已派遣。"


def _duplicate(case, user, d):
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from cases.models import Case
    from core.scope import get_for_user

    try:
        other = get_for_user(Case, user, d["of"])
    except Http404:  # a step answers with a message, never an error page
        raise ValidationError("要并入的案件不存在或无权查看。") from None
    if other.pk == case.pk:
        raise ValidationError("不能并入案件本身。")
    actions.do_mark_duplicate(case, acting_user=user, of=other, note=d.get("note") or "")
    return f"已并入案件{other}。"


def _check(case, user, d):
    actions.do_check(case, acting_user=user, passed=d["passed"], photos=d["photos"],
                     note=d.get("note") or "", lon=d.get("lon"), lat=d.get("lat"))
    return "核查通过。" if d["passed"] else "核查不通过，已返工。"


def _with_note(action, message):
    def run(case, user, d):
        action(case, acting_user=user, note=d.get("note") or "")
        return message
    return run


def _with_reason(action, message):
    def run(case, user, d):
        action(case, acting_user=user, reason=d["reason"])
        return message
    return run


def _start(case, user, d):
    actions.do_start(case, acting_user=user)
    return "已签收。"


def _handle(case, user, d):
    actions.do_handle(case, acting_user=user, photos=d["photos"], note=d.get("note") or "",
                      lon=d.get("lon"), lat=d.get("lat"))
    return "已提交处置结果，等待核查。"


def _return(case, user, d):
    actions.do_return_to_desk(case, acting_user=user, reason=d["reason"], lon=d.get("lon"),
                              lat=d.get("lat"))
    return "已回退指挥中心。"


def _reassign(case, user, d):
    actions.do_reassign(case, acting_user=user, unit=d.get("unit"), note=d.get("note") or "")
    return f"已改派至{d['unit'].name}。"


def _extension(case, user, d):
    actions.do_request_extension(case, acting_user=user, amount=d["amount"], unit=d["unit"],
                                 reason=d["reason"])
    return "延期申请已提交，等待指挥中心审批。"


def _send_check(case, user, d):
    actions.do_send_check(case, acting_user=user, inspector=d.get("inspector"))
    return "已派发核查。"


def _supervise(case, user, d):
    actions.do_supervise(case, acting_user=user, note=d["note"])
    if case.handling_unit_id:
        return "已督办，处置单位已收到通知。"
    return "已督办（案件尚未派遣，督办意见记入案件环节）。"


def _refuse_return(case, user, d):
    actions.do_refuse_return(case, acting_user=user, reason=d["reason"])
    return "已不同意回退，案件退回原处置单位继续办理。"


E = EventType
STEPS: list[Step] = [
    Step("accept", "受理", _desk, _event_ok(E.ACCEPT), NoteForm,
         _with_note(actions.do_accept, "已受理。")),
    Step("register", "立案", _desk, _event_ok(E.REGISTER), NoteForm,
         _with_note(actions.do_register, "已立案。"), hint="对照立案标准确认后立案"),
    Step("reject", "不予立案", _desk, _event_ok(E.REJECT), ReasonForm,
         _with_reason(actions.do_reject, "已不予立案。"), danger=True),
    Step("duplicate", "并案", _desk, _event_ok(MERGE), DuplicateForm, _duplicate,
         hint="与附近同类在办案件重复时并入该案件"),
    Step("dispatch", "派遣", _desk, _event_ok(E.DISPATCH), UnitChoiceForm, _dispatch,
         hint="不选单位则按派遣建议派遣"),
    Step("reassign", "改派", _desk, _event_ok(E.REASSIGN), UnitChoiceForm, _reassign),
    Step("refuse_return", "不同意回退", _desk, _event_ok(REFUSE_RETURN), ReasonForm,
         _refuse_return, hint="退回原处置单位继续办理，计时不变"),
    Step("start", "签收", _unit, _event_ok(E.START), ConfirmForm, _start),
    Step("handle", "处置", _unit, _event_ok(E.HANDLE), HandleForm, _handle, multipart=True,
         hint="上传处置后照片"),
    Step("return", "回退", _unit, _event_ok(E.RETURN), ReturnForm, _return, danger=True,
         hint="非本单位职责时回退指挥中心"),
    Step("extension", "申请延期", _unit, _event_ok(E.EXTENSION_REQUEST), ExtensionForm,
         _extension),
    Step("send_check", "派发核查", _desk, _event_ok(E.SEND_CHECK), SendCheckForm, _send_check),
    Step("check", "核查", _checker, _event_ok(E.CHECK_PASS), CheckForm, _check, multipart=True),
    Step("close", "结案", _desk, _event_ok(E.CLOSE), NoteForm,
         _with_note(actions.do_close, "已结案。"), hint="对照结案标准确认后结案"),
    Step("hang", "挂账", _desk, _event_ok(E.HANG), ReasonForm,
         _with_reason(actions.do_hang, "已挂账，暂停计时。"), hint="长期问题挂账，暂停计时"),
    Step("unhang", "恢复办理", _desk, _event_ok(E.UNHANG), NoteForm,
         _with_note(actions.do_unhang, "已恢复办理。")),
    Step("supervise", "督办", _desk, _event_ok(E.SUPERVISE), SuperviseForm, _supervise),
    Step("void", "作废", _desk, _event_ok(E.VOID), ReasonForm,
         _with_reason(actions.do_void, "已作废。"), danger=True),
]
STEP_BY_KEY = {step.key: step for step in STEPS}


def steps_for(user, case) -> list[Step]:
    """The steps this user may take on this case now (state table and permissions)."""
    return [step for step in STEPS if step.when(case.state) and step.who(user, case)]


def form_for(step: Step, user, *, data=None, files=None, prefix=None, initial=None):
    kwargs = {"data": data, "files": files, "prefix": prefix, "initial": initial}
    if step.form is UnitChoiceForm:
        return UnitChoiceForm(user=user, unit_required=step.key == "reassign", **kwargs)
    if issubclass(step.form, ScopedChoicesMixin):
        return step.form(user=user, **kwargs)
    return step.form(**kwargs)


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback
