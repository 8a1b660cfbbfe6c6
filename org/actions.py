"""Every state change of the organisation: units, people, leaders, accounts.

The admin, the views, the API and the demo builder all call these.
`acting_user=None` means a trusted system caller (a management command that
has opened its own change context).
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from core.audit import record_audit
from core.choices import AuditEventType
from org.choices import Role
from org.models import CityLeader, LeaderAssignment, Person, Unit, User
from org.roles import Cap, has_cap


def _require(acting_user, cap: Cap):
    if acting_user is not None and not has_cap(acting_user, cap):
        raise PermissionDenied("当前角色无此操作权限。")


@transaction.atomic
def do_create_unit(*, name, kind, acting_user=None, parent=None, admin_code="", short_name="",
                   sort_order=0) -> Unit:
    _require(acting_user, Cap.MANAGE_ORG)
    unit = Unit(name=name, kind=kind, parent=parent, admin_code=admin_code,
                short_name=short_name, sort_order=sort_order)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def do_update_unit(unit: Unit, *, acting_user=None, **fields) -> Unit:
    _require(acting_user, Cap.MANAGE_ORG)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def do_create_person(*, name, acting_user=None, unit=None, title="", phone="") -> Person:
    _require(acting_user, Cap.MANAGE_ORG)
    person = Person(name=name, unit=unit, title=title, phone=phone)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def do_create_leader(*, person: Person, position: str, acting_user=None, sort_order=0) -> CityLeader:
    _require(acting_user, Cap.MANAGE_ORG)
    leader = CityLeader(person=person, position=position, sort_order=sort_order)
    leader.full_clean()
    leader.save()
    return leader


@transaction.atomic
def do_assign_leader(leader: CityLeader, unit: Unit, *, acting_user=None, note="",
                     kind=None) -> LeaderAssignment:
    _require(acting_user, Cap.MANAGE_ORG)
    assignment = LeaderAssignment(leader=leader, unit=unit, note=note)
    if kind:
        assignment.kind = kind
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def do_create_account(*, username, role, password, acting_user=None, unit=None, person=None,
                      email="") -> User:
    """Create an account. Choosing a role is a security administrator's right,
    so a system administrator may only create accounts with the citizen role."""
    _require(acting_user, Cap.MANAGE_ACCOUNTS)
    if acting_user is not None and role != Role.CITIZEN and not has_cap(acting_user,
                                                                        Cap.ASSIGN_ROLES):
        raise PermissionDenied("角色须由安全管理员授予。")
    user = User(username=username, role=role, unit=unit, person=person, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def do_change_role(user: User, *, role, acting_user=None, unit=None) -> User:
    """Grant a role (a permission change, audited by User.save)."""
    _require(acting_user, Cap.ASSIGN_ROLES)
    if acting_user is not None and acting_user.pk == user.pk:
        raise PermissionDenied("不能修改自己的角色。")
    user.role = role
    user.unit = unit
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def do_set_active(user: User, *, active: bool, acting_user=None) -> User:
    _require(acting_user, Cap.MANAGE_ACCOUNTS)
    user.is_active = active
    user.save()
    return user


@transaction.atomic
def do_change_password(user: User, new_password: str, *, request=None) -> User:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save()
    record_audit(AuditEventType.PASSWORD_CHANGE, request=request, user=user, obj=user)
    return user


def do_reveal_phone(person: Person, *, user, reason: str, request=None, page="detail") -> str:
    """Show a full phone number to an entitled user; every reveal is audited with its reason.

    `page` says where: "detail" (the current number) or "history" (the numbers in the
    person's change history); the rule is the same.
    """
    if not person.may_see_full_phone(user):
        record_audit(AuditEventType.VIEW_PERSONAL_DATA, request=request, user=user, obj=person,
                     success=False, field="phone", reason=reason, page=page)
        raise PermissionDenied("无权查看完整号码。")
    if not reason.strip():
        raise PermissionDenied("查看完整号码须填写事由。")
    record_audit(AuditEventType.VIEW_PERSONAL_DATA, request=request, user=user, obj=person,
                 field="phone", reason=reason.strip(), page=page)
    return person.phone


def do_unlock_login(username: str, *, acting_user, request=None) -> int:
    """Lift an axes lockout for an account (security administrator)."""
    _require(acting_user, Cap.ASSIGN_ROLES)
    from axes.utils import reset

    count = reset(username=username)
    record_audit(AuditEventType.UNLOCK, request=request, user=acting_user,
                 target_username=username, attempts_cleared=count)
    return count


# --- API tokens ------------------------------------------------------------------------
# One token per account (DRF authtoken). The key is shown once, in the response to
# the creation; afterwards pages show only its first characters and its creation time.


def may_hold_api_token(user) -> bool:
    """Only roles that may use the API get a token: citizens and the three
    administrators (no business right, no API capability) do not."""
    return has_cap(user, Cap.USE_API)


def token_hint(token) -> str:
    """What pages may show of a token after creation: its first four characters."""
    return f"{token.key[:4]}…"


def do_create_api_token(user: User, *, request=None) -> Token:
    """A new token for `user` (their own, from the account page); audited, refusals too."""
    if not may_hold_api_token(user):
        record_audit(AuditEventType.API_TOKEN_CREATE, request=request, user=user, obj=user,
                     success=False, reason="角色无接口权限")
        raise PermissionDenied("当前角色不能使用接口，无法创建接口令牌。")
    exists = ValidationError("已有接口令牌。如需新令牌，请先作废现有令牌。")
    with transaction.atomic():
        if Token.objects.filter(user=user).exists():
            raise exists
        try:
            with transaction.atomic():  # the key is the user's: a concurrent twin fails here
                token = Token.objects.create(user=user)
        except IntegrityError:
            raise exists from None
        record_audit(AuditEventType.API_TOKEN_CREATE, request=request, user=user, obj=user,
                     token=token_hint(token))
    return token


@transaction.atomic
def do_revoke_api_token(user: User, *, request=None) -> None:
    """Revoke `user`'s token: requests carrying it are refused from now on. Audited.

    Any role may revoke its own token, so one created before a change of role can go too.
    """
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is None:
        raise ValidationError("当前没有接口令牌。")
    hint, created = token_hint(token), token.created
    token.delete()
    record_audit(AuditEventType.API_TOKEN_REVOKE, request=request, user=user, obj=user,
                 token=hint, created=created)
