from django.db import models


class MeetingKind(models.TextChoices):
    WEEKLY_DISPATCH = "weekly_dispatch", "每周工作调度"
    MONTHLY_MEETING = "monthly_meeting", "月度工作例会"
    QUARTERLY_ONSITE = "quarterly_onsite", "季度现场推进会"
    HALF_YEAR_EVALUATION = "half_year_evaluation", "半年阶段考评"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "按期举行"
    CANCELLED = "cancelled", "已取消"


class MeetingChangeKind(models.TextChoices):
    MOVED = "moved", "改期"
    CANCELLED = "cancelled", "取消"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "待办理"
    RESPONDED = "responded", "已反馈"
    RETURNED = "returned", "已退回"
    CLOSED = "closed", "已办结"


class ActionItemSource(models.TextChoices):
    MEETING = "meeting", "会议交办"
    REPORT_PROBLEM = "report_problem", "填报问题"
    LEADER = "leader", "领导交办"


class ActionEventKind(models.TextChoices):
    CREATED = "created", "交办"
    RESPONDED = "responded", "反馈"
    RETURNED = "returned", "退回"
    CLOSED = "closed", "办结"
    OVERDUE = "overdue", "逾期提醒"


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已印发"


class BulletinSection(models.TextChoices):
    RED_PROJECTS = "red_projects", "红灯项目"
    OVERDUE_MILESTONES = "overdue_milestones", "节点超期"
    MISSING_REPORTS = "missing_reports", "未按时报送进度"
    OVERDUE_ITEMS = "overdue_items", "交办事项逾期"
    CRITICISED = "criticised", "通报批评"  # a confirmed 通报 step of the escalation ladder


class RectificationStatus(models.TextChoices):
    PENDING = "pending", "待整改反馈"
    SUBMITTED = "submitted", "已反馈"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已通过"


class EscalationLevel(models.TextChoices):
    """The ladder: 提醒 → 督办函 → 通报 → 约谈 → 问责."""

    REMINDER = "reminder", "提醒"
    LETTER = "letter", "督办函"
    BULLETIN = "bulletin", "通报"
    INTERVIEW = "interview", "约谈"
    ACCOUNTABILITY = "accountability", "问责"


class EscalationStatus(models.TextChoices):
    PROPOSED = "proposed", "待决定"
    CONFIRMED = "confirmed", "已决定"
    DISMISSED = "dismissed", "不予采纳"
