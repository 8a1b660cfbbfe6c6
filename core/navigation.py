"""The left navigation: apps register their pages; each item knows who may see it.

Groups follow the speech (台账 / 挂图作战 / 调度督查 / 考评 / 城市管理 / 老旧小区 / 指标),
then 组织与计划 and 系统管理. Only registered pages appear, so the menu never
links to a page that does not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

GROUP_ORDER = ["台账", "挂图作战", "调度督查", "考评", "城市管理", "老旧小区", "指标",
               "组织与计划", "系统管理"]


@dataclass
class NavItem:
    group: str
    label: str
    url_name: str
    allowed: Callable[[object], bool]
    order: int = 0


@dataclass
class NavGroup:
    label: str
    items: list[NavItem] = field(default_factory=list)


_items: list[NavItem] = []


def register(group: str, label: str, url_name: str, allowed, order: int = 0):
    if group not in GROUP_ORDER:
        raise ValueError(f"unknown navigation group {group!r}")
    if not any(i.url_name == url_name for i in _items):
        _items.append(NavItem(group, label, url_name, allowed, order))


def menu_for(user) -> list[NavGroup]:
    groups = {name: NavGroup(name) for name in GROUP_ORDER}
    for item in sorted(_items, key=lambda i: i.order):
        if item.allowed(user):
            groups[item.group].items.append(item)
    return [g for g in groups.values() if g.items]
