from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    APPROVED = "approved", "已批准"
    CLOSED = "closed", "已结束"


class PlanKind(models.TextChoices):
    PROJECT_LEDGER = "project_ledger", "项目台账"
    TOWN_WORK_LEDGER = "town_work_ledger", "乡镇工作台账"
