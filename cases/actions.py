"""Every state change of a case: one `do_*` function each (pages, API and commands call these).

Each step asks cases.workflow whether the event is allowed in the case's state, asks
cases.permissions whether the user may take it, changes the case and writes one CaseEvent
(who, when, where, why, photos). Deadlines come from cases.workclock on the type version the
case was opened under.
"""

import math

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
KEY_MAX = 64  # Case.idempotency_key / CaseEvent.idempotency_key
# The events that start a unit's clock.
DISPATCH_EVENTS = (EventType.DISPATCH, EventType.REASSIGN)


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError(f"请填写{what}。")
    return reason


def _coordinate(value, low: float, high: float, *, required: bool) -> float | None:
    """A longitude or latitude from a float or a string; junk, NaN and out-of-range values
    are a ValidationError (never a TypeError from a comparison)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError("请提供位置坐标。")
        return None
    if isinstance(value, bool):
        raise ValidationError("位置坐标无效。")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError("位置坐标无效。") from None
    if not (math.isfinite(number) and low <= number <= high):
        raise ValidationError("位置坐标无效。")
    return number


def _point(lon, lat, *, required: bool) -> tuple[float | None, float | None]:
    lon = _coordinate(lon, -180, 180, required=required)
    lat = _coordinate(lat, -90, 90, required=required)
    if (lon is None) != (lat is None):
        raise ValidationError("经度和纬度须同时提供。")
    return lon, lat


def _key(idempotency_key) -> str:
    """A client's idempotency key: refused (not cut) when too long, so two different long
    keys sharing their first 64 characters can never be taken for the same report."""
    if idempotency_key is None:
        return ""
    if not isinstance(idempotency_key, str):
        raise ValidationError("幂等键无效。")
    key = idempotency_key.strip()
    if len(key) > KEY_MAX:
        raise ValidationError(f"幂等键不能超过{KEY_MAX}个字符。")
    return key


def _store_photo(case, event, uploaded, stage) -> CasePhoto:
    """Checked by content before anything is stored (as projects' attachments are)."""
    from core.uploads import inspect_upload, store_checked

    info = inspect_upload(uploaded, allow=("photo",))
    return store_checked(CasePhoto(case=case, event=event, stage=stage), uploaded, info)


def _step(case, event: str, *, actor, note="", unit=None, lon=None, lat=None, photos=(),
          photo_stage=PhotoStage.BEFORE, at=None, prior=None, key="") -> CaseEvent:
    """Move the case by `event` (the table decides the state) and record the step."""
    before = case.state
    case.state = workflow.allowed(before, event, prior=prior)
    if case.pk is not None:
        case.save()
    row = CaseEvent.objects.create(case=case, kind=event, from_state=before, to_state=case.state,
                                   actor=actor, unit=unit, at=at or timezone.now(), note=note,
                                   lon=lon, lat=lat, idempotency_key=key)
    for uploaded in photos:
        _store_photo(case, row, uploaded, photo_stage)
    return row


# What routing (propose_for_case) and the clock (compute_deadline) read of a case: loaded
# with the lock in one query instead of one lazy query each.
LOCK_RELATED = ("type_version__case_type", "type_version__default_owner",
                "grid__street_unit", "component__owner_unit", "handling_unit")


def _locked(case) -> Case:
    """The caller's case, locked and re-read with what routing and the clock need, in one
    query: two desks cannot both dispatch it, and the caller's instance shows the step's
    result. On PostgreSQL only the case's row is locked (FOR UPDATE OF), not the type,
    grid or units it joins: those are shared by every other case."""
    rows = Case.objects.select_related(*LOCK_RELATED)
    if connection.features.has_select_for_update_of:
        rows = rows.select_for_update(of=("self",))
    else:
        rows = rows.select_for_update()
    fresh = rows.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        setattr(case, field.attname, getattr(fresh, field.attname))
    case._state.fields_cache = dict(fresh._state.fields_cache)
    case._state.adding, case._state.db = False, fresh._state.db
    getattr(case, "_prefetched_objects_cache", {}).clear()
    return case


def _hang_pauses(case) -> list:
    # Only 挂账 stops the clock; an approved 延期 adds to the limit (compute_deadline).
    return [p.as_pause() for p in
            case.pauses.active().filter(kind=PauseKind.HANG).order_by("start")]


def current_dispatch(case) -> CaseEvent | None:
    """The 派遣/改派 that started the case's present clock."""
    return (CaseEvent.objects.filter(case_id=case.pk, kind__in=DISPATCH_EVENTS)
            .order_by("-at", "-pk").first())


def granted_minutes(case, dispatch: CaseEvent | None) -> int:
    """Working minutes of the 延期 approved under this dispatch (an earlier unit's extensions
    do not carry over to the next one)."""
    from cases import workclock

    if dispatch is None:
        return 0
    cal = workclock.default_calendar()
    rows = ExtensionRequest.objects.filter(case_id=case.pk, dispatch_event=dispatch,
                                           status=ExtensionStatus.APPROVED)
    return sum(workclock.limit_minutes(r.amount, r.unit, cal) for r in rows)


def compute_deadline(case, *, new_dispatch: bool = False):
    """The deadline on the case's own clock: from its (latest) dispatch, the type version's
    limit for its urgency plus the 延期 approved under that dispatch, counted in working
    time with 挂账 excluded (None while a 挂账 holds). `new_dispatch`: the dispatch being
    made now (no extension yet). 返工 does not restart it; 回退待审 does not stop it."""
    from cases import workclock

    if case.dispatched_at is None:
        return None
    cal = workclock.default_calendar()
    amount, unit = case.type_version.limit_for(case.urgency)
    needed = workclock.limit_minutes(amount, unit, cal)
    if not new_dispatch:
        needed += granted_minutes(case, current_dispatch(case))
    return workclock.deadline_after(case.dispatched_at, needed, cal, _hang_pauses(case))


def _cancel_pending(case, *, acting_user, why: str) -> None:
    """A pending 延期 no longer applies (回退, 改派, 处置, 作废): 已撤销, with the reason."""
    now = timezone.now()
    for request in case.extension_requests.filter(status=ExtensionStatus.PENDING):
        request.status = ExtensionStatus.CANCELLED
        request.decided_by, request.decided_at, request.decision_note = acting_user, now, why
        request.save()


# --- intake ----------------------------------------------------------------------------


def _current_version_or_refuse(type_version) -> None:
    case_type = type_version.case_type
    if not case_type.active or case_type.is_archived:
        raise ValidationError("该案件类型已停用，请重新选择。")
    current = (CaseTypeVersion.objects.filter(case_type_id=case_type.pk)
               .order_by("-number").values_list("pk", flat=True).first())
    if current != type_version.pk:
        raise ValidationError("案件类型已更新，请重新选择。")


@transaction.atomic
def do_report_case(*, acting_user, type_version: CaseTypeVersion, description: str, lon,
                   lat, idempotency_key: str = "", source: str = "", urgency: str = "",
                   address: str = "", grid=None, segment=None, component=None,
                   photos=()) -> Case:
    """上报. The same reporter with the same client key gets the case the first call made
    (a phone retrying after losing signal), never a second one. lon/lat may be strings;
    the type version must be the type's current one (a phone holding an old list is told
    to choose again); the case is validated as a whole before it is stored."""
    from django.db import connection

    from cases.matching import segment_for_point

    permissions.require(permissions.may_report(acting_user), "您没有上报案件的权限。")
    key = _key(idempotency_key)
    if key:
        existing = Case.objects.filter(reporter=acting_user, idempotency_key=key).first()
        if existing is not None:
            return existing
    if not isinstance(description, str) or not description.strip():
        raise ValidationError("请填写问题描述。")
    if not isinstance(type_version, CaseTypeVersion):
        raise ValidationError("请选择案件类型。")
    _current_version_or_refuse(type_version)
    lon, lat = _point(lon, lat, required=True)
    if grid is None:  # the phone sends a point; the grid (and so the locality) follows
        grid = Grid.objects.containing(lon, lat)
    if segment is None:  # and the road segment it lies on, for the road chiefs
        segment = segment_for_point(lon, lat)
    source = source or SOURCE_OF_ROLE.get(acting_user.role, CaseSource.HOTLINE)
    case = Case(type_version=type_version, description=description.strip(), lon=lon, lat=lat,
                address=(address or "").strip() if isinstance(address, str) else address,
                grid=grid, segment=segment, component=component,
                reporter=acting_user, idempotency_key=key, source=source,
                urgency=urgency or Urgency.NORMAL,
                state=workflow.INITIAL_STATE)
    # Every field checked before the insert: a long address or an unknown source is a
    # clear message, not a DataError from PostgreSQL. The key's uniqueness is left to the
    # database (a racing retry is answered below). A relation to a row this call holds from
    # the database is not looked up again: those rows are never deleted (TrackedModel
    # refuses it, the queryset too), so it exists; any other value is still checked.
    held = [name for name, obj in (("type_version", type_version), ("grid", grid),
                                   ("segment", segment), ("component", component),
                                   ("reporter", acting_user))
            if obj is not None and getattr(obj, "pk", None) is not None
            and not obj._state.adding]
    case.full_clean(exclude=["number", *held], validate_unique=False,
                    validate_constraints=False)
    numbered = connection.vendor == "postgresql"
    if numbered:
        # The id drawn from the table's own sequence first, so the case is stored once with
        # its number: one INSERT and one history row (with the number), not an INSERT, a
        # re-read and an UPDATE with a second history row.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))",
                           [Case._meta.db_table, Case._meta.pk.column])
            case.pk = cursor.fetchone()[0]
        case.number = f"{local_datetime(case.reported_at):%Y%m%d}{case.pk:07d}"
    try:
        with transaction.atomic():  # a savepoint: a concurrent retry loses the race cleanly
            case.save(force_insert=True)
    except IntegrityError:
        if key:
            return Case.objects.get(reporter=acting_user, idempotency_key=key)
        raise
    if not numbered:  # SQLite has no sequence to draw from: the number follows the insert
        case.number = f"{local_datetime(case.reported_at):%Y%m%d}{case.pk:07d}"
        case.save()
    row = CaseEvent.objects.create(case=case, kind=EventType.REPORT, to_state=case.state,
                                   actor=acting_user, at=case.reported_at, lon=lon, lat=lat)
    stored = [_store_photo(case, row, uploaded, PhotoStage.BEFORE) for uploaded in photos]
    # What this call wrote, for a caller that answers with the new case (the API's 201)
    # without reading back what it holds.
    case.report_event, case.report_photos = row, stored
    return case


# However wide a type's duplicate radius, a joiner stands at most this far from the case.
JOIN_MAX_RADIUS_M = 200


def join_radius_m(case) -> int:
    """How near to a case one must be to join it (or see its hint photo): the type's
    duplicate radius (its current version, as the duplicate hint reads it), capped."""
    version = case.type_version.case_type.current_version() or case.type_version
    return min(version.duplicate_radius_m, JOIN_MAX_RADIUS_M)


@transaction.atomic
def do_join(case, *, acting_user, note="", photos=(), lon=None, lat=None,
            idempotency_key="") -> CaseEvent:
    """重复上报: a reporter adds his sighting (note, photos, point) to an open case instead of
    opening a duplicate. The same key from the same reporter is one step, however often the
    phone retries.

    A join makes the joiner follow the case (permissions.visible_cases), so it must be a
    genuine sighting: at least one photo, taken within the type's duplicate radius (at most
    JOIN_MAX_RADIUS_M) of the case — an empty join from across the city would open any
    case to any reporter."""
    from cases.selectors import distance_m

    permissions.require(permissions.may_report(acting_user), "您没有上报案件的权限。")
    key = _key(idempotency_key)
    lon, lat = _point(lon, lat, required=False)
    note = note.strip() if isinstance(note, str) else ""
    case = _locked(case)
    if key:
        existing = CaseEvent.objects.filter(case=case, kind=EventType.JOIN, actor=acting_user,
                                            idempotency_key=key).first()
        if existing is not None:
            return existing
    if case.duplicate_of_id:
        raise ValidationError("该案件已并入其他案件，请在原案件上补充。")
    workflow.allowed(case.state, EventType.JOIN)
    photos = list(photos or ())
    if not photos:
        raise ValidationError("加入案件须上传现场照片。")
    if lon is None:
        raise ValidationError("加入案件须提供您所在的位置，请开启定位或在地图上标出位置。")
    radius = join_radius_m(case)
    if distance_m(lon, lat, case.lon, case.lat) > radius:
        raise ValidationError(f"您所在位置距该案件超过{radius}米，不能加入此案件；"
                              "如是另一处问题，请直接上报。")
    try:
        with transaction.atomic():
            return _step(case, EventType.JOIN, actor=acting_user, note=note, lon=lon, lat=lat,
                         photos=photos, key=key)
    except IntegrityError:
        if key:
            return CaseEvent.objects.get(case=case, kind=EventType.JOIN, actor=acting_user,
                                         idempotency_key=key)
        raise


@transaction.atomic
def do_mark_duplicate(case, *, acting_user, of, note="") -> Case:
    """并案: the desk finds a report (上报/受理) is the same problem as an open case; the
    report is voided and points at the case it duplicates."""
    permissions.require_desk(acting_user)
    if of is None or getattr(of, "pk", None) is None:
        raise ValidationError("请选择要并入的案件。")
    if of.pk == case.pk:
        raise ValidationError("不能与本案件并案。")
    # Both rows locked, in one order: two desks merging A into B and B into A cannot deadlock.
    list(Case.objects.select_for_update().filter(pk__in=[case.pk, of.pk])
         .order_by("pk").values_list("pk"))
    case.refresh_from_db()
    of.refresh_from_db()
    workflow.allowed(case.state, EventType.MERGE)
    if of.state not in workflow.OPEN_STATES or of.duplicate_of_id:
        raise ValidationError("要并入的案件已办结或作废，不能并案。")
    case.duplicate_of = of
    note = note.strip() if isinstance(note, str) else ""
    _step(case, EventType.MERGE, actor=acting_user, note=note or f"并入案件{of.number}")
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
    workflow.allowed(case.state, EventType.REGISTER)
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
    case.deadline_at = compute_deadline(case, new_dispatch=True)  # one save: the step stores it
    return _step(case, event, actor=acting_user, unit=unit, note=note)


def _loaded_unit(case, unit_id):
    """The proposed unit as already loaded with the lock (_locked's LOCK_RELATED)."""
    if not unit_id:
        return None
    version, grid, component = case.type_version, case.grid, case.component
    for unit in (component.owner_unit if component else None,
                 grid.street_unit if grid else None, version.default_owner):
        if unit is not None and unit.pk == unit_id:
            return unit
    return None


@transaction.atomic
def do_dispatch(case, *, acting_user, unit=None, note="") -> Case:
    """派遣 to `unit`, or to the routing proposal when the desk leaves it empty."""
    from org.models import Unit

    permissions.require_desk(acting_user)
    case = _locked(case)
    workflow.allowed(case.state, EventType.DISPATCH)
    if unit is None:
        proposal = propose_for_case(case)
        unit = _loaded_unit(case, proposal.unit_id)
        if unit is None and proposal.unit_id:
            unit = Unit.objects.filter(pk=proposal.unit_id).first()
        note = note or proposal.rule
    _send_to(case, unit, EventType.DISPATCH, acting_user=acting_user, note=note)
    return case


@transaction.atomic
def do_reassign(case, *, acting_user, unit, note="") -> Case:
    """改派 (from 立案, 回退待审, 已派遣, 处置中 or 返工) to another unit: the new unit's clock
    starts at the new dispatch, without the previous unit's extensions; a pending 延期
    is withdrawn."""
    permissions.require_desk(acting_user)
    case = _locked(case)
    workflow.allowed(case.state, EventType.REASSIGN)
    if unit is not None and unit.pk == case.handling_unit_id and case.state != CaseState.REGISTERED:
        if case.state == CaseState.RETURNED:
            raise ValidationError("改派的单位与回退的单位相同；如不同意回退，请选择“不同意回退”。")
        raise ValidationError("改派的单位与当前处置单位相同。")
    if unit is None or unit.is_archived:
        raise ValidationError("请选择处置单位。")
    _cancel_pending(case, acting_user=acting_user, why="案件已改派，延期申请撤销。")
    _send_to(case, unit, EventType.REASSIGN, acting_user=acting_user, note=note)
    return case


@transaction.atomic
def do_return_to_desk(case, *, acting_user, reason: str, lon=None, lat=None) -> Case:
    """回退: the unit says the case is not its own. The case waits for the desk (回退待审)
    with the unit and its clock unchanged: the desk 改派 it, or refuses the 回退 and the
    unit carries on against the same deadline. A pending 延期 is withdrawn."""
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    reason = _reason(reason, "回退理由")
    lon, lat = _point(lon, lat, required=False)
    workflow.allowed(case.state, EventType.RETURN)
    _cancel_pending(case, acting_user=acting_user, why="案件已回退，延期申请撤销。")
    _step(case, EventType.RETURN, actor=acting_user, unit=case.handling_unit, note=reason,
          lon=lon, lat=lat)
    return case


@transaction.atomic
def do_refuse_return(case, *, acting_user, reason: str) -> Case:
    """不同意回退: back to the unit, in the state it returned the case from; the deadline
    is the one it had (the time spent waiting counted)."""
    permissions.require_desk(acting_user)
    reason = _reason(reason, "不同意回退的理由")
    case = _locked(case)
    workflow.allowed(case.state, EventType.REFUSE_RETURN)
    returned = (CaseEvent.objects.filter(case=case, kind=EventType.RETURN)
                .order_by("-at", "-pk").first())
    prior = returned.from_state if returned is not None else None
    _step(case, EventType.REFUSE_RETURN, actor=acting_user, unit=case.handling_unit,
          note=reason, prior=prior)
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
    """处置, with at least one photo after the work. A 返工 is handled against the deadline
    of the original dispatch (the rework does not restart the clock)."""
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    if not photos:
        raise ValidationError("处置须上传处置后照片。")
    lon, lat = _point(lon, lat, required=False)
    workflow.allowed(case.state, EventType.HANDLE)
    _cancel_pending(case, acting_user=acting_user, why="案件已处置，延期申请撤销。")
    case.handled_at = timezone.now()
    _step(case, EventType.HANDLE, actor=acting_user, unit=case.handling_unit, note=note,
          lon=lon, lat=lat, photos=photos, photo_stage=PhotoStage.AFTER)
    return case


@transaction.atomic
def do_send_check(case, *, acting_user, inspector=None) -> Case:
    """派发核查 to an inspector (by default the one who reported it); from 待核查 it sends the
    check to another inspector (the first one left, or is away)."""
    permissions.require_desk(acting_user)
    case = _locked(case)
    workflow.allowed(case.state, EventType.SEND_CHECK)
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
    lon, lat = _point(lon, lat, required=False)
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
    workflow.allowed(case.state, EventType.CLOSE)
    case.closed_at = timezone.now()
    _step(case, EventType.CLOSE, actor=acting_user, note=note)
    return case


# --- the clock: 延期 and 挂账 -------------------------------------------------------------


def _amount(amount) -> int:
    if isinstance(amount, bool):
        raise ValidationError("延长时限应为正整数。")
    try:
        number = int(amount.strip() if isinstance(amount, str) else amount)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError("延长时限应为正整数。") from None
    if isinstance(amount, float) and amount != number:
        raise ValidationError("延长时限应为正整数。")
    if number <= 0:
        raise ValidationError("延长时限应大于0。")
    return number


@transaction.atomic
def do_request_extension(case, *, acting_user, amount: int, unit: str,
                         reason: str) -> ExtensionRequest:
    """申请延期 (at most MAX_LIMIT: 30 工作日 or 240 工作时 at a time)."""
    case = _locked(case)
    permissions.require_handling_unit(acting_user, case)
    reason = _reason(reason, "延期理由")
    amount = _amount(amount)
    workflow.allowed(case.state, EventType.EXTENSION_REQUEST)
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError("已有待审批的延期申请。")
    request = ExtensionRequest(case=case, requested_by=acting_user, reason=reason,
                               amount=amount, unit=unit, dispatch_event=current_dispatch(case))
    request.full_clean(exclude=["case", "requested_by", "dispatch_event"])
    request.save()
    _step(case, EventType.EXTENSION_REQUEST, actor=acting_user, unit=case.handling_unit,
          note=reason)
    return request


@transaction.atomic
def do_decide_extension(request: ExtensionRequest, *, acting_user, approve: bool,
                        note="") -> ExtensionRequest:
    """Approved: the granted working time is added to the case's limit, so the deadline
    moves by exactly that much working time (whenever the approval comes)."""
    permissions.require_desk(acting_user)
    case = _locked(request.case)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError("该延期申请已审批或已撤销。")
    if not approve:
        note = _reason(note, "不予延期的理由")
    now = timezone.now()
    event = EventType.EXTENSION_APPROVE if approve else EventType.EXTENSION_DENY
    workflow.allowed(case.state, event)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by, request.decided_at, request.decision_note = acting_user, now, note
    request.save()
    if approve:
        case.deadline_at = compute_deadline(case)  # the step's save stores it
    _step(case, event, actor=acting_user, unit=case.handling_unit, note=note, at=now)
    return request


@transaction.atomic
def do_hang(case, *, acting_user, reason: str) -> Case:
    """挂账: a long-term problem; the clock stops until resumed."""
    permissions.require_desk(acting_user)
    reason = _reason(reason, "挂账理由")
    case = _locked(case)
    workflow.allowed(case.state, EventType.HANG)
    # A 延期 asked before the 挂账 has no decision left to make: the clock stands still,
    # and the desk would be offered an approval the step refuses.
    _cancel_pending(case, acting_user=acting_user, why="案件已挂账，延期申请撤销。")
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
    for pause in case.pauses.filter(kind=PauseKind.HANG, end__isnull=True):
        pause.end = now
        pause.save()
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
    workflow.allowed(case.state, EventType.VOID)
    _cancel_pending(case, acting_user=acting_user, why="案件已作废，延期申请撤销。")
    _step(case, EventType.VOID, actor=acting_user, note=reason)
    return case


@transaction.atomic
def do_new_type_version(case_type, *, acting_user, **fields) -> CaseTypeVersion:
    """The office edits a type's standards or limits: a new version; open cases keep theirs.
    The type's row is locked first, so two offices saving at once get versions n+1 and
    n+2 (never the same number and an IntegrityError)."""
    from cases.models import CaseType

    permissions.require_desk(acting_user)
    list(CaseType.objects.select_for_update().filter(pk=case_type.pk).values_list("pk"))
    current = (CaseTypeVersion.objects.filter(case_type_id=case_type.pk)
               .order_by("-number").first())
    data = {}
    if current is not None:
        data = {f.name: getattr(current, f.name) for f in CaseTypeVersion._meta.concrete_fields
                if f.editable and f.name not in ("id", "case_type", "number")}
    editable = {f.name for f in CaseTypeVersion._meta.concrete_fields
                if f.editable and f.name not in ("id", "case_type", "number")}
    unknown = sorted(set(fields) - editable)
    if unknown:
        raise ValidationError(f"案件类型版本没有这些字段：{'、'.join(unknown)}。")
    data.update(fields)
    version = CaseTypeVersion(case_type=case_type, number=(current.number + 1) if current else 1,
                              **data)
    version.full_clean()
    version.save()
    return version
