"""The project ledger: projects, year plans, milestones, procedures, reports, status.

Row-level scope: `Project.objects.visible_to(user)`; every child model scopes
through its project (`visible_to` filters on `project__in`).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import TrackedModel, TrackedQuerySet
from org.models import CityLeader, Person, Unit, user_unit_ids
from org.roles import Cap, Reach, has_cap, reach_of
from plans.models import Category, CoreDistrict, Plan, Programme, Task
from projects.choices import (
    Colour,
    InvestmentMode,
    ProcedureClaimStatus,
    ProcedureKind,
    ProcedureStatus,
    RebaselineStatus,
    ReportStatus,
    Stage,
    TransitionTrigger,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class StatusRuleSet(TrackedModel):
    """亮灯 thresholds. Presets are rows; a plan picks one through PlanReporting."""

    name = models.CharField("规则名称", max_length=50, unique=True)
    preset = models.SlugField("预设标识", max_length=30, unique=True)
    description = models.TextField("说明", blank=True)
    milestone_notice_days = models.PositiveSmallIntegerField("节点临期提醒天数", default=7)
    milestone_red_days = models.PositiveSmallIntegerField("节点超期转红天数", default=7,
                                                          help_text="超期不超过该天数为黄灯，超过为红灯")
    investment_mode = models.CharField("投资比较方式", max_length=10, choices=InvestmentMode.choices,
                                       default=InvestmentMode.POINTS)
    investment_yellow = models.DecimalField("投资黄灯阈值", max_digits=5, decimal_places=1,
                                            default=Decimal("10"))
    investment_red = models.DecimalField("投资红灯阈值", max_digits=5, decimal_places=1,
                                         default=Decimal("30"))
    report_yellow_periods = models.PositiveSmallIntegerField("连续未报黄灯期数", default=1)
    report_red_periods = models.PositiveSmallIntegerField("连续未报红灯期数", default=2)
    procedure_red_days = models.PositiveSmallIntegerField("手续逾期转红天数", default=30)
    catchup_periods = models.PositiveSmallIntegerField("红灯整改观察期（期）", default=1)

    class Meta:
        verbose_name = "亮灯规则"
        verbose_name_plural = "亮灯规则"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class PlanReporting(TrackedModel):
    """A plan's reporting rhythm (weekly by default, due Friday 17:00) and its rule set."""

    plan = models.OneToOneField(Plan, verbose_name="计划", on_delete=models.PROTECT,
                                related_name="reporting")
    cycle_days = models.PositiveSmallIntegerField("填报周期（天）", default=7,
                                                  validators=[MinValueValidator(1)])
    anchor = models.DateField("周期起算日", default=dt.date(2024, 1, 1),
                              help_text="每个周期从该日起按周期天数划分（默认周一）")
    deadline_offset_days = models.PositiveSmallIntegerField("截止日（周期内第几天，0起）", default=4)
    deadline_time = models.TimeField("截止时间", default=dt.time(17, 0))
    rule_set = models.ForeignKey(StatusRuleSet, verbose_name="亮灯规则", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "填报周期"
        verbose_name_plural = "填报周期"

    def __str__(self):
        return f"{self.plan}：每{self.cycle_days}天"

    def period_start(self, day: dt.date) -> dt.date:
        offset = (day - self.anchor).days % self.cycle_days
        return day - dt.timedelta(days=offset)

    def deadline(self, period_start: dt.date) -> dt.datetime:
        day = period_start + dt.timedelta(days=self.deadline_offset_days)
        return timezone.make_aware(dt.datetime.combine(day, self.deadline_time))

    def period_end(self, period_start: dt.date) -> dt.date:
        return period_start + dt.timedelta(days=self.cycle_days - 1)


class ProjectQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        if not has_cap(user, Cap.VIEW_PROJECTS):
            return self.none()
        qs = self.active()
        reach = reach_of(user)
        if reach == Reach.CITY:
            return qs
        if reach == Reach.ASSIGNMENTS:
            leader = CityLeader.objects.filter(person_id=user.person_id).first()
            if leader is None:
                return qs.none()
            units = leader.assignments.active().values("unit_id")
            return qs.filter(models.Q(leader=leader) | models.Q(lead_unit_id__in=units))
        units = user_unit_ids(user)
        return qs.filter(models.Q(lead_unit_id__in=units)
                         | models.Q(cooperating_units__in=units)).distinct()

    def editable_by(self, user):
        """Projects whose reports the user may file: the lead unit's own."""
        if has_cap(user, Cap.MANAGE_PROJECTS):
            return self.visible_to(user)
        if not has_cap(user, Cap.SUBMIT_REPORTS):
            return self.none()
        return self.active().filter(lead_unit_id__in=user_unit_ids(user))


class Project(TrackedModel):
    """A ledger project (台账项目)."""

    code = models.CharField("项目编号", max_length=20, unique=True, editable=False)
    name = models.CharField("项目名称", max_length=200)
    plan = models.ForeignKey(Plan, verbose_name="所属计划", on_delete=models.PROTECT,
                             related_name="projects")
    category = models.ForeignKey(Category, verbose_name="项目类别", on_delete=models.PROTECT,
                                 related_name="projects")
    task = models.ForeignKey(Task, verbose_name="建设任务", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="projects")
    programme = models.ForeignKey(Programme, verbose_name="专项工程", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="projects")
    core_district = models.ForeignKey(CoreDistrict, verbose_name="核心板块", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="projects")
    content = models.TextField("建设内容及规模", blank=True)
    geometry = models.JSONField("位置（GeoJSON）", null=True, blank=True)
    min_lon = models.FloatField("最小经度", null=True, blank=True, editable=False, db_index=True)
    min_lat = models.FloatField("最小纬度", null=True, blank=True, editable=False, db_index=True)
    max_lon = models.FloatField("最大经度", null=True, blank=True, editable=False)
    max_lat = models.FloatField("最大纬度", null=True, blank=True, editable=False)
    total_investment = models.DecimalField("总投资（万元）", **MONEY,
                                           validators=[MinValueValidator(Decimal("0"))])
    start_date = models.DateField("计划开工日期", null=True, blank=True)
    finish_date = models.DateField("计划完工日期", null=True, blank=True)
    stage = models.CharField("建设阶段", max_length=16, choices=Stage.choices,
                             default=Stage.PLANNING, db_index=True)
    stage_changed_on = models.DateField("阶段变更日期", null=True, blank=True)
    stage_reason = models.CharField("停工/复工原因", max_length=200, blank=True)
    lead_unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT,
                                  related_name="led_projects")
    cooperating_units = models.ManyToManyField(Unit, verbose_name="配合单位", blank=True,
                                               related_name="cooperating_projects")
    responsible_person = models.ForeignKey(Person, verbose_name="责任人", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="projects")
    responsible_name = models.CharField(
        "责任人（未关联人员）", max_length=50, blank=True,
        help_text="台账中填写、人员目录中尚无的责任人姓名；关联人员后清空")
    leader = models.ForeignKey(CityLeader, verbose_name="分包领导", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="projects")
    special_team = models.BooleanField("专班推进", default=False)
    problems = models.TextField("存在问题", blank=True,
                                help_text="最近一期填报的存在问题（由填报自动更新）")
    # 整改措施: what the lead unit is doing about the project's colour now, read by its
    # leader on 我的分包 (projects/views_leader.py); earlier versions are in the history.
    measures = models.TextField("当前措施", blank=True,
                                help_text="责任单位正在采取的措施（由责任单位填写）")
    measures_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="措施填写人",
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)
    measures_at = models.DateTimeField("措施更新时间", null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["code"]
        indexes = [models.Index(fields=["plan", "category"]),
                   models.Index(fields=["lead_unit", "stage"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    def get_history_url(self):
        return reverse("projects:project_history", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_date and self.finish_date and self.finish_date < self.start_date:
            raise ValidationError({"finish_date": "计划完工日期不能早于计划开工日期。"})
        for field in ("category", "task", "programme"):
            item = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if item is not None and item.plan_id != self.plan_id:
                raise ValidationError({field: "所选分类不属于该项目的计划。"})


class ProjectYearPlan(TrackedModel):
    """年度计划投资 and its monthly 序时 schedule (cumulative 万元 at each month's end)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="year_plans")
    year = models.PositiveSmallIntegerField("年度")
    planned_investment = models.DecimalField("年度计划投资（万元）", **MONEY,
                                             validators=[MinValueValidator(Decimal("0"))])
    monthly_cumulative = models.JSONField("逐月累计计划（万元）", default=list,
                                          help_text="12个数，第N个为1—N月累计计划投资")

    class Meta:
        verbose_name = "年度投资计划"
        verbose_name_plural = "年度投资计划"
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"],
                                               name="projects_yearplan_unique")]

    def __str__(self):
        return f"{self.project.code} {self.year}年"

    def schedule(self) -> list[Decimal]:
        """The monthly cumulative plan; an empty schedule means the default even spread."""
        from projects.status import even_schedule

        if not self.monthly_cumulative:
            return even_schedule(self.planned_investment)
        return [Decimal(str(v)) for v in self.monthly_cumulative]

    def clean(self):
        super().clean()
        values = self.monthly_cumulative
        if not values:
            return  # the default even spread (see schedule())
        if len(values) != 12:
            raise ValidationError({"monthly_cumulative": "逐月累计计划须为12个月。"})
        try:
            numbers = [Decimal(str(v)) for v in values]
        except Exception:
            raise ValidationError({"monthly_cumulative": "逐月累计计划须为数字。"}) from None
        if any(b < a for a, b in zip(numbers, numbers[1:], strict=False)):
            raise ValidationError({"monthly_cumulative": "逐月累计计划不能逐月减少。"})
        if numbers[-1] != self.planned_investment:
            raise ValidationError({"monthly_cumulative": "12月累计计划应等于年度计划投资。"})


class ChildQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        return self.active().filter(project__in=Project.objects.visible_to(user))


class ProcedureItem(TrackedModel):
    """One preliminary procedure (前期手续) and where it stands."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="procedures")
    kind = models.CharField("手续", max_length=16, choices=ProcedureKind.choices)
    status = models.CharField("办理状态", max_length=16, choices=ProcedureStatus.choices,
                              default=ProcedureStatus.PENDING)
    required_by = models.DateField("应办结日期", null=True, blank=True)
    done_on = models.DateField("办结日期", null=True, blank=True)
    document_no = models.CharField("批复文号", max_length=100, blank=True)
    # 批复文件 are Attachments pointing here (`procedure.documents`).

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "前期手续"
        verbose_name_plural = "前期手续"
        ordering = ["project", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"],
                                               name="projects_procedure_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_done(self) -> bool:
        return self.status in (ProcedureStatus.DONE, ProcedureStatus.NOT_NEEDED)


class Milestone(TrackedModel):
    """节点计划. `baseline_date` is the date when the plan was approved; moving
    `planned_date` afterwards goes through an approved RebaselineRequest."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="milestones")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("节点名称", max_length=100)
    planned_date = models.DateField("计划完成日期")
    baseline_date = models.DateField("基线日期", null=True, blank=True, editable=False)
    actual_date = models.DateField("实际完成日期", null=True, blank=True)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0"))])
    reached_in = models.ForeignKey("ProgressReport", verbose_name="填报完成于", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="reached",
                                   editable=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"],
                                               name="projects_milestone_seq_unique")]

    def __str__(self):
        return self.name


class RebaselineQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """A request is seen by whoever sees its milestone's project."""
        return self.active().filter(milestone__project__in=Project.objects.visible_to(user))


class RebaselineRequest(TrackedModel):
    """A request to move an approved milestone's planned date."""

    milestone = models.ForeignKey(Milestone, verbose_name="节点", on_delete=models.PROTECT,
                                  related_name="rebaselines")
    old_date = models.DateField("原计划日期")
    new_date = models.DateField("申请调整为")
    reason = models.TextField("调整理由")
    status = models.CharField("状态", max_length=16, choices=RebaselineStatus.choices,
                              default=RebaselineStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.PROTECT, related_name="+", null=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    objects = RebaselineQuerySet.as_manager()

    class Meta:
        verbose_name = "节点调整申请"
        verbose_name_plural = "节点调整申请"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.milestone}：{self.old_date} → {self.new_date}"


class ReportQuerySet(ChildQuerySet):
    pass


class ProgressReport(TrackedModel):
    """调度填报 for one project and one period. MISSING rows record reports not
    filed by the deadline; filing one later turns it into a late submission."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="reports")
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    deadline = models.DateTimeField("截止时间")
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT, db_index=True)
    is_late = models.BooleanField("迟报", default=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    investment_period = models.DecimalField("本期完成投资（万元）", **MONEY, default=Decimal("0"),
                                            validators=[MinValueValidator(Decimal("0"))])
    investment_year_cumulative = models.DecimalField(
        "年度累计完成投资（万元）", **MONEY, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))])
    progress_text = models.TextField("形象进度", blank=True)
    progress_percent = models.PositiveSmallIntegerField(
        "形象进度（%）", default=0, validators=[MaxValueValidator(100)])
    correction_note = models.CharField("更正说明", max_length=200, blank=True,
                                       help_text="累计投资比上期减少时必须说明")
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "进度填报"
        verbose_name_plural = "进度填报"
        ordering = ["project", "-period_start"]
        constraints = [models.UniqueConstraint(fields=["project", "period_start"],
                                               name="projects_report_period_unique")]
        indexes = [models.Index(fields=["project", "status", "period_start"])]

    def __str__(self):
        return f"{self.project.code} {self.period_start:%Y-%m-%d}周"

    def get_absolute_url(self):
        return reverse("projects:report_detail", args=[self.pk])


class ReportProblem(TrackedModel):
    """存在问题/需协调事项 raised in a report; the supervision app turns them into action items."""

    report = models.ForeignKey(ProgressReport, verbose_name="填报", on_delete=models.PROTECT,
                               related_name="problem_items")
    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="problem_items")
    description = models.TextField("问题描述")
    coordinate_with = models.CharField("需协调单位/事项", max_length=200, blank=True,
                                       help_text="早期填报的文字；此后按需协调单位选择")
    coordinate_units = models.ManyToManyField(Unit, verbose_name="需协调单位", blank=True,
                                              related_name="coordination_problems")
    resolved = models.BooleanField("已解决", default=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "存在问题"
        verbose_name_plural = "存在问题"
        ordering = ["-created_at"]

    def __str__(self):
        return self.description[:40]


class Attachment(TrackedModel):
    """A photo or document checked by content; photos get a thumbnail and EXIF GPS."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT,
                                related_name="attachments")
    milestone = models.ForeignKey(Milestone, verbose_name="节点", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="evidence")
    report = models.ForeignKey(ProgressReport, verbose_name="填报", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="photos")
    procedure = models.ForeignKey(ProcedureItem, verbose_name="前期手续（批复文件）", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("类型", max_length=10, choices=[("photo", "照片"),
                                                            ("document", "文件")])
    file = models.FileField("文件", upload_to="attachments/%Y/%m/")
    thumbnail = models.FileField("缩略图", upload_to="thumbnails/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200)
    mime_type = models.CharField("文件格式", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("校验值", max_length=64)
    gps_lon = models.FloatField("拍摄经度", null=True, blank=True)
    gps_lat = models.FloatField("拍摄纬度", null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    def get_file_url(self):
        """The scoped, audited download (core/files.py); nothing is served from MEDIA_URL."""
        return reverse("projects:attachment_file", args=[self.pk])

    def get_thumbnail_url(self):
        return reverse("projects:attachment_thumbnail", args=[self.pk]) if self.thumbnail else ""


class ProjectStatus(models.Model):
    """The current 亮灯 of a project (derived; the history is in StatusTransition)."""

    project = models.OneToOneField(Project, verbose_name="项目", on_delete=models.CASCADE,
                                   related_name="status", primary_key=True)
    overall = models.CharField("总体", max_length=8, choices=Colour.choices, db_index=True)
    milestones = models.CharField("节点", max_length=8, choices=Colour.choices)
    investment = models.CharField("投资", max_length=8, choices=Colour.choices)
    reporting = models.CharField("填报", max_length=8, choices=Colour.choices)
    procedures = models.CharField("手续", max_length=8, choices=Colour.choices)
    reasons = models.JSONField("原因", default=dict)
    red_hold_until = models.DateField("红灯整改观察期至", null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")
    as_of = models.DateField("计算基准日")

    class Meta:
        verbose_name = "亮灯状态"
        verbose_name_plural = "亮灯状态"

    def __str__(self):
        return f"{self.project_id}: {self.get_overall_display()}"

    def all_reasons(self) -> list[str]:
        return [r for dim in ("overall", "milestones", "investment", "reporting", "procedures")
                for r in self.reasons.get(dim, [])]


class TransitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A colour change is seen by whoever sees its project."""
        return self.filter(project__in=Project.objects.visible_to(user))


class StatusTransition(models.Model):
    """One colour change: the facts that on-time rates and trends are derived from."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE,
                                related_name="transitions")
    dimension = models.CharField("维度", max_length=12)
    from_colour = models.CharField("原颜色", max_length=8, choices=Colour.choices, blank=True)
    to_colour = models.CharField("新颜色", max_length=8, choices=Colour.choices)
    reasons = models.JSONField("原因", default=list)
    at = models.DateTimeField("时间", db_index=True)
    as_of = models.DateField("计算基准日")
    trigger = models.CharField("触发", max_length=12, choices=TransitionTrigger.choices)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        verbose_name = "亮灯变化"
        verbose_name_plural = "亮灯变化"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "dimension", "at"])]

    def __str__(self):
        return f"{self.project_id} {self.dimension}: {self.from_colour}→{self.to_colour}"


class ProcedureClaimQuerySet(TrackedQuerySet):
    def visible_to(self, user):
        """A claim is seen by whoever sees its procedure's project."""
        return self.active().filter(procedure__project__in=Project.objects.visible_to(user))


class ProcedureClaim(TrackedModel):
    """A unit's statement that a preliminary procedure is done (办结), for the office to
    confirm: the procedure counts as done only once someone else in the office confirms."""

    procedure = models.ForeignKey(ProcedureItem, verbose_name="前期手续", on_delete=models.PROTECT,
                                  related_name="claims")
    done_on = models.DateField("办结日期")
    document_no = models.CharField("批复文号", max_length=100)
    document = models.ForeignKey(Attachment, verbose_name="批复文件", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField("确认状态", max_length=16, choices=ProcedureClaimStatus.choices,
                              default=ProcedureClaimStatus.PENDING, db_index=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人", null=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.CharField("确认意见", max_length=200, blank=True)

    objects = ProcedureClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "手续办结申报"
        verbose_name_plural = "手续办结申报"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["procedure"], condition=models.Q(status="pending"),
            name="projects_procedureclaim_one_pending")]

    def __str__(self):
        return f"{self.procedure.get_kind_display()}办结（{self.get_status_display()}）"
