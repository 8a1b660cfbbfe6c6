"""Extra sections of the project page contributed by higher apps (e.g. the conformity
check from maps), so projects never imports them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Section:
    key: str
    template: str
    context: Callable[[object, object], dict]  # (project, user) -> context
    order: int = 0


_sections: dict[str, Section] = {}


def register_section(section: Section):
    _sections[section.key] = section


def sections_for(project, user) -> list[dict]:
    return [{"section": s, **s.context(project, user)}
            for s in sorted(_sections.values(), key=lambda s: s.order)]
