"""Every state change of a case: one `do_*` function each (pages, API and commands call these).

Each step asks cases.workflow whether the event is allowed in the case's state, asks
cases.permissions whether the user may take it, changes the case and writes one CaseEvent
(who, when, where, why, photos). Deadlines come from cases.workclock on the type version the
case was opened under.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import permissions, workflow
from cases.choices import (
    CaseSource,
    CaseState,
    EventType,
    ExtensionStatus,
    PauseKind,
    PhotoStage,
    Urgency,
)
from cases.models import (
    Case,
    CaseEvent,
    CasePause,
    CasePhoto,
    CaseTypeVersion,
    ExtensionRequest,
    Grid,
)
from cases.routing import propose_for_case
from core.dates import local_datetime
from org.choices import Role

SOURCE_OF_ROLE = {Role.INSPECTOR: CaseSource.INSPECTOR, Role.ROAD_CHIEF: CaseSource.ROAD_CHIEF}


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"请填写{what}。")
    return reason


def _store_photo(case, event, uploaded, stage) -> CasePhoto:
    """Checked by content before anything is stored (as projects' attachments are)."""
    from core.uploads import inspect_upload, store_checked

    info = inspect_upload(uploaded, allow=("photo",))
    return store_checked(CasePhoto(case=case, event=event, stage=stage), uploaded, info)


def _step(case, event: str, *, actor, note="", unit=None, lon=None, lat=None, photos=(),
          photo_stage=PhotoStage.BEFORE, at=None) -> CaseEvent:
    """Move the case by `event` (the table decides the state) and record the step."""
    before = case.state
    case.state = workflow.allowed(before, event)
    if case.pk is not None:
        case.save()
    row = CaseEvent.objects.create(case=case, kind=event, from_state=before, to_state=case.state,
                                   actor=actor, unit=unit, at=at or timezone.now(), note=note,
                                   lon=lon, lat=lat)
    for uploaded in photos:
        _store_photo(case, row, uploaded, photo_stage)
    return row


def _locked(case) -> Case:
    """The caller's case, locked and re-read: two desks cannot both dispatch it, and the
    caller's instance shows the step's result."""
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
    case.refresh_from_db()
    return case


def _pauses(case) -> list:
    return [p.as_pause() for p in case.pauses.active().order_by("start")]


def compute_deadline(case):
    """The deadline on the case's own clock: from its dispatch, the type version's limit for
    its urgency, minus nothing while paused (None while a 挂账 holds)."""
    from cases import workclock

    if case.dispatched_at is None:
        return None
    amount, unit = case.type_version.limit_for(case.urgency)
    return workclock.deadline(case.dispatched_at, amount, unit, workclock.default_calendar(),
                              _pauses(case))


# --- intake ----------------------------------------------------------------------------


@transaction.atomic
def do_report_case(*, acting_user, type_version: CaseTypeVersion, description: str, lon: float,
                   lat: float, idempotency_key: str = "", source: str = "", urgency: str = "",
                   address: str = "", grid=None, segment=None, component=None,
                   photos=()) -> Case:
    """上报. The same reporter with the same client key gets the case the first call made
    (a phone retrying after losing signal), never a second one."""
    permissions.require(permissions.may_report(acting_user), "您没有上报案件的权限。")
    key = (idempotency_key or "").strip()[:64]
    if key:
        existing = Case.objects.filter(reporter=acting_user, idempotency_key=key).first()
        if existing is not None:
            return existing
    if not (description or "").strip():
        raise ValidationError("请填写问题描述。")
    if not type_version.case_type.active or type_version.case_type.is_archived:
        raise ValidationError("该案件类型已停用，请重新选择。")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError("位置坐标无效。")
    if grid is None:  # the phone sends a point; the grid (and so the locality) follows
        grid = Grid.objects.containing(lon, lat)
    source = source or SOURCE_OF_ROLE.get(acting_user.role, CaseSource.HOTLINE)
    case = Case(type_version=type_version, description=description.strip(), lon=lon, lat=lat,
                address=address, grid=grid, segment=segment, component=component,
                reporter=acting_user, idempotency_key=key, source=source,
                urgency=urgency or Urgency.NORMAL,
                state=workflow.INITIAL_STATE)
    try:
        with transaction.atomic():  # a savepoint: a concurrent retry loses the race cleanly
            case.save()
    except IntegrityError:
        if key:
            return Case.objects.get(reporter=acting_user, idempotency_key=key)
        raise
    case.number = f"{local_datetime(case.reported_at):%Y%m%d}{case.pk:07d}"
    case.save()
    row = CaseEvent.objects.create(case=case, kind=EventType.REPORT, to_state=case.state,
                                   actor=acting_user, at=case.reported_at, lon=lon, lat=lat)
    for uploaded in photos:
        _store_photo(case, row, uploaded, PhotoStage.BEFORE)
    return case


@transaction.atomic
def do_accept(case, *, acting_user, note="") -> Case:
    permissions.require_desk(acting_user)
    case = _locked(case)
    _step(case, EventType.ACCEPT, actor=acting_user, note=note)
    return case


@transaction.atomic
def do_register(case, *, acting_user, note="") -> Case:
    """立案 against the type's 立案标准."""
    permissions.require_desk(acting_user)
    case = _locked(case)
    case.registered_at = timezone.now()
    _step(case, EventType.REGISTER, actor=acting_user, note=note)
    return case


@transaction.atomic
def do_reject(case, *, acting_user, reason: str) -> Case:
    """不予立案, with the reason the reporter will read."""
    permissions.require_desk(acting_user)
    reason = _reason(reason, "不予立案理由")
    case = _locked(case)
    _step(case, EventType.REJECT, actor=acting_user, note=reason)
    return case


# --- dispatch --------------------------------------------------------------------------


def _send_to(case, unit, event, *, acting_user, note):
    if unit is None or unit.is_archived:
        raise ValidationError("请选择处置单位。")
    workflow.allowed(case.state, event)  # refuse before computing anything
    case.handling_unit = unit
    case.dispatched_at = timezone.now()
    case.deadline_at = compute_deadline(case)  # one save: the step stores it
    return _step(case, event, actor=acting_user, unit=unit, note=note)


@transaction.atomic
def do_dispatch(case, *, acting_user, unit=None, note="") -> Case:
    """派遣 to `unit`, or to the routing proposal when the desk leaves it empty."""
    from org.models import Unit

    permissions.require_desk(acting_user)
    case = _locked(case)
    if unit is None:
        proposal = propose_for_case(case)
        unit = Unit.objects.filter(pk=proposal.unit_id).first() if proposal.unit_id else None
        note = note or proposal.rule
    _send_to(case, unit, EventType.DISPATCH, acting_user=acting_user, note=note)
    return case


@transaction.atomic
def do_reassign(case, *, acting_user, unit, note="") -> Case:
    """改派 to another unit; the new unit's clock starts at the new dispatch."""
    permissions.require_desk(acting_user)
    case = _locked(case)
    if unit is not None and unit.pk == case.handling_unit_id and case.state != CaseState.REGISTERED:
        raise ValidationError("改派的单位与当前处置单位相同。")
    _send_to(case, unit, EventType.REASSIGN, acting_user=acting_user, note=note)
    return case


@transaction.atomic
def do_return_to_desk(case, *, acting_user, reason: str, lon=None, lat=None) -> Case:
    """回退: the unit says the case is not its own; the desk redispatches (改派)."""
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    reason = _reason(reason, "回退理由")
    unit = case.handling_unit
    case.handling_unit = None
    case.deadline_at = None
    _step(case, EventType.RETURN, actor=acting_user, unit=unit, note=reason, lon=lon, lat=lat)
    return case


# --- the unit's work -------------------------------------------------------------------


@transaction.atomic
def do_start(case, *, acting_user) -> Case:
    """签收: the unit has taken the case up."""
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    _step(case, EventType.START, actor=acting_user, unit=case.handling_unit)
    return case


@transaction.atomic
def do_handle(case, *, acting_user, photos, note="", lon=None, lat=None) -> Case:
    """处置, with at least one photo after the work."""
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    if not photos:
        raise ValidationError("处置须上传处置后照片。")
    case.handled_at = timezone.now()
    _step(case, EventType.HANDLE, actor=acting_user, unit=case.handling_unit, note=note,
          lon=lon, lat=lat, photos=photos, photo_stage=PhotoStage.AFTER)
    return case


@transaction.atomic
def do_send_check(case, *, acting_user, inspector=None) -> Case:
    """派发核查 to an inspector (by default the one who reported it)."""
    permissions.require_desk(acting_user)
    case = _locked(case)
    if inspector is None and case.reporter.role == Role.INSPECTOR:
        inspector = case.reporter
    if inspector is None or inspector.role != Role.INSPECTOR or not inspector.is_active:
        raise ValidationError("请选择核查的监督员。")
    case.checker = inspector
    _step(case, EventType.SEND_CHECK, actor=acting_user, note=f"核查人：{inspector}")
    return case


@transaction.atomic
def do_check(case, *, acting_user, passed: bool, photos=(), note="", lon=None,
             lat=None) -> Case:
    """核查 on site, with a photo: passed → the desk may close; failed → 返工 to the unit."""
    case = _locked(case)
    permissions.require_checker(acting_user, case)
    if not photos:
        raise ValidationError("核查须上传现场照片。")
    if not passed:
        note = _reason(note, "核查不通过的原因")
    event = EventType.CHECK_PASS if passed else EventType.CHECK_FAIL
    _step(case, event, actor=acting_user, note=note, lon=lon, lat=lat, photos=photos,
          photo_stage=PhotoStage.CHECK, unit=case.handling_unit)
    return case


@transaction.atomic
def do_close(case, *, acting_user, note="") -> Case:
    """结案 against the 结案标准; the table allows it only after a passed 核查."""
    permissions.require_desk(acting_user)
    case = _locked(case)
    case.closed_at = timezone.now()
    _step(case, EventType.CLOSE, actor=acting_user, note=note)
    return case


# --- the clock: 延期 and 挂账 -------------------------------------------------------------


@transaction.atomic
def do_request_extension(case, *, acting_user, amount: int, unit: str,
                         reason: str) -> ExtensionRequest:
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    reason = _reason(reason, "延期理由")
    if amount is None or amount <= 0:
        raise ValidationError("延长时限应大于0。")
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError("已有待审批的延期申请。")
    request = ExtensionRequest(case=case, requested_by=acting_user, reason=reason,
                               amount=amount, unit=unit)
    request.full_clean(exclude=["case", "requested_by"])
    request.save()
    _step(case, EventType.EXTENSION_REQUEST, actor=acting_user, unit=case.handling_unit,
          note=reason)
    return request


@transaction.atomic
def do_decide_extension(request: ExtensionRequest, *, acting_user, approve: bool,
                        note="") -> ExtensionRequest:
    """Approved: the clock stands still from now for the granted time (a CasePause), so the
    deadline moves by exactly that much working time."""
    from cases import workclock

    permissions.require_desk(acting_user)
    case = _locked(request.case)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError("该延期申请已审批。")
    if not approve:
        note = _reason(note, "不予延期的理由")
    now = timezone.now()
    event = EventType.EXTENSION_APPROVE if approve else EventType.EXTENSION_DENY
    _step(case, event, actor=acting_user, unit=case.handling_unit, note=note, at=now)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by, request.decided_at, request.decision_note = acting_user, now, note
    request.save()
    if approve:
        end = workclock.deadline(now, request.amount, request.unit,
                                 workclock.default_calendar())
        CasePause.objects.create(case=case, kind=PauseKind.EXTENSION, start=now, end=end,
                                 extension=request)
        case.deadline_at = compute_deadline(case)
        case.save()
    return request


@transaction.atomic
def do_hang(case, *, acting_user, reason: str) -> Case:
    """挂账: a long-term problem; the clock stops until resumed."""
    permissions.require_desk(acting_user)
    reason = _reason(reason, "挂账理由")
    case = _locked(case)
    now = timezone.now()
    case.deadline_at = None  # no deadline while the clock stands still
    _step(case, EventType.HANG, actor=acting_user, unit=case.handling_unit, note=reason, at=now)
    CasePause.objects.create(case=case, kind=PauseKind.HANG, start=now)
    return case


@transaction.atomic
def do_unhang(case, *, acting_user, note="") -> Case:
    permissions.require_desk(acting_user)
    case = _locked(case)
    workflow.allowed(case.state, EventType.UNHANG)  # refuse before closing the pause
    now = timezone.now()
    case.pauses.filter(kind=PauseKind.HANG, end__isnull=True).update(end=now)
    case.deadline_at = compute_deadline(case)
    _step(case, EventType.UNHANG, actor=acting_user, unit=case.handling_unit, note=note, at=now)
    return case


# --- the office ------------------------------------------------------------------------


@transaction.atomic
def do_supervise(case, *, acting_user, note: str) -> CaseEvent:
    """督办: no change of state; the handling unit's staff are told."""
    from notify.service import notify
    from org.models import User

    permissions.require_desk(acting_user)
    note = _reason(note, "督办意见")
    case = _locked(case)
    row = _step(case, EventType.SUPERVISE, actor=acting_user, unit=case.handling_unit,
                note=note)
    if case.handling_unit_id:
        staff = User.objects.filter(unit_id=case.handling_unit_id, is_active=True,
                                    role__in=permissions.UNIT_STAFF_ROLES)
        notify(staff, event="case_supervised", subject=f"案件{case.number}被督办",
               text=f"指挥中心督办案件{case.number}：{note}", obj=case, occasion=str(row.pk))
    return row


@transaction.atomic
def do_void(case, *, acting_user, reason: str) -> Case:
    """作废 a case entered by mistake; never after 结案."""
    permissions.require_desk(acting_user)
    reason = _reason(reason, "作废理由")
    case = _locked(case)
    _step(case, EventType.VOID, actor=acting_user, note=reason)
    return case


@transaction.atomic
def do_new_type_version(case_type, *, acting_user, **fields) -> CaseTypeVersion:
    """The office edits a type's standards or limits: a new version; open cases keep theirs."""
    permissions.require_desk(acting_user)
    current = case_type.current_version()
    data = {}
    if current is not None:
        data = {f.name: getattr(current, f.name) for f in CaseTypeVersion._meta.concrete_fields
                if f.editable and f.name not in ("id", "case_type", "number")}
    data.update(fields)
    version = CaseTypeVersion(case_type=case_type, number=(current.number + 1) if current else 1,
                              **data)
    version.full_clean()
    version.save()
    return version
