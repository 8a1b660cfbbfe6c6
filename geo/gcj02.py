"""WGS84/CGCS2000 ↔ GCJ-02, for basemaps published in GCJ-02 (many Chinese online maps).

Data is stored in CGCS2000 (≈ WGS84 at map scale); only what is drawn over a GCJ-02
basemap is shifted. The forward transform is the public GCJ-02 formula (Krasovsky
ellipsoid); the inverse is solved by fixed-point iteration to well under a metre.
"""

import numpy as np

A = 6378245.0
EE = 0.00669342162296594323
CHINA = (72.004, 0.8293, 137.8347, 55.8271)  # outside this box there is no shift


def _offsets(lon, lat):
    x, y = lon - 105.0, lat - 35.0
    common = (20 * np.sin(6 * x * np.pi) + 20 * np.sin(2 * x * np.pi)) * 2 / 3
    dlat = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + common
            + (20 * np.sin(y * np.pi) + 40 * np.sin(y / 3 * np.pi)) * 2 / 3
            + (160 * np.sin(y / 12 * np.pi) + 320 * np.sin(y * np.pi / 30)) * 2 / 3)
    dlon = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + common
            + (20 * np.sin(x * np.pi) + 40 * np.sin(x / 3 * np.pi)) * 2 / 3
            + (150 * np.sin(x / 12 * np.pi) + 300 * np.sin(x / 30 * np.pi)) * 2 / 3)
    rad = lat / 180 * np.pi
    magic = 1 - EE * np.sin(rad) ** 2
    dlat = dlat * 180 / ((A * (1 - EE)) / (magic * np.sqrt(magic)) * np.pi)
    dlon = dlon * 180 / (A / np.sqrt(magic) * np.cos(rad) * np.pi)
    return dlon, dlat


def _in_china(lon, lat):
    return (lon >= CHINA[0]) & (lon <= CHINA[2]) & (lat >= CHINA[1]) & (lat <= CHINA[3])


def wgs84_to_gcj02(lon, lat):
    """Arrays (or scalars) of WGS84 lon/lat → GCJ-02 lon/lat."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offsets(lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, tolerance=1e-9, max_iter=30):
    """The inverse, iterated until the forward transform lands back on the input."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(max_iter):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tolerance) and np.all(np.abs(elat) < tolerance):
            break
    return wlon, wlat


def shift_geometry(geometry: dict) -> dict:
    """A GeoJSON geometry moved into GCJ-02 (for drawing over a GCJ-02 basemap)."""
    import shapely
    from shapely.geometry import mapping, shape

    def forward(coords):
        x, y = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return mapping(shapely.transform(shape(geometry), forward))
