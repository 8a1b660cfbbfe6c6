"""Routing: 部件 先属主后属地, 事件 先属地后属主, unclear owner → the locality."""

import pytest

from cases.choices import CaseKind
from cases.routing import propose_for_case, propose_unit

OWNER, STREET, DEFAULT = 11, 22, 33
C, E = CaseKind.COMPONENT, CaseKind.EVENT


@pytest.mark.parametrize(("kind", "component_owner", "street", "default", "expected"), [
    # 部件: the component's owner first
    (C, OWNER, STREET, DEFAULT, OWNER),
    (C, OWNER, None, None, OWNER),
    # 部件 without a known component: the type's 主管单位 is the owner
    (C, None, STREET, DEFAULT, DEFAULT),
    # 部件 with an unclear owner: the locality (the grid's street)
    (C, None, STREET, None, STREET),
    # 事件: the locality first, whatever the owners
    (E, None, STREET, DEFAULT, STREET),
    (E, OWNER, STREET, DEFAULT, STREET),
    # 事件 outside any grid: the type's owner
    (E, None, None, DEFAULT, DEFAULT),
    # 事件 ignores a component's owner (it is not a 部件 case)
    (E, OWNER, None, None, None),
    # nothing known: the desk decides
    (C, None, None, None, None),
    (E, None, None, None, None),
])
def test_routing_table(kind, component_owner, street, default, expected):
    proposal = propose_unit(kind=kind, component_owner_id=component_owner,
                            street_unit_id=street, default_owner_id=default)
    assert proposal.unit_id == expected
    assert proposal.rule


def test_a_type_version_may_override_the_kind_default():
    proposal = propose_unit(kind=E, owner_first=True, street_unit_id=STREET,
                            default_owner_id=DEFAULT)
    assert proposal.unit_id == DEFAULT


def test_unclear_owner_reason_names_the_locality():
    proposal = propose_unit(kind=C, street_unit_id=STREET)
    assert "属地" in proposal.rule


# --- propose_for_case: an archived unit is never proposed (the next rule applies) ---------

class _Unit:
    def __init__(self, pk, archived=False):
        self.pk, self.is_archived = pk, archived


class _Obj:
    def __init__(self, **fields):
        self.__dict__.update(fields)


def _case(kind, *, owner=None, street=None, default=None, owner_first=None):
    version = _Obj(case_type=_Obj(kind=kind), owner_first=owner_first, default_owner=default)
    component = _Obj(owner_unit=owner) if owner is not None else None
    grid = _Obj(street_unit=street) if street is not None else None
    return _Obj(type_version=version, component=component, grid=grid)


@pytest.mark.parametrize(("case", "expected"), [
    # 部件, the owner archived: the locality takes it
    (_case(C, owner=_Unit(OWNER, archived=True), street=_Unit(STREET), owner_first=True), STREET),
    # 部件, owner and street archived: the type's 主管单位
    (_case(C, owner=_Unit(OWNER, True), street=_Unit(STREET, True), default=_Unit(DEFAULT),
           owner_first=True), DEFAULT),
    # 事件, the street archived: the type's owner
    (_case(E, street=_Unit(STREET, True), default=_Unit(DEFAULT), owner_first=False), DEFAULT),
    # everything archived: the desk decides
    (_case(E, street=_Unit(STREET, True), default=_Unit(DEFAULT, True), owner_first=False), None),
    # nothing archived: as the table says
    (_case(E, street=_Unit(STREET), default=_Unit(DEFAULT), owner_first=False), STREET),
])
def test_an_archived_unit_is_never_proposed(case, expected):
    assert propose_for_case(case).unit_id == expected
