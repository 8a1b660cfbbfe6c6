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


def shapefile_parts(features, *, crs=GK_ZONE38, encoding="GB18030", cpg=False) -> dict:
    """The files of one shapefile ({".shp": bytes, ".dbf": …}) as a Chinese GIS desktop writes
    them: attributes in `encoding`, and by default no .cpg saying so."""
    shift = 38_000_000.0 if crs == GK_ZONE38 else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.shp")
        _write(path, features, crs, "ESRI Shapefile", shift_x=shift, encoding=encoding)
        parts = {}
        for name in os.listdir(tmp):
            ext = os.path.splitext(name)[1]
            if ext != ".cpg" or cpg:
                with open(os.path.join(tmp, name), "rb") as fh:
                    parts[ext] = fh.read()
        return parts


class _GbkNamedMember(zipfile.ZipInfo):
    """A member whose name is stored in GBK without the UTF-8 flag (Windows zip tools)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gb18030"), self.flag_bits & ~0x800


def zip_of(shapefiles: dict[str, dict], *, gbk_names=False, extra=None) -> bytes:
    """A zip holding each shapefile under its path ("数据/规划用地" → 数据/规划用地.shp …)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for stem, parts in shapefiles.items():
            for ext, data in parts.items():
                info = (_GbkNamedMember if gbk_names else zipfile.ZipInfo)(stem + ext)
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()
