"""Who handles a case: the routing proposal the desk sees when dispatching (pure, no database).

部件 先属主后属地: a component's owner unit handles it, else the locality (the grid's street).
事件 先属地后属主: the locality handles it, else the type's default owner unit.
Where no owner is clear the locality takes it (属地兜底); with neither, the desk decides.
"""

from dataclasses import dataclass

from cases.choices import CaseKind


@dataclass(frozen=True)
class Proposal:
    unit_id: int | None
    rule: str  # why, in Chinese, shown beside the proposal


def propose_unit(*, kind: str, owner_first: bool | None = None, component_owner_id=None,
                 street_unit_id=None, default_owner_id=None) -> Proposal:
    """The unit the rules propose. `owner_first` defaults from the kind (部件 True, 事件 False);
    a type version may set it explicitly."""
    if owner_first is None:
        owner_first = kind == CaseKind.COMPONENT
    owner_id = component_owner_id if kind == CaseKind.COMPONENT else None
    owner_id = owner_id or default_owner_id
    if owner_first:
        if owner_id:
            return Proposal(owner_id, "先属主：部件权属单位" if component_owner_id and
                            kind == CaseKind.COMPONENT else "先属主：案件类型主管单位")
        if street_unit_id:
            return Proposal(street_unit_id, "后属地：权属不明，由所在街道兜底")
    else:
        if street_unit_id:
            return Proposal(street_unit_id, "先属地：所在街道")
        if owner_id:
            return Proposal(owner_id, "后属主：案件类型主管单位")
    return Proposal(None, "无法确定责任单位，请指挥中心指定")


def _live(unit):
    """The unit's id unless it is archived: an archived unit is never proposed, the next
    rule applies instead (a merged street, a dissolved 主管单位)."""
    return unit.pk if unit is not None and not unit.is_archived else None


def propose_for_case(case) -> Proposal:
    """The proposal for a stored case (reads its component, grid and type version)."""
    version = case.type_version
    component = case.component
    grid = case.grid
    return propose_unit(
        kind=version.case_type.kind, owner_first=version.owner_first,
        component_owner_id=_live(component.owner_unit) if component else None,
        street_unit_id=_live(grid.street_unit) if grid else None,
        default_owner_id=_live(version.default_owner))
