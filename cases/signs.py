"""The public road-chief sign (路长公示牌) of a segment, as data for the sign page and the API.

A sign on the street shows 路名, the stretch (起点—终点), the three levels of road chiefs with
their phones, and the 监督电话 citizens call (12319 城管热线 unless the setting
CASES_SUPERVISION_PHONE names another). Phones are masked with the organisation's own rule
(org.models.mask_phone: 138****5678): the sign is public, so no full number leaves here.
"""

from django.conf import settings

from cases.choices import RoadChiefLevel
from org.models import mask_phone

DEFAULT_SUPERVISION_PHONE = "12319"


def supervision_phone() -> str:
    return getattr(settings, "CASES_SUPERVISION_PHONE", "") or DEFAULT_SUPERVISION_PHONE


def sign_for_segment(segment) -> dict:
    """The sign's content, JSON-ready. Every level is listed, in order 市级, 区级(街道), 社区;
    a level without an active chief has `vacant` True and empty name and phone (the sign
    shows "待定", never an archived chief)."""
    chiefs = {chief.level: chief for chief in
              segment.chiefs.filter(archived_at__isnull=True).select_related("person")}
    levels = []
    for level in RoadChiefLevel:
        chief = chiefs.get(level.value)
        person = chief.person if chief else None
        levels.append({
            "level": level.value,
            "level_label": level.label,
            "vacant": person is None,
            "name": person.name if person else "",
            "title": person.title if person else "",
            "phone": mask_phone(person.phone) if person else "",
        })
    return {
        "segment_id": segment.pk,
        "road": segment.road.name,
        "segment": segment.name,
        "start": segment.start_name,
        "end": segment.end_name,
        "stretch": f"{segment.start_name}—{segment.end_name}",
        "chiefs": levels,
        "supervision_phone": supervision_phone(),
    }
