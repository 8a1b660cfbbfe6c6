from django.db import models


class Stage(models.TextChoices):
    PLANNING = "planning", "谋划"
    PRELIMINARY = "preliminary", "前期"
    CONSTRUCTION = "construction", "在建"
    COMPLETED = "completed", "竣工"
    IN_USE = "in_use", "投用"
    SUSPENDED = "suspended", "停工"


# Stages in which a project owes a progress report every period.
REPORTING_STAGES = frozenset({Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.SUSPENDED})
FINISHED_STAGES = frozenset({Stage.COMPLETED, Stage.IN_USE})


class Colour(models.TextChoices):
    """亮灯 colours, worst last among the three that rank; grey and blue are states."""

    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"
    GREY = "grey", "未开工"
    BLUE = "blue", "已完工"


COLOUR_RANK = {Colour.GREY: 0, Colour.BLUE: 0, Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}
COLOUR_HEX = {Colour.GREEN: "#16a34a", Colour.YELLOW: "#d97706", Colour.RED: "#dc2626",
              Colour.GREY: "#9ca3af", Colour.BLUE: "#2563eb"}
COLOUR_ICON = {Colour.GREEN: "●", Colour.YELLOW: "▲", Colour.RED: "■", Colour.GREY: "○",
               Colour.BLUE: "✔"}


class Dimension(models.TextChoices):
    MILESTONES = "milestones", "节点"
    INVESTMENT = "investment", "投资"
    REPORTING = "reporting", "填报"
    PROCEDURES = "procedures", "手续"


class ProcedureKind(models.TextChoices):
    APPROVAL = "approval", "立项"
    LAND_PREAPPROVAL = "land_pre", "用地预审"
    PLANNING_PERMIT = "planning", "规划许可"
    CONSTRUCTION_PERMIT = "construction", "施工许可"
    EIA = "eia", "环评"
    FUNDING = "funding", "资金落实"
    LAND_USE = "land_use", "土地供应"


class ProcedureStatus(models.TextChoices):
    PENDING = "pending", "未办理"
    IN_PROGRESS = "in_progress", "办理中"
    DONE = "done", "已完成"
    NOT_NEEDED = "not_needed", "无需办理"


class ProcedureClaimStatus(models.TextChoices):
    """A unit's 办结 claim for a procedure, as the office decides on it."""

    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    RETURNED = "returned", "已退回"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已审核"
    MISSING = "missing", "未报送"


class RebaselineStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class InvestmentMode(models.TextChoices):
    POINTS = "points", "落后序时进度的百分点"
    RELATIVE = "relative", "落后序时进度的比例"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "文件"


class TransitionTrigger(models.TextChoices):
    REPORT = "report", "填报"
    MILESTONE = "milestone", "节点变化"
    RULES = "rules", "规则变化"
    SCHEDULE = "schedule", "定时重算"
    PROJECT = "project", "项目变化"
