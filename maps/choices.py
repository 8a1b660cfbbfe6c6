from django.db import models


class Verdict(models.TextChoices):
    PASS = "pass", "符合"
    CONDITIONAL = "conditional", "有条件符合"
    FAIL = "fail", "不符合"


class BasemapKind(models.TextChoices):
    """What a line or area of the city's own basemap is (drawn under everything)."""

    AREA = "area", "行政区域"
    WATER = "water", "水系"
    ROAD = "road", "道路"
