from django.db import models


class Verdict(models.TextChoices):
    PASS = "pass", "符合"
    CONDITIONAL = "conditional", "有条件符合"
    FAIL = "fail", "不符合"
