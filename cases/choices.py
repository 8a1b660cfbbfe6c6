"""Status words of city-management cases (数字城管, GB/T 30428 practice)."""

from django.db import models


class CaseKind(models.TextChoices):
    COMPONENT = "component", "部件"
    EVENT = "event", "事件"


class CaseGroup(models.TextChoices):
    CLEAN = "clean", "洁化"
    ORDER = "order", "序化"
    GREEN = "green", "绿化"
    LIGHT = "light", "亮化"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class LimitUnit(models.TextChoices):
    """The unit names cases.workclock.deadline() takes."""

    HOUR = "hour", "工作时"
    DAY = "day", "工作日"


class CaseState(models.TextChoices):
    """上报 → 受理 → 立案 → 派遣 → 处置 → 核查 → 结案, with the exception paths."""

    REPORTED = "reported", "上报"
    ACCEPTED = "accepted", "受理"
    REGISTERED = "registered", "立案"
    REJECTED = "rejected", "不予立案"
    DISPATCHED = "dispatched", "已派遣"
    HANDLING = "handling", "处置中"
    HANDLED = "handled", "已处置"
    # 回退: the unit says the case is not its own; the desk decides (改派 or 不同意回退).
    RETURNED = "returned", "回退待审"
    CHECKING = "checking", "待核查"
    CHECKED = "checked", "核查通过"
    REWORK = "rework", "返工"
    CLOSED = "closed", "结案"
    HUNG = "hung", "挂账"
    VOID = "void", "作废"


class CaseSource(models.TextChoices):
    INSPECTOR = "inspector", "监督员上报"
    ROAD_CHIEF = "road_chief", "路长上报"
    CITIZEN = "citizen", "市民投诉"
    HOTLINE = "hotline", "12345转办"
    VIDEO = "video", "视频发现"
    LEADER = "leader", "领导交办"
    MEDIA = "media", "媒体曝光"
    INSPECTION = "inspection", "明察暗访"


class EventType(models.TextChoices):
    """Every step on a case's timeline (cases.workflow says which state each leads to)."""

    REPORT = "report", "上报"
    ACCEPT = "accept", "受理"
    VERIFY = "verify", "核实"
    REGISTER = "register", "立案"
    REJECT = "reject", "不予立案"
    DISPATCH = "dispatch", "派遣"
    START = "start", "签收"
    HANDLE = "handle", "处置"
    SEND_CHECK = "send_check", "派发核查"
    CHECK_PASS = "check_pass", "核查通过"
    CHECK_FAIL = "check_fail", "核查不通过"
    CLOSE = "close", "结案"
    RETURN = "return", "回退"
    REFUSE_RETURN = "refuse_return", "不同意回退"
    REASSIGN = "reassign", "改派"
    EXTENSION_REQUEST = "extension_request", "申请延期"
    EXTENSION_APPROVE = "extension_approve", "批准延期"
    EXTENSION_DENY = "extension_deny", "不予延期"
    HANG = "hang", "挂账"
    UNHANG = "unhang", "恢复办理"
    SUPERVISE = "supervise", "督办"
    VOID = "void", "作废"
    # A second reporter's sighting added to an open case instead of a duplicate.
    JOIN = "join", "重复上报"
    # The desk merges a duplicate report into the open case (the duplicate is voided).
    MERGE = "merge", "并案"


class RoadChiefLevel(models.TextChoices):
    CITY = "city", "市级路长"
    DISTRICT = "district", "区级(街道)路长"
    COMMUNITY = "community", "社区路长"


class ComponentState(models.TextChoices):
    GOOD = "good", "完好"
    DAMAGED = "damaged", "损坏"
    MISSING = "missing", "丢失"
    RETIRED = "retired", "废弃"


class PauseKind(models.TextChoices):
    EXTENSION = "extension", "延期"
    HANG = "hang", "挂账"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    DENIED = "denied", "不予批准"
    # A pending request that no longer applies: the case was returned or reassigned.
    CANCELLED = "cancelled", "已撤销"


class ClockStatus(models.TextChoices):
    """A case's clock as lists and maps show it (cases.clock)."""

    RUNNING = "running", "办理中"
    DUE_SOON = "due_soon", "即将超期"
    OVERDUE = "overdue", "超期"
    PAUSED = "paused", "暂停计时"
    NONE = "none", "未计时"


class PhotoStage(models.TextChoices):
    BEFORE = "before", "处置前"
    AFTER = "after", "处置后"
    CHECK = "check", "核查"
