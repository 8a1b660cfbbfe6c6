"""Whose cases each account reads through /api/cases/ (list, retrieve, and the actions'
404 for what it cannot see): Case.objects.visible_to, as on the pages."""

import time_machine
from django.test import override_settings

from cases import actions
from cases.tests.test_api import CASES, MEDIA, NOW, WorldMixin, build_world, photo
from tests.base import CastTestCase


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(NOW, tick=False)
class ScopeTests(WorldMixin, CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)
        c = cls.cast
        # to the street (the town's staff), on the chief's segment, reported by the inspector
        cls.to_town = cls.dispatched_case(cls, c.town)
        # to 甲局, on the far segment, reported by the desk, checked by inspector_2
        cls.to_a = cls.report(cls, user=c.office_staff, segment=cls.far_segment,
                              grid=cls.far_grid, lon=113.48, lat=34.61)
        for step in (actions.do_accept, actions.do_register):
            step(cls.to_a, acting_user=c.office_staff)
        actions.do_dispatch(cls.to_a, acting_user=c.office_staff, unit=c.unit_a)
        actions.do_start(cls.to_a, acting_user=c.reporter_a)
        actions.do_handle(cls.to_a, acting_user=c.reporter_a, photos=[photo()])
        actions.do_send_check(cls.to_a, acting_user=c.office_staff, inspector=cls.inspector_2)
        # reported by the chief on the far segment, not dispatched
        cls.chiefs_own = cls.report(cls, user=cls.chief, segment=cls.far_segment,
                                    grid=cls.far_grid, lon=113.48, lat=34.61)
        # reported by inspector_2, not dispatched, far away
        cls.other_inspectors = cls.report(cls, user=cls.inspector_2, segment=cls.far_segment,
                                          grid=cls.far_grid, lon=113.48, lat=34.61)
        cls.all = sorted(c.pk for c in (cls.to_town, cls.to_a, cls.chiefs_own,
                                        cls.other_inspectors))

    @staticmethod
    def dispatched_case(cls, unit):
        case = WorldMixin.report(cls)
        actions.do_accept(case, acting_user=cls.desk)
        actions.do_register(case, acting_user=cls.desk)
        return actions.do_dispatch(case, acting_user=cls.desk, unit=unit)

    def sees(self, user):
        client = self.api(user)
        listed = self.ids(client.get(CASES))
        for pk in self.all:
            status = client.get(f"{CASES}{pk}/").status_code
            self.assertEqual(status, 200 if pk in listed else 404, (user, pk))
        return listed

    def test_the_desk_and_the_supervision_bureau_see_every_case(self):
        self.assertEqual(self.sees(self.desk), self.all)
        self.assertEqual(self.sees(self.cast.supervision), self.all)

    def test_a_unit_sees_only_the_cases_dispatched_to_it(self):
        self.assertEqual(self.sees(self.town_staff), [self.to_town.pk])
        self.assertEqual(self.sees(self.cast.reporter_a), [self.to_a.pk])
        self.assertEqual(self.sees(self.cast.head_a), [self.to_a.pk])
        self.assertEqual(self.sees(self.cast.reporter_b), [])

    def test_an_inspector_sees_his_reports_and_his_checks(self):
        self.assertEqual(self.sees(self.inspector), [self.to_town.pk])
        self.assertEqual(self.sees(self.inspector_2),
                         sorted([self.to_a.pk, self.other_inspectors.pk]))

    def test_a_road_chief_sees_his_segments_and_his_reports(self):
        self.assertEqual(self.sees(self.chief), sorted([self.to_town.pk, self.chiefs_own.pk]))

    def test_other_roles_see_none(self):
        self.assertEqual(self.api(self.cast.citizen).get(CASES).status_code, 403)

    def test_a_city_leader_reads_citywide_and_acts_on_nothing(self):
        self.assertEqual(self.sees(self.cast.city_leader), sorted(self.all))
        for step, body in (("supervise", {"note": "x"}), ("accept", {}),
                           ("void", {"reason": "x"})):
            before = type(self.to_town).objects.get(pk=self.to_town.pk).state
            response = self.post(self.cast.city_leader, self.to_town, step, body)
            self.assertEqual(response.status_code, 403, step)
            self.assertEqual(type(self.to_town).objects.get(pk=self.to_town.pk).state, before)

    def test_filters_stay_within_the_scope(self):
        client = self.api(self.town_staff)
        self.assertEqual(self.ids(client.get(CASES, {"unit": self.cast.unit_a.pk})), [])
        self.assertEqual(self.ids(client.get(CASES, {"grid": self.far_grid.pk})), [])

    def test_actions_on_cases_out_of_scope_are_404_and_change_nothing(self):
        # 甲局 tries the street's case, the street 甲局's; an inspector another's report
        for user, case, step, body in (
                (self.cast.reporter_a, self.to_town, "start", {}),
                (self.town_staff, self.to_a, "extension",
                 {"amount": 1, "unit": "hour", "reason": "x"}),
                (self.inspector, self.to_a, "check", {"passed": True}),
                (self.inspector, self.other_inspectors, "join", {"note": "x"})):
            before = type(case).objects.get(pk=case.pk).state
            response = self.post(user, case, step, body)
            self.assertEqual(response.status_code, 404, (user, step))
            self.assertIn("不存在", response.json()["detail"])
            self.assertEqual(type(case).objects.get(pk=case.pk).state, before)

    def test_ids_in_a_body_are_looked_up_in_the_scope(self):
        # merging into a case the caller cannot see reads as a case that does not exist
        response = self.post(self.chief, self.chiefs_own, "mark-duplicate",
                             {"of": self.to_a.pk})
        self.assertEqual(response.status_code, 400)
        self.assertIn("of", response.json())
