from decimal import Decimal

from django.core.exceptions import ValidationError
from pyproj import Transformer

from geo.geometry import gauss_kruger_epsg
from plans import actions
from tests.base import CastTestCase


def square_km(lon, lat, side_m):
    """A square of side_m metres built in the Gauss-Krüger zone, returned as lon/lat."""
    epsg = gauss_kruger_epsg(lon)
    fwd = Transformer.from_crs("EPSG:4490", f"EPSG:{epsg}", always_xy=True)
    inv = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4490", always_xy=True)
    x, y = fwd.transform(lon, lat)
    ring = [(x, y), (x + side_m, y), (x + side_m, y + side_m), (x, y + side_m), (x, y)]
    return {"type": "Polygon", "coordinates": [[list(inv.transform(*p)) for p in ring]]}


class DistrictTests(CastTestCase):
    def test_gauss_kruger_zone(self):
        self.assertEqual(gauss_kruger_epsg(113.38), 4547)  # CM 114E
        self.assertEqual(gauss_kruger_epsg(75.2), 4534)
        self.assertEqual(gauss_kruger_epsg(134.9), 4554)

    def test_area_is_computed_in_metres(self):
        district = actions.do_create_district(name="一平方公里", boundary=square_km(113.4, 34.5, 1000))
        self.assertEqual(district.area_km2, Decimal("1.000"))
        self.assertLess(district.min_lon, district.max_lon)

    def test_invalid_boundary_is_refused_in_chinese(self):
        bowtie = {"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1, 34.1], [113.1, 34.0],
                                                      [113.0, 34.1], [113.0, 34.0]]]}
        with self.assertRaisesMessage(ValidationError, "几何无效"):
            actions.do_create_district(name="自相交", boundary=bowtie)
        with self.assertRaisesMessage(ValidationError, "经纬度"):
            actions.do_create_district(name="投影坐标", boundary={
                "type": "Polygon",
                "coordinates": [[[38500000, 3800000], [38501000, 3800000], [38501000, 3801000],
                                 [38500000, 3800000]]]})

    def test_only_the_office_admin_edits_plans(self):
        from django.core.exceptions import PermissionDenied

        for member in ("office_staff", "reporter_a", "city_leader", "sys_admin"):
            with self.subTest(member=member), self.assertRaises(PermissionDenied):
                actions.do_update_district(self.cast.district, goal_year1="x",
                                           acting_user=getattr(self.cast, member))
        actions.do_update_district(self.cast.district, goal_year1="打基础",
                                   acting_user=self.cast.office_admin)
