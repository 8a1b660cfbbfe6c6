"""The public road-chief sign: 路名, 起止, three levels of chiefs with masked phones, 监督电话."""

import json

from django.test import override_settings

from cases.choices import RoadChiefLevel
from cases.models import Road, RoadChief, RoadSegment
from cases.signs import sign_for_segment
from org import actions as org
from tests.base import CastTestCase

LINE = {"type": "LineString", "coordinates": [[113.37, 34.51], [113.39, 34.51]]}


class SignTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        road = Road.objects.create(name="建设路")
        cls.segment = RoadSegment.objects.create(road=road, name="建设路东段",
                                                 start_name="人民路", end_name="东环路",
                                                 order=1, geometry=LINE)
        cls.city_chief = org.do_create_person(name="王建国", title="副市长",
                                              phone="13912345678")
        RoadChief.objects.create(segment=cls.segment, level=RoadChiefLevel.CITY,
                                 person=cls.city_chief)
        RoadChief.objects.create(segment=cls.segment, level=RoadChiefLevel.COMMUNITY,
                                 person=cls.cast.person_community)

    def test_sign_lists_road_stretch_and_three_levels_in_order(self):
        sign = sign_for_segment(self.segment)
        self.assertEqual((sign["road"], sign["segment"], sign["stretch"]),
                         ("建设路", "建设路东段", "人民路—东环路"))
        self.assertEqual([c["level_label"] for c in sign["chiefs"]],
                         ["市级路长", "区级(街道)路长", "社区路长"])
        city, district, community = sign["chiefs"]
        self.assertEqual((city["name"], city["title"], city["phone"]),
                         ("王建国", "副市长", "139****5678"))
        self.assertTrue(district["vacant"])
        self.assertEqual((district["name"], district["phone"]), ("", ""))
        self.assertEqual((community["name"], community["phone"]), ("丁一", "137****2222"))

    def test_no_full_phone_leaves_the_sign(self):
        text = json.dumps(sign_for_segment(self.segment), ensure_ascii=False)
        self.assertNotIn("13912345678", text)
        self.assertNotIn("13700002222", text)

    def test_an_archived_chief_is_not_on_the_sign(self):
        RoadChief.objects.get(segment=self.segment, level=RoadChiefLevel.CITY).archive()
        RoadChief.objects.create(segment=self.segment, level=RoadChiefLevel.DISTRICT,
                                 person=self.cast.person_town)
        city, district, _ = sign_for_segment(self.segment)["chiefs"]
        self.assertTrue(city["vacant"])
        self.assertEqual((district["name"], district["phone"]), ("丙一", "137****1111"))

    def test_supervision_phone_is_12319_unless_set(self):
        self.assertEqual(sign_for_segment(self.segment)["supervision_phone"], "12319")
        with override_settings(CASES_SUPERVISION_PHONE="0371-12319"):
            self.assertEqual(sign_for_segment(self.segment)["supervision_phone"], "0371-12319")
