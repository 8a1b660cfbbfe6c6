"""What is being done about a set of projects, as higher apps know it (交办事项, 领导批示,
整改要求), for pages of the ledger such as 我的分包 (projects/views_leader.py).

The ledger never imports those apps: an app that has follow-ups for projects puts a
`followups.py` module beside its models with `followups_for(projects, user)`, returning
{project id: [FollowUp, ...]} read through its own `visible_to(user)` in a fixed number of
queries. They are found here by that name, as Django's admin finds `admin.py`.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

MODULE = "followups"


@dataclass(frozen=True)
class FollowUp:
    """One open piece of work about a project, as a card lists it."""

    kind: str              # 领导批示 / 交办事项 / 整改要求, as the reader says it
    title: str
    unit: str              # who owes it
    deadline: date | None
    status: str            # its state, as a label
    url: str
    overdue: bool = False
    by: str = ""           # whose 批示, who issued


@cache
def _providers() -> tuple:
    found = []
    for config in apps.get_app_configs():
        if config.name != "projects" and module_has_submodule(config.module, MODULE):
            found.append(import_module(f"{config.name}.{MODULE}").followups_for)
    return tuple(found)


def followups_for(projects, user) -> dict[int, list[FollowUp]]:
    """Every provider's open follow-ups of these projects that the user may see, each
    project's list ordered by deadline (undated last)."""
    merged: dict[int, list[FollowUp]] = {}
    if not projects:
        return merged
    for provider in _providers():
        for project_id, rows in provider(projects, user).items():
            merged.setdefault(project_id, []).extend(rows)
    for rows in merged.values():
        rows.sort(key=lambda f: (f.deadline is None, f.deadline or date.max))
    return merged
