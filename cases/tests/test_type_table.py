"""The demo's case-type table is well-formed data (no database, no models)."""

import re
from collections import Counter, defaultdict

import pytest

from cases.type_table import TYPE_TABLE

KEYS = {
    "kind", "major_code", "major_name", "minor_code", "minor_name", "group",
    "register_standard", "close_standard", "limits", "duplicate_radius_m", "owner_first",
}
GROUPS = {"clean", "order", "green", "light"}  # 洁化 序化 绿化 亮化
UNITS = {"hour", "day"}  # 工作时 工作日
MINUTES_PER_UNIT = {"hour": 60, "day": 450}  # 1 工作日 = 7.5 工作时 (08:30–12:00, 14:00–18:00)
TWO_DIGITS = re.compile(r"[0-9]{2}\Z", re.ASCII)


def minutes(limit):
    amount, unit = limit
    return amount * MINUTES_PER_UNIT[unit]


def find(kind, name):
    rows = [r for r in TYPE_TABLE if r["kind"] == kind and r["minor_name"] == name]
    assert len(rows) == 1, (kind, name)
    return rows[0]


def test_every_row_has_exactly_the_agreed_keys():
    for row in TYPE_TABLE:
        assert set(row) == KEYS, row["minor_name"]


def test_size_is_realistic_and_both_kinds_present():
    kinds = Counter(r["kind"] for r in TYPE_TABLE)
    assert set(kinds) == {"component", "event"}
    assert 60 <= len(TYPE_TABLE) <= 90


def test_codes_are_two_ascii_digits():
    for row in TYPE_TABLE:
        assert TWO_DIGITS.match(row["major_code"]), row
        assert TWO_DIGITS.match(row["minor_code"]), row
        assert row["major_code"] != "00" and row["minor_code"] != "00"


def test_codes_unique_per_kind_major_minor():
    keys = Counter((r["kind"], r["major_code"], r["minor_code"]) for r in TYPE_TABLE)
    assert [k for k, n in keys.items() if n > 1] == []


def test_minor_names_unique_per_kind():
    # the phone's type picker searches by name; two rows with one name would be ambiguous
    names = Counter((r["kind"], r["minor_name"]) for r in TYPE_TABLE)
    assert [k for k, n in names.items() if n > 1] == []


def test_every_major_has_a_99_other():
    majors = defaultdict(set)
    for row in TYPE_TABLE:
        majors[(row["kind"], row["major_code"])].add(row["minor_code"])
    for major, minors in majors.items():
        assert "99" in minors, major
    for row in TYPE_TABLE:
        if row["minor_code"] == "99":
            assert row["minor_name"].startswith("其他"), row["minor_name"]


def test_major_name_consistent_within_its_code():
    names = defaultdict(set)
    for row in TYPE_TABLE:
        names[(row["kind"], row["major_code"])].add(row["major_name"])
    assert {k: v for k, v in names.items() if len(v) != 1} == {}


def test_major_classes_follow_the_standard():
    majors = {(r["kind"], r["major_code"]): r["major_name"] for r in TYPE_TABLE}
    assert majors == {
        ("component", "01"): "公用设施",
        ("component", "02"): "道路交通",
        ("component", "03"): "市容环境",
        ("component", "04"): "园林绿化",
        ("component", "05"): "房屋土地",
        ("component", "06"): "其他设施",
        ("event", "01"): "市容环境",
        ("event", "02"): "宣传广告",
        ("event", "03"): "施工管理",
        ("event", "04"): "突发事件",
        ("event", "05"): "街面秩序",
        ("event", "06"): "其他事件",
    }


def test_groups_valid_and_all_four_used():
    assert {r["group"] for r in TYPE_TABLE} == GROUPS


def test_lighting_items_are_in_the_light_group():
    assert find("component", "路灯不亮")["group"] == "light"
    assert find("component", "景观灯损坏")["group"] == "light"
    assert find("event", "绿地养护")["group"] == "green"


def test_limits_well_formed():
    for row in TYPE_TABLE:
        limits = row["limits"]
        assert set(limits) == {"normal", "urgent"}, row["minor_name"]
        for amount, unit in limits.values():
            assert type(amount) is int and amount > 0, row["minor_name"]
            assert unit in UNITS, row["minor_name"]


def test_urgent_no_longer_than_normal():
    for row in TYPE_TABLE:
        limits = row["limits"]
        assert minutes(limits["urgent"]) <= minutes(limits["normal"]), row["minor_name"]


def test_standards_are_written():
    for row in TYPE_TABLE:
        assert row["register_standard"].strip(), row["minor_name"]
        assert row["close_standard"].strip(), row["minor_name"]


def test_duplicate_radius_realistic():
    for row in TYPE_TABLE:
        radius = row["duplicate_radius_m"]
        assert type(radius) is int, row["minor_name"]
        if row["kind"] == "component":
            assert 5 <= radius <= 30, row["minor_name"]
        else:
            assert 20 <= radius <= 200, row["minor_name"]


def test_routing_order_by_kind():
    # 部件 先属主后属地; 事件 先属地后属主
    for row in TYPE_TABLE:
        assert row["owner_first"] is (row["kind"] == "component"), row["minor_name"]


@pytest.mark.parametrize(
    ("major", "minor", "name", "limit"),
    [
        ("01", "02", "暴露垃圾", (4, "hour")),
        ("01", "04", "道路保洁", (2, "hour")),
        ("01", "01", "私搭乱建", (4, "hour")),  # 停工 within 4 工作时
    ],
)
def test_named_examples_from_the_issue(major, minor, name, limit):
    row = find("event", name)
    assert (row["major_code"], row["major_name"], row["minor_code"]) == (major, "市容环境", minor)
    assert tuple(row["limits"]["normal"]) == limit
    if name == "私搭乱建":
        assert "停工" in row["close_standard"]
