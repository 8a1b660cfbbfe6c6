"""City-management cases: grids, roads and their chiefs, components, case types, cases.

Geometry is stored as GeoJSON (as plans' districts and geo's layers are), validated by
geo.geometry; points as lon/lat columns (WGS84) so lists and maps filter on plain indexes.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.choices import (
    CaseGroup,
    CaseKind,
    CaseSource,
    CaseState,
    ComponentState,
    EventType,
    ExtensionStatus,
    LimitUnit,
    PauseKind,
    PhotoStage,
    RoadChiefLevel,
    Urgency,
)
from core import workdays as _workdays  # noqa: F401  (registers the calendar coverage check)
from core.models import TrackedModel, TrackedQuerySet
from geo.geometry import area_m2, parse_geojson
from org.models import Person, Unit

# Longest limit or extension a type or request may name: a typo such as 3000 工作日 is refused
# instead of walking the calendar for decades.
MAX_LIMIT = {LimitUnit.DAY: 30, LimitUnit.HOUR: 240}


def validate_limit(amount, unit, field: str) -> None:
    cap = MAX_LIMIT.get(unit)
    if amount is not None and cap is not None and amount > cap:
        raise ValidationError({field: f"时限不能超过{cap}{LimitUnit(unit).label}。"})

GRID_CODE = re.compile(r"^\d{15}$")


def validate_grid_code(code: str) -> None:
    """单元网格标识码: 6 区县代码 + 3 街道 + 3 社区 + 3 顺序码 (DB11 layout), 15 digits."""
    if not GRID_CODE.match(code or ""):
        raise ValidationError("网格编码应为15位数字（6位区县+3位街道+3位社区+3位顺序码）。")
    if code[12:] == "000":
        raise ValidationError("网格顺序码不能为000。")


def _geometry(geojson, allowed: set[str], label: str):
    try:
        parse_geojson(geojson, allowed=allowed)
    except ValidationError as exc:
        raise ValidationError({label: exc.messages}) from None


# --- scope -----------------------------------------------------------------------------


class CaseQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """The desk sees every case; a handling unit the cases dispatched to it; an inspector
        his own reports and the checks sent to him; a road chief his segments' cases (and
        his own reports). Everyone else: none."""
        from cases import permissions

        return permissions.visible_cases(self, user)


class CaseChildQuerySet(TrackedQuerySet):
    """Events, photos, pauses and extension requests: visible with their case."""

    def visible_to(self, user):
        # An archived row (a photo taken down) is served to no one, whatever the scope.
        return self.filter(case__in=Case.objects.visible_to(user), archived_at__isnull=True)


FROZEN_EVENT = "案件环节一经记录不可修改或删除。"
FROZEN_VERSION = "已被案件使用的案件类型版本不可修改或删除，请新增版本。"
CONFLICTS_REFUSED = "不支持冲突时覆盖或忽略的批量写入。"


class CaseEventQuerySet(CaseChildQuerySet):
    """A case's timeline is append-only: no bulk write changes or removes a step (the model
    refuses single saves; on PostgreSQL a trigger refuses raw SQL, 0002_mend)."""

    def update(self, **kwargs):
        raise PermissionDenied(FROZEN_EVENT)

    def delete(self):
        raise PermissionDenied(FROZEN_EVENT)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied(FROZEN_EVENT)

    def tracked_bulk_update(self, objs, fields):
        raise PermissionDenied(FROZEN_EVENT)

    def update_or_create(self, *args, **kwargs):
        raise PermissionDenied(FROZEN_EVENT)

    def bulk_create(self, objs, *args, ignore_conflicts=False, update_conflicts=False,
                    **kwargs):
        if ignore_conflicts or update_conflicts:
            raise PermissionDenied(CONFLICTS_REFUSED)
        return super().bulk_create(objs, *args, **kwargs)


class OpenDataQuerySet(TrackedQuerySet):
    """Grids, roads, components and types are the city's shared base data: every
    government role that reads the organisation sees them (citizens see the sign pages
    later, through their own view)."""

    def visible_to(self, user):
        from org.roles import Cap, has_cap

        return self.active() if has_cap(user, Cap.VIEW_ORG) else self.none()


class GridQuerySet(OpenDataQuerySet):
    def containing(self, lon: float, lat: float):
        """The grid whose polygon holds the point (bbox on indexed columns, then exact)."""
        from shapely.geometry import Point

        point = Point(lon, lat)
        candidates = self.active().filter(min_lon__lte=lon, max_lon__gte=lon,
                                          min_lat__lte=lat, max_lat__gte=lat)
        for grid in candidates.order_by("code"):
            if parse_geojson(grid.geometry, allowed={"Polygon", "MultiPolygon"}).covers(point):
                return grid
        return None


# --- base data -------------------------------------------------------------------------


class Grid(TrackedModel):
    """单元网格 (about 10,000 m²), numbered west→east, north→south within a community."""

    code = models.CharField("网格编码", max_length=15, unique=True,
                            validators=[validate_grid_code])
    name = models.CharField("网格名称", max_length=100, blank=True)
    street_unit = models.ForeignKey(Unit, verbose_name="所属街道(乡镇)", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="street_grids")
    community_unit = models.ForeignKey(Unit, verbose_name="所属社区(村)", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="community_grids")
    geometry = models.JSONField("边界（GeoJSON）")
    area_m2 = models.FloatField("面积（平方米）", null=True, blank=True, editable=False)
    # Indexed bbox columns: locating a point filters on these before the exact test.
    min_lon = models.FloatField("最小经度", null=True, editable=False, db_index=True)
    min_lat = models.FloatField("最小纬度", null=True, editable=False)
    max_lon = models.FloatField("最大经度", null=True, editable=False)
    max_lat = models.FloatField("最大纬度", null=True, editable=False)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = "单元网格"
        verbose_name_plural = "单元网格"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def save(self, *args, **kwargs):
        self.set_geometry(self.geometry)
        super().save(*args, **kwargs)

    def set_geometry(self, geojson):
        """Validate the polygon and derive its area and bbox (never typed by hand)."""
        try:
            geom = parse_geojson(geojson, allowed={"Polygon", "MultiPolygon"})
        except ValidationError as exc:
            raise ValidationError({"geometry": exc.messages}) from None
        self.geometry = geojson
        self.area_m2 = round(area_m2(geom), 1)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = geom.bounds

    def clean(self):
        super().clean()
        self.set_geometry(self.geometry)
        # The code's first 12 digits are the community's 统一行政区划代码 where it has one.
        community_code = self.community_unit.admin_code if self.community_unit_id else ""
        if community_code and self.code and self.code[:12] != community_code:
            raise ValidationError({"code": "网格编码前12位应与所属社区的行政区划代码一致。"})


class Road(TrackedModel):
    name = models.CharField("道路名称", max_length=100, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = OpenDataQuerySet.as_manager()

    class Meta:
        verbose_name = "道路"
        verbose_name_plural = "道路"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class RoadSegment(TrackedModel):
    """A stretch of a road with its own road chiefs and public sign (路长公示牌)."""

    road = models.ForeignKey(Road, verbose_name="道路", on_delete=models.PROTECT,
                             related_name="segments")
    name = models.CharField("路段名称", max_length=100)
    start_name = models.CharField("起点", max_length=100)
    end_name = models.CharField("终点", max_length=100)
    order = models.PositiveIntegerField("段序", default=0)
    geometry = models.JSONField("走向（GeoJSON）")

    objects = OpenDataQuerySet.as_manager()

    class Meta:
        verbose_name = "路段"
        verbose_name_plural = "路段"
        ordering = ["road", "order"]
        constraints = [models.UniqueConstraint(fields=["road", "order"],
                                               name="cases_segment_road_order_unique")]

    def __str__(self):
        return f"{self.road.name}（{self.start_name}—{self.end_name}）"

    def clean(self):
        super().clean()
        _geometry(self.geometry, {"LineString", "MultiLineString"}, "geometry")


class RoadChiefQuerySet(OpenDataQuerySet):
    pass


class RoadChief(TrackedModel):
    segment = models.ForeignKey(RoadSegment, verbose_name="路段", on_delete=models.PROTECT,
                                related_name="chiefs")
    level = models.CharField("路长级别", max_length=10, choices=RoadChiefLevel.choices)
    person = models.ForeignKey(Person, verbose_name="路长", on_delete=models.PROTECT,
                               related_name="road_chief_posts")

    objects = RoadChiefQuerySet.as_manager()

    class Meta:
        verbose_name = "路长"
        verbose_name_plural = "路长"
        ordering = ["segment", "level"]
        constraints = [models.UniqueConstraint(
            fields=["segment", "level"], condition=Q(archived_at__isnull=True),
            name="cases_roadchief_one_per_level")]

    def __str__(self):
        return f"{self.segment} {self.get_level_display()}"


class CaseTypeVersionQuerySet(OpenDataQuerySet):
    """A version a case was opened under is frozen: bulk writes touching one are refused."""

    def _refuse_used(self, pks=None):
        rows = self if pks is None else self.model._base_manager.filter(pk__in=pks)
        if Case._base_manager.filter(type_version__in=rows.values("pk")).exists():
            raise PermissionDenied(FROZEN_VERSION)

    def update(self, **kwargs):
        self._refuse_used()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_used()
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        self._refuse_used([o.pk for o in objs if o.pk is not None])
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def tracked_bulk_update(self, objs, fields):
        objs = list(objs)
        self._refuse_used([o.pk for o in objs if o.pk is not None])
        return super().tracked_bulk_update(objs, fields)

    def bulk_create(self, objs, *args, ignore_conflicts=False, update_conflicts=False,
                    **kwargs):
        if ignore_conflicts or update_conflicts:
            raise PermissionDenied(CONFLICTS_REFUSED)
        return super().bulk_create(objs, *args, **kwargs)


class Component(TrackedModel):
    """部件: a public facility with an identifier (6 区县 + 2 大类 + 2 小类 + 6 序号)."""

    code = models.CharField("部件标识码", max_length=32, unique=True)
    type_code = models.CharField("部件类型代码", max_length=4,
                                 help_text="大类代码+小类代码，如 0101 上水井盖")
    name = models.CharField("部件名称", max_length=100, blank=True)
    owner_unit = models.ForeignKey(Unit, verbose_name="权属单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="components")
    state = models.CharField("部件状态", max_length=10, choices=ComponentState.choices,
                             default=ComponentState.GOOD)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    grid = models.ForeignKey(Grid, verbose_name="所在网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="components")

    objects = OpenDataQuerySet.as_manager()

    class Meta:
        verbose_name = "部件"
        verbose_name_plural = "部件"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class CaseType(TrackedModel):
    """大类/小类 of 部件 or 事件. What may change (standards, limits) lives in versions."""

    kind = models.CharField("类别", max_length=10, choices=CaseKind.choices)
    major_code = models.CharField("大类代码", max_length=2)
    major_name = models.CharField("大类名称", max_length=50)
    minor_code = models.CharField("小类代码", max_length=2)
    minor_name = models.CharField("小类名称", max_length=50)
    group = models.CharField("管理分类", max_length=10, choices=CaseGroup.choices)
    active = models.BooleanField("启用", default=True)

    objects = OpenDataQuerySet.as_manager()

    class Meta:
        verbose_name = "案件类型"
        verbose_name_plural = "案件类型"
        ordering = ["kind", "major_code", "minor_code"]
        constraints = [models.UniqueConstraint(fields=["kind", "major_code", "minor_code"],
                                               name="cases_type_code_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.major_code}{self.minor_code} {self.minor_name}"

    def current_version(self):
        return self.versions.order_by("-number").first()


class CaseTypeVersion(TrackedModel):
    """One version of a type's standards and limits. Never edited once used: the office's
    edit is a new version (cases.actions.do_new_type_version), and a case keeps the
    version it was opened under."""

    case_type = models.ForeignKey(CaseType, verbose_name="案件类型", on_delete=models.PROTECT,
                                  related_name="versions")
    number = models.PositiveIntegerField("版本号")
    register_standard = models.TextField("立案标准")
    close_standard = models.TextField("结案标准")
    normal_amount = models.PositiveIntegerField("一般案件处置时限")
    normal_unit = models.CharField("一般案件时限单位", max_length=4, choices=LimitUnit.choices)
    urgent_amount = models.PositiveIntegerField("紧急案件处置时限")
    urgent_unit = models.CharField("紧急案件时限单位", max_length=4, choices=LimitUnit.choices)
    duplicate_radius_m = models.PositiveIntegerField("重复案件判定半径（米）", default=50)
    owner_first = models.BooleanField("先属主后属地",
                                      help_text="部件：先属主后属地；事件：先属地后属主")
    default_owner = models.ForeignKey(Unit, verbose_name="主管单位", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="case_types")

    objects = CaseTypeVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "案件类型版本"
        verbose_name_plural = "案件类型版本"
        ordering = ["case_type", "-number"]
        constraints = [models.UniqueConstraint(fields=["case_type", "number"],
                                               name="cases_typeversion_number_unique")]

    def __str__(self):
        return f"{self.case_type} 第{self.number}版"

    def clean(self):
        super().clean()
        validate_limit(self.normal_amount, self.normal_unit, "normal_amount")
        validate_limit(self.urgent_amount, self.urgent_unit, "urgent_amount")

    def is_used(self) -> bool:
        return self.pk is not None and Case._base_manager.filter(type_version_id=self.pk).exists()

    def save(self, *args, **kwargs):
        # Checked on the stored row (an instance built with a used version's pk counts too).
        if self.is_used():
            raise PermissionDenied(FROZEN_VERSION)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_used():
            raise PermissionDenied(FROZEN_VERSION)
        return super().delete(*args, **kwargs)

    def limit_for(self, urgency: str) -> tuple[int, str]:
        """(amount, "hour"|"day") for the urgency, as workclock.deadline() takes them."""
        if urgency == Urgency.URGENT:
            return self.urgent_amount, self.urgent_unit
        return self.normal_amount, self.normal_unit


# --- cases -----------------------------------------------------------------------------


class Case(TrackedModel):
    number = models.CharField("案件编号", max_length=20, unique=True, null=True, blank=True,
                              editable=False)
    type_version = models.ForeignKey(CaseTypeVersion, verbose_name="案件类型（版本）",
                                     on_delete=models.PROTECT, related_name="cases")
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    source = models.CharField("案件来源", max_length=12, choices=CaseSource.choices)
    state = models.CharField("状态", max_length=12, choices=CaseState.choices,
                             default=CaseState.REPORTED, db_index=True)
    description = models.TextField("问题描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    grid = models.ForeignKey(Grid, verbose_name="所在网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="cases")
    segment = models.ForeignKey(RoadSegment, verbose_name="所在路段", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="cases")
    component = models.ForeignKey(Component, verbose_name="涉及部件", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="cases")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报人",
                                 on_delete=models.PROTECT, related_name="reported_cases")
    idempotency_key = models.CharField("客户端幂等键", max_length=64, blank=True,
                                       editable=False)
    handling_unit = models.ForeignKey(Unit, verbose_name="处置单位", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="handled_cases")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查监督员",
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="cases_to_check")
    reported_at = models.DateTimeField("上报时间", default=timezone.now)
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派遣时间", null=True, blank=True)
    deadline_at = models.DateTimeField("处置期限", null=True, blank=True)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name="重复于", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-reported_at"]
        constraints = [models.UniqueConstraint(
            fields=["reporter", "idempotency_key"], condition=~Q(idempotency_key=""),
            name="cases_case_reporter_key_unique")]
        # The unit's case list: tab counts over its open states read (unit, state,
        # deadline) from the index alone; its page order is the second index's, so a page
        # is an index scan of 20 entries, not a sort of the unit's whole history.
        indexes = [models.Index(fields=["handling_unit", "state", "deadline_at"],
                                name="cases_case_unit_state_due"),
                   models.Index(fields=["handling_unit", "deadline_at", "-reported_at", "id"],
                                name="cases_case_unit_queue")]

    def __str__(self):
        return self.number or f"案件#{self.pk}"

    @property
    def case_type(self):
        return self.type_version.case_type


class CaseEvent(TrackedModel):
    """One step on a case's timeline: who, when, where, why."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="events")
    kind = models.CharField("环节", max_length=20, choices=EventType.choices)
    from_state = models.CharField("原状态", max_length=12, choices=CaseState.choices,
                                  blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=CaseState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="case_events")
    unit = models.ForeignKey(Unit, verbose_name="涉及单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="case_events")
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.TextField("说明/理由", blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # A phone's key for a 重复上报 (do_join): the same sighting sent twice is one step.
    idempotency_key = models.CharField("客户端幂等键", max_length=64, blank=True,
                                       editable=False)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = "案件环节"
        verbose_name_plural = "案件环节"
        ordering = ["case", "at", "pk"]
        constraints = [models.UniqueConstraint(
            fields=["case", "actor", "idempotency_key"], condition=~Q(idempotency_key=""),
            name="cases_event_actor_key_unique")]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"

    def _stored(self) -> bool:
        return self.pk is not None and CaseEvent._base_manager.filter(pk=self.pk).exists()

    def save(self, *args, **kwargs):
        # Append-only: the first save is the only one (an instance given a stored pk too).
        if self._stored():
            raise PermissionDenied(FROZEN_EVENT)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(FROZEN_EVENT)


class CasePhoto(TrackedModel):
    """A photo checked by content (core.uploads); GPS from EXIF where the phone kept it."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="photos")
    event = models.ForeignKey(CaseEvent, verbose_name="环节", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="photos")
    stage = models.CharField("照片类别", max_length=10, choices=PhotoStage.choices)
    file = models.FileField("照片", upload_to="cases/%Y/%m/")
    thumbnail = models.FileField("缩略图", upload_to="cases/thumbs/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200)
    mime_type = models.CharField("文件格式", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("校验值", max_length=64)
    gps_lon = models.FloatField("拍摄经度", null=True, blank=True)
    gps_lat = models.FloatField("拍摄纬度", null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = "案件照片"
        verbose_name_plural = "案件照片"
        ordering = ["case", "created_at"]

    def __str__(self):
        return self.original_name


class ExtensionRequest(TrackedModel):
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("延期理由")
    amount = models.PositiveIntegerField("申请延长时限")
    unit = models.CharField("时限单位", max_length=4, choices=LimitUnit.choices)
    status = models.CharField("审批状态", max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    # The 派遣/改派 this request extends: a later 改派 starts a new clock without it.
    dispatch_event = models.ForeignKey(CaseEvent, verbose_name="所属派遣环节", null=True,
                                       blank=True, on_delete=models.PROTECT,
                                       related_name="+", editable=False)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["case", "created_at"]
        constraints = [models.UniqueConstraint(
            fields=["case"], condition=Q(status="pending"),
            name="cases_extension_one_pending")]

    def __str__(self):
        return f"{self.case} 延期申请"

    def clean(self):
        super().clean()
        validate_limit(self.amount, self.unit, "amount")


class CasePause(TrackedModel):
    """An interval in which the case's clock stands still: a 挂账 (open-ended until resumed).
    An approved 延期 adds time to the limit instead (cases.actions.compute_deadline); rows of
    kind 延期 written before that change are not counted."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT,
                             related_name="pauses")
    kind = models.CharField("暂停类型", max_length=10, choices=PauseKind.choices)
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间", null=True, blank=True)
    extension = models.OneToOneField(ExtensionRequest, verbose_name="延期申请", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="pause")

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = "计时暂停"
        verbose_name_plural = "计时暂停"
        ordering = ["case", "start"]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"

    def as_pause(self):
        """The (start, end) pair cases.workclock takes."""
        return (self.start, self.end)


from cases.models_stats import *  # noqa: E402,F401,F403  (performance roll-ups)
