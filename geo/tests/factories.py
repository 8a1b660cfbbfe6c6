"""Hand-built layer files for tests: squares laid out in metres, written as real files."""

import io
import json
import os
import tempfile
import zipfile

import numpy as np
import pyogrio.raw
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box, mapping

GK_CM114 = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E (no zone prefix)
GK_ZONE38 = "EPSG:4526"  # CGCS2000 / 3-degree Gauss-Kruger zone 38 (x with "38" prefix)
ORIGIN = (500000.0 - 20000.0, 3820000.0)  # metres in CM114, near 113.78E 34.5N

_to_lonlat = Transformer.from_crs(GK_CM114, "EPSG:4490", always_xy=True)


def square_m(x0, y0, x1, y1) -> Polygon:
    """A rectangle in CM114 metres, offset from ORIGIN."""
    return box(ORIGIN[0] + x0, ORIGIN[1] + y0, ORIGIN[0] + x1, ORIGIN[1] + y1)


def to_lonlat(geom):
    def fwd(coords):
        x, y = _to_lonlat.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fwd)


def geojson_bytes(features: list[tuple[dict, object]]) -> bytes:
    """Features given in CM114 metres, written as lon/lat GeoJSON (RFC 7946)."""
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": mapping(to_lonlat(g))}
        for props, g in features]}, ensure_ascii=False).encode("utf-8")


def _write(path, features, crs, driver, shift_x=0.0, encoding="UTF-8"):
    geoms = [shapely.affinity.translate(g, xoff=shift_x) for _, g in features]
    names = list(features[0][0].keys())
    field_data = [np.array([str(p[n]) for p, _ in features], dtype=object) for n in names]
    pyogrio.raw.write(path, np.array(shapely.to_wkb(geoms), dtype=object), field_data, names,
                      driver=driver, geometry_type="Polygon", crs=crs, encoding=encoding)


def shapefile_zip_bytes(features, *, crs=GK_ZONE38, with_prj=True) -> bytes:
    """A zipped Shapefile in CGCS2000 3° GK zone 38 (x carries the 38 zone prefix)."""
    shift = 38_000_000.0 if crs == GK_ZONE38 else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.shp")
        # GBK, as Chinese GIS desktops write it: 用地性质 fits the 10-byte DBF field name.
        _write(path, features, crs, "ESRI Shapefile", shift_x=shift, encoding="GBK")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name in os.listdir(tmp):
                if name.endswith(".prj") and not with_prj:
                    continue
                z.write(os.path.join(tmp, name), name)
        return buffer.getvalue()


def geopackage_bytes(features, *, crs=GK_CM114) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.gpkg")
        _write(path, features, crs, "GPKG")
        with open(path, "rb") as fh:
            return fh.read()
