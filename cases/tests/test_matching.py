"""segment_for_point: the nearest active segment within the tolerance, from a cache that
follows every change to segments and roads."""

import math
import time

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from cases.matching import METRES_PER_DEGREE, segment_for_point, segment_matcher
from cases.models import Road, RoadSegment

LON0, LAT0 = 113.38, 34.51
X_SCALE = METRES_PER_DEGREE * math.cos(math.radians(LAT0))


def east(m):
    return LON0 + m / X_SCALE


def north(m):
    return LAT0 + m / METRES_PER_DEGREE


def line(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


class MatchingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # 建设路 runs east-west through the origin; 人民路 north-south 100 m east of it.
        cls.jianshe = Road.objects.create(name="建设路", sort_order=1)
        cls.renmin = Road.objects.create(name="人民路", sort_order=2)
        cls.west = RoadSegment.objects.create(
            road=cls.jianshe, name="西段", start_name="西环路", end_name="人民路", order=1,
            geometry=line((east(-300), LAT0), (east(100), LAT0)))
        cls.east_seg = RoadSegment.objects.create(
            road=cls.jianshe, name="东段", start_name="人民路", end_name="东环路", order=2,
            geometry=line((east(100), LAT0), (east(500), LAT0)))
        cls.north_south = RoadSegment.objects.create(
            road=cls.renmin, name="北段", start_name="建设路", end_name="北环路", order=1,
            geometry={"type": "MultiLineString", "coordinates": [
                [[east(100), north(-200)], [east(100), north(0)]],
                [[east(100), north(0)], [east(100), north(400)]]]})

    def test_a_point_beside_the_road_finds_its_segment(self):
        self.assertEqual(segment_for_point(LON0, north(10)), self.west)
        self.assertEqual(segment_for_point(east(300), north(-25)), self.east_seg)
        self.assertEqual(segment_for_point(str(east(-100)), str(north(5))), self.west)

    def test_the_tolerance_is_in_metres(self):
        self.assertEqual(segment_for_point(LON0, north(29)), self.west)
        self.assertIsNone(segment_for_point(LON0, north(31)))
        self.assertEqual(segment_for_point(LON0, north(31), tolerance_m=40), self.west)
        # East-west metres shrink with cos(latitude): 29 m west of the west end still counts.
        self.assertEqual(segment_for_point(east(-329), LAT0), self.west)
        self.assertIsNone(segment_for_point(east(-332), LAT0))

    def test_the_nearest_of_several_wins(self):
        # 8 m from 人民路, 20 m from 建设路.
        self.assertEqual(segment_for_point(east(108), north(20)), self.north_south)
        self.assertEqual(segment_for_point(east(130), north(6)), self.east_seg)

    def test_a_crossing_goes_to_the_first_road_in_the_list(self):
        self.assertEqual(segment_for_point(east(50), north(0)).road, self.jianshe)
        found = segment_for_point(east(100), LAT0)
        self.assertEqual(found.road, self.jianshe)  # sort order 1 before 人民路's 2

    def test_bad_input_is_none(self):
        for lon, lat in ((None, LAT0), ("abc", LAT0), (float("nan"), LAT0),
                         (LON0, float("inf")), (LON0, 95)):
            self.assertIsNone(segment_for_point(lon, lat))
        self.assertIsNone(segment_for_point(LON0, LAT0, tolerance_m=-1))

    def test_archived_segments_and_roads_are_not_matched_and_the_cache_follows(self):
        self.assertEqual(segment_for_point(LON0, north(10)), self.west)
        self.west.archive()
        self.assertIsNone(segment_for_point(LON0, north(10)))
        self.west.restore()
        self.assertEqual(segment_for_point(LON0, north(10)), self.west)
        self.jianshe.archive()
        self.assertIsNone(segment_for_point(LON0, north(10)))
        self.assertEqual(segment_for_point(east(108), north(20)), self.north_south)

    def test_a_new_segment_and_a_moved_segment_are_seen_at_once(self):
        self.assertIsNone(segment_for_point(east(1000), north(1000)))
        new = RoadSegment.objects.create(
            road=self.renmin, name="北延段", start_name="北环路", end_name="开发区", order=2,
            geometry=line((east(1000), north(990)), (east(1000), north(1500))))
        self.assertEqual(segment_for_point(east(1000), north(1000)), new)
        # Bulk edits (imports) go through tracked_bulk_update, which stamps updated_at.
        new.geometry = line((east(2000), north(990)), (east(2000), north(1500)))
        RoadSegment.objects.tracked_bulk_update([new], ["geometry"])
        self.assertIsNone(segment_for_point(east(1000), north(1000)))
        self.assertEqual(segment_for_point(east(2000), north(1000)), new)

    def test_the_bulk_matcher_answers_as_segment_for_point_without_queries(self):
        points = [(LON0, north(10)), (east(108), north(20)), (east(300), north(-25)),
                  (LON0, north(31)), (east(50), LAT0)]
        match = segment_matcher()
        with CaptureQueriesContext(connection) as queries:
            found = [match(lon, lat) for lon, lat in points]
        self.assertEqual(len(queries), 0)
        self.assertEqual(found, [segment_for_point(lon, lat) for lon, lat in points])
        self.assertEqual(segment_matcher(tolerance_m=40)(LON0, north(31)), self.west)

    def test_what_a_caller_changes_does_not_reach_the_cache(self):
        found = segment_for_point(LON0, north(10))
        found.name = "改过"
        self.assertEqual(segment_for_point(LON0, north(10)).name, "西段")

    def test_one_query_a_report_once_loaded(self):
        segment_for_point(LON0, north(10))
        with CaptureQueriesContext(connection) as queries:
            found = segment_for_point(LON0, north(10))
            self.assertEqual(found.road.name, "建设路")  # road loaded with it
        self.assertEqual(len(queries), 1)  # the change check


class MatchingSpeedTests(TestCase):
    def test_two_hundred_segments_under_five_ms_a_report(self):
        roads = [Road.objects.create(name=f"测试路{i}", sort_order=i) for i in range(20)]
        segments = []
        for r, road in enumerate(roads):  # a 20 × 10 lattice of 300 m segments, 200 in all
            for k in range(10):
                segments.append(RoadSegment(
                    road=road, name=f"{k + 1}段", start_name="甲", end_name="乙", order=k + 1,
                    geometry=line((east(k * 300), north(r * 200)),
                                  (east(k * 300 + 300), north(r * 200 + 15)),
                                  (east(k * 300 + 300), north(r * 200 + 20)))))
        RoadSegment.objects.bulk_create(segments)
        segment_for_point(LON0, LAT0)  # loads the cache
        points = [(east((i * 37) % 3000), north((i * 53) % 4000)) for i in range(300)]
        start = time.perf_counter()
        found = [segment_for_point(lon, lat) for lon, lat in points]
        per_call_ms = (time.perf_counter() - start) * 1000 / len(points)
        self.assertLess(per_call_ms, 5, f"{per_call_ms:.2f} ms a report")
        self.assertTrue(any(found) and not all(found))
