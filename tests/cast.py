"""The named cast every permission test uses, built through the real actions.

Units: A (a 市直部门), B (another), T (a 乡镇办) with community C below it.
People: one in each unit, one city leader (L) who is assigned to unit A.
"""

from dataclasses import dataclass

from core.choices import ChangeSource
from core.history import change_context
from org import actions as org
from org.choices import Role, UnitKind
from plans import actions as plans

PASSWORD = "Cast@Password2024"
SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.38, 34.50], [113.38, 34.51],
                                              [113.37, 34.51], [113.37, 34.50]]]}


@dataclass
class Cast:
    unit_a: object
    unit_b: object
    town: object
    community: object
    person_a: object
    person_b: object
    person_town: object
    person_community: object
    leader: object
    leader_other: object
    assignment_a: object
    assignment_b: object
    plan: object
    district: object
    office_admin: object
    office_staff: object
    reporter_a: object
    reporter_b: object
    head_a: object
    city_leader: object
    supervision: object
    citizen: object
    sys_admin: object
    sec_admin: object
    audit_admin: object


def build_cast() -> Cast:
    with change_context(ChangeSource.SYSTEM, label="测试数据"):
        unit_a = org.do_create_unit(name="甲局", kind=UnitKind.CITY_DEPT)
        unit_b = org.do_create_unit(name="乙局", kind=UnitKind.CITY_DEPT)
        town = org.do_create_unit(name="丙街道", kind=UnitKind.TOWN, admin_code="419901001000")
        community = org.do_create_unit(name="丙街道丁社区", kind=UnitKind.COMMUNITY, parent=town,
                                       admin_code="419901001001")
        person_a = org.do_create_person(name="甲一", unit=unit_a, title="科员", phone="13812345678")
        person_b = org.do_create_person(name="乙一", unit=unit_b, title="科员", phone="13987654321")
        person_town = org.do_create_person(name="丙一", unit=town, phone="13700001111")
        person_community = org.do_create_person(name="丁一", unit=community, phone="13700002222")
        leader_person = org.do_create_person(name="领导甲", title="副市长", phone="13600003333")
        other_person = org.do_create_person(name="领导乙", title="副市长", phone="13600004444")
        leader = org.do_create_leader(person=leader_person, position="副市长")
        leader_other = org.do_create_leader(person=other_person, position="副市长", sort_order=1)
        assignment_a = org.do_assign_leader(leader, unit_a)
        assignment_b = org.do_assign_leader(leader_other, unit_b)
        plan = plans.do_create_plan(name="三年行动计划", start_year=2024, end_year=2026)
        district = plans.do_create_district(name="测试板块", boundary=SQUARE, plan=plan)

        def account(username, role, unit=None, person=None):
            return org.do_create_account(username=username, role=role, password=PASSWORD,
                                         unit=unit, person=person)

        return Cast(
            unit_a=unit_a, unit_b=unit_b, town=town, community=community,
            person_a=person_a, person_b=person_b, person_town=person_town,
            person_community=person_community, leader=leader, leader_other=leader_other,
            assignment_a=assignment_a, assignment_b=assignment_b, plan=plan, district=district,
            office_admin=account("office_admin", Role.OFFICE_ADMIN),
            office_staff=account("office_staff", Role.OFFICE_STAFF),
            reporter_a=account("reporter_a", Role.UNIT_REPORTER, unit_a),
            reporter_b=account("reporter_b", Role.UNIT_REPORTER, unit_b),
            head_a=account("head_a", Role.UNIT_HEAD, unit_a),
            city_leader=account("leader", Role.CITY_LEADER, person=leader_person),
            supervision=account("supervision", Role.SUPERVISION),
            citizen=account("citizen", Role.CITIZEN),
            sys_admin=account("sys_admin", Role.SYS_ADMIN),
            sec_admin=account("sec_admin", Role.SEC_ADMIN),
            audit_admin=account("audit_admin", Role.AUDIT_ADMIN),
        )
