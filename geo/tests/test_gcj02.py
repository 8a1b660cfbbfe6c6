"""GCJ-02 against published reference points, and the inverse round trip."""

import numpy as np
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.gcj02 import gcj02_to_wgs84, shift_geometry, wgs84_to_gcj02

# (WGS84 lon, lat) → (GCJ-02 lon, lat), as published with open-source converters
# (wandergis/coordtransform's test, a geotool test, a geoToolbox test).
REFERENCE = [
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ((121.0917077, 30.6107779), (121.09626935575027, 30.608604331756705)),
    ((116.0, 40.0), (116.006141221789, 40.001213650174)),
]


class Gcj02Tests(SimpleTestCase):
    def test_published_reference_points(self):
        for (lon, lat), (glon, glat) in REFERENCE:
            x, y = wgs84_to_gcj02(lon, lat)
            # Within 1e-6° (about 0.1 m): converters differ in the last digits only.
            self.assertLess(abs(float(x) - glon), 1e-6)
            self.assertLess(abs(float(y) - glat), 1e-6)

    def test_no_shift_outside_china(self):
        x, y = wgs84_to_gcj02(2.35, 48.85)
        self.assertEqual((float(x), float(y)), (2.35, 48.85))

    @settings(max_examples=200, deadline=None)
    @given(lon=st.floats(73.5, 134.7), lat=st.floats(18.2, 53.5))
    def test_inverse_round_trip_is_sub_metre(self, lon, lat):
        glon, glat = wgs84_to_gcj02(lon, lat)
        wlon, wlat = gcj02_to_wgs84(glon, glat)
        # 1e-7 degrees is about a centimetre.
        self.assertLess(abs(float(wlon) - lon), 1e-7)
        self.assertLess(abs(float(wlat) - lat), 1e-7)
        shift_m = np.hypot((glon - lon) * 111320 * np.cos(np.radians(lat)), (glat - lat) * 110540)
        self.assertLess(float(shift_m), 1000)  # the offset is hundreds of metres, never km

    def test_geometry_shift(self):
        moved = shift_geometry({"type": "Point", "coordinates": [116.404, 39.915]})
        self.assertAlmostEqual(moved["coordinates"][0], 116.41024449916938, places=8)

