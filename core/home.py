"""Home-page panels: each app contributes panels for the roles they concern.

A panel is a template plus a function that builds its context for a user;
the home page shows the panels whose `allowed(user)` is true, in order.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class HomePanel:
    key: str
    title: str
    template: str
    allowed: Callable[[object], bool]
    context: Callable[[object], dict]
    order: int = 0


_panels: dict[str, HomePanel] = {}


def register_panel(panel: HomePanel):
    _panels[panel.key] = panel


def panels_for(user) -> list[dict]:
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        if panel.allowed(user):
            shown.append({"panel": panel, **panel.context(user)})
    return shown
