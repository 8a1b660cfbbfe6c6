"""Base data checks: the 15-digit grid code, GeoJSON shapes, and the admin pages."""

from django.core.exceptions import ValidationError

from cases.choices import CaseKind, LimitUnit
from cases.models import CaseType, CaseTypeVersion, Grid, Road, RoadSegment, validate_grid_code
from tests.base import CastTestCase

SQUARE = {"type": "Polygon", "coordinates": [[[113.37, 34.50], [113.39, 34.50],
                                              [113.39, 34.52], [113.37, 34.52],
                                              [113.37, 34.50]]]}
LINE = {"type": "LineString", "coordinates": [[113.37, 34.51], [113.39, 34.51]]}


class GridCodeTests(CastTestCase):
    def test_code_is_six_three_three_three_digits(self):
        validate_grid_code("419901001001001")
        for bad in ("41990100100100", "4199010010010011", "41990100100100A", "419901001001000"):
            with self.assertRaises(ValidationError):
                validate_grid_code(bad)

    def test_code_starts_with_the_communitys_admin_code(self):
        grid = Grid(code="419901001002001", street_unit=self.cast.town,
                    community_unit=self.cast.community, geometry=SQUARE)
        with self.assertRaises(ValidationError) as caught:
            grid.full_clean()
        self.assertIn("code", caught.exception.message_dict)
        grid.code = "419901001001001"
        grid.full_clean()

    def test_grid_derives_its_bbox_and_area(self):
        grid = Grid.objects.create(code="419901001001003", geometry=SQUARE)
        self.assertEqual((grid.min_lon, grid.max_lat), (113.37, 34.52))
        self.assertGreater(grid.area_m2, 3_000_000)  # about 1.8 km × 2.2 km
        self.assertEqual(Grid.objects.containing(113.38, 34.51), grid)
        self.assertIsNone(Grid.objects.containing(113.40, 34.51))

    def test_grid_is_a_polygon_and_a_segment_a_line(self):
        grid = Grid(code="419901001001002", geometry=LINE)
        with self.assertRaises(ValidationError):
            grid.full_clean()
        road = Road.objects.create(name="建设路")
        segment = RoadSegment(road=road, name="一段", start_name="甲", end_name="乙", order=1,
                              geometry=SQUARE)
        with self.assertRaises(ValidationError):
            segment.full_clean()
        segment.geometry = LINE
        segment.full_clean()


class AdminPageTests(CastTestCase):
    def test_office_opens_every_cases_admin_page(self):
        case_type = CaseType.objects.create(kind=CaseKind.EVENT, major_code="01",
                                            major_name="市容环境", minor_code="02",
                                            minor_name="暴露垃圾", group="clean")
        client = self.login(self.cast.office_admin)
        for name in ("grid", "road", "roadsegment", "component", "casetype", "casetypeversion",
                     "case", "caseevent", "extensionrequest", "casepause"):
            response = client.get(f"/admin/cases/{name}/")
            self.assertEqual(response.status_code, 200, name)
        response = client.post("/admin/cases/casetypeversion/add/", {
            "case_type": case_type.pk, "register_standard": "成堆垃圾",
            "close_standard": "彻底清理", "normal_amount": 4, "normal_unit": LimitUnit.HOUR,
            "urgent_amount": 2, "urgent_unit": LimitUnit.HOUR, "duplicate_radius_m": 50,
            "owner_first": "", "default_owner": ""})
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(list(CaseTypeVersion.objects.values_list("number", flat=True)), [1])

    def test_unit_staff_and_inspectors_have_no_cases_admin(self):
        client = self.login(self.cast.reporter_a)
        self.assertNotEqual(client.get("/admin/cases/case/").status_code, 200)


class CaseListIndexTests(CastTestCase):
    """The unit's case list reads two indexes (0004_list_indexes, bench-pages)."""

    def test_the_unit_list_has_its_count_and_order_indexes(self):
        from django.db import connection

        from cases.models import Case

        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Case._meta.db_table)
        indexes = {name: info for name, info in found.items() if info["index"]}
        self.assertNotIn("cases_case_unit_state", indexes)
        self.assertEqual(indexes["cases_case_unit_state_due"]["columns"],
                         ["handling_unit_id", "state", "deadline_at"])
        queue = indexes["cases_case_unit_queue"]
        self.assertEqual(queue["columns"], ["handling_unit_id", "deadline_at", "reported_at", "id"])
        if queue.get("orders"):
            self.assertEqual(queue["orders"], ["ASC", "ASC", "DESC", "ASC"])
