"""Units, people, city leaders and accounts.

Row-level scope lives here: every model's queryset has `visible_to(user)`,
and every page and endpoint lists through it.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import TrackedModel, TrackedQuerySet
from org.choices import ADMINISTRATIVE_ROLES, UNIT_ROLES, LeaderAssignmentKind, Role, UnitKind
from org.roles import Cap, has_cap, sees_whole_city
from org.validators import validate_admin_code, validate_mobile


class UnitQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        # The unit directory is shared inside the government: any role that
        # may read the organisation sees every active unit.
        if not has_cap(user, Cap.VIEW_ORG):
            return self.none()
        return self.active()


class Unit(TrackedModel):
    """A responsible unit: 市直部门, 乡镇办(街道), or a unit under one of them."""

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("单位类型", max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    admin_code = models.CharField(
        "行政区划代码", max_length=12, blank=True, validators=[validate_admin_code],
        help_text="乡镇办(街道)、社区填写12位统一行政区划代码",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["admin_code"], condition=~models.Q(admin_code=""),
                name="org_unit_admin_code_unique",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("org:unit_history", args=[self.pk])

    def subtree_ids(self) -> set[int]:
        """This unit and all units below it (trees here are two or three levels deep)."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


def user_unit_ids(user) -> set[int]:
    """Units whose internal records a unit-bound user may see (own unit and below)."""
    cached = getattr(user, "_unit_ids_cache", None)
    if cached is None:
        cached = user.unit.subtree_ids() if user.unit_id else set()
        user._unit_ids_cache = cached
    return cached


class PersonQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_ORG):
            return self.none()
        qs = self.active()
        if sees_whole_city(user) or user.role == Role.CITY_LEADER:
            return qs
        # Unit-bound roles see their own unit's people and the city leaders.
        return qs.filter(models.Q(unit_id__in=user_unit_ids(user)) | models.Q(leader__isnull=False))


class Person(TrackedModel):
    """A named person: a unit's staff member, a responsible person, a city leader."""

    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="people")
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_mobile])

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["unit__sort_order", "name"]

    def __str__(self):
        return f"{self.name}（{self.title}）" if self.title else self.name

    def get_absolute_url(self):
        return reverse("org:person_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("org:person_history", args=[self.pk])

    def may_see_full_phone(self, user) -> bool:
        if not has_cap(user, Cap.VIEW_FULL_PHONE):
            return False
        if user.role == Role.OFFICE_ADMIN:
            return True
        return self.unit_id is not None and self.unit_id in user_unit_ids(user)


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and last four digits."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class CityLeaderQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_ORG):
            return self.none()
        return self.active().filter(person__in=Person.objects.visible_to(user))


class CityLeader(TrackedModel):
    """市级领导: a city leader who takes responsibility for units and projects (分包)."""

    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT,
                                  related_name="leader")
    position = models.CharField("领导职务", max_length=50, help_text="如：市委常委、副市长")
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = CityLeaderQuerySet.as_manager()

    class Meta:
        verbose_name = "市级领导"
        verbose_name_plural = "市级领导"
        ordering = ["sort_order"]

    def __str__(self):
        return f"{self.person.name}（{self.position}）"

    def get_absolute_url(self):
        return reverse("org:leader_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("org:leader_history", args=[self.pk])


class LeaderAssignmentQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_ORG):
            return self.none()
        qs = self.active()
        if sees_whole_city(user):
            return qs
        if user.role == Role.CITY_LEADER:
            return qs.filter(leader__person_id=user.person_id) if user.person_id else qs.none()
        return qs.filter(unit_id__in=user_unit_ids(user))


class LeaderAssignment(TrackedModel):
    """A city leader's responsibility for a unit (市级领导分包联系责任机制)."""

    leader = models.ForeignKey(CityLeader, verbose_name="市级领导", on_delete=models.PROTECT,
                               related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="联系单位", on_delete=models.PROTECT,
                             related_name="leader_assignments")
    kind = models.CharField("方式", max_length=16, choices=LeaderAssignmentKind.choices,
                            default=LeaderAssignmentKind.CONTACT)
    note = models.CharField("说明", max_length=200, blank=True)
    start_date = models.DateField("开始日期", default=timezone.localdate)

    objects = LeaderAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "领导分包"
        verbose_name_plural = "领导分包"
        ordering = ["leader__sort_order", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["leader", "unit"], condition=models.Q(archived_at=None),
                                    name="org_assignment_unique_active")
        ]

    def __str__(self):
        return f"{self.leader.person.name} → {self.unit}"


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_ACCOUNTS):
            return self.filter(pk=user.pk) if user.is_authenticated else self.none()
        if user.role == Role.UNIT_HEAD:
            return self.filter(unit_id__in=user_unit_ids(user))
        return self.all()


class AccountManager(UserManager.from_queryset(AccountQuerySet)):
    pass


class User(TrackedModel, AbstractUser):
    """An account. Exactly one role, so no account combines two administrator roles."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.CITIZEN)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="accounts")
    person = models.OneToOneField(Person, verbose_name="对应人员", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="account")
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = AccountManager()

    history_exclude = ("updated_at", "password", "last_login")

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["username"]

    def __str__(self):
        full = self.get_full_name()
        return f"{full}（{self.username}）" if full else self.username

    def get_full_name(self):
        if self.person_id:
            return self.person.name
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_administrative(self) -> bool:
        return self.role in ADMINISTRATIVE_ROLES

    def clean(self):
        super().clean()
        if self.role in UNIT_ROLES and not self.unit_id:
            raise ValidationError({"unit": "该角色须指定所属单位。"})
        if self.role in ADMINISTRATIVE_ROLES and self.unit_id:
            raise ValidationError({"unit": "系统、安全、审计管理员不隶属业务单位。"})
        if self.role == Role.CITY_LEADER and not self.person_id:
            raise ValidationError({"person": "市级领导账号须关联人员。"})

    def save(self, *args, **kwargs):
        if self.is_superuser and not settings.ALLOW_SUPERUSER:
            raise ValidationError("生产环境不允许超级用户，请按角色授权。")
        # Only administrators reach the Django admin; business work happens in the app.
        self.is_staff = self.role in ADMINISTRATIVE_ROLES or self.role == Role.OFFICE_ADMIN
        super().save(*args, **kwargs)

    # Changes to these fields are permission changes and go to the audit trail.
    _PERMISSION_FIELDS = ("role", "unit_id", "is_active", "is_superuser")

    def after_tracked_save(self, before, after):
        from core.audit import record_audit
        from core.choices import AuditEventType
        from core.history import current_context

        if before is None:
            changed = {f: [None, after.get(f)] for f in self._PERMISSION_FIELDS}
        else:
            changed = {f: [before.get(f), after.get(f)] for f in self._PERMISSION_FIELDS
                       if before.get(f) != after.get(f)}
        if changed:
            ctx = current_context()
            record_audit(AuditEventType.PERMISSION_CHANGE, request=ctx.request,
                         user=ctx.actor_user(), username=ctx.actor_label(), obj=self,
                         changes=changed)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def has_cap(self, cap) -> bool:
        """Entry point for lower layers (core) that must not import org.roles."""
        return has_cap(self, cap)

    def password_expired(self) -> bool:
        days = settings.PASSWORD_MAX_AGE_DAYS
        if not days or not self.has_usable_password():
            return False
        changed = self.password_changed_at
        return changed is None or (timezone.now() - changed).days >= days
