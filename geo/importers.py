"""Import a layer file (GeoJSON, zipped Shapefile, GeoPackage) as a new layer version.

The CRS is read from the file (.prj, GeoPackage metadata) and everything is
reprojected to CGCS2000 longitude/latitude (EPSG:4490). Every problem is
collected (invalid geometry with its feature index, missing CRS, missing
用地性质 attribute …) and a file with any problem imports nothing.
"""

import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pyogrio
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from pyproj import CRS, Transformer
from shapely.validation import explain_validity

from geo.choices import LAND_USE_ATTRIBUTES, NAME_ATTRIBUTES, LayerKind
from geo.geometry import gauss_kruger_epsg
from geo.models import Feature, Layer, LayerVersion

TARGET = CRS.from_epsg(4490)  # CGCS2000 geographic
FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".zip": "Shapefile（zip）",
           ".gpkg": "GeoPackage", ".shp": "Shapefile"}
CHINA = (73.0, 3.0, 136.0, 54.0)  # lon/lat envelope the city must fall into
MAX_ERRORS_LISTED = 50


@dataclass
class ReadLayer:
    crs_label: str
    fields: list[str]
    records: list[tuple[int, dict, object]]  # (feature index, properties, shapely geometry)


def _open_path(path: str, filename: str) -> str:
    ext = os.path.splitext(filename.lower())[1]
    if ext not in FORMATS:
        raise ValidationError(f"不支持的文件格式“{ext or filename}”，请上传 GeoJSON、"
                              "Shapefile（zip 压缩包）或 GeoPackage。")
    return f"/vsizip/{path}" if ext == ".zip" else path


def _guess_crs(geoms) -> CRS | None:
    """Files without a .prj: lon/lat ranges, or CGCS2000 3° GK coordinates with a zone prefix."""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return TARGET
    zone = int(minx // 1_000_000)
    if 25 <= zone <= 45 and int(maxx // 1_000_000) == zone and 0 < miny < 10_000_000:
        return CRS.from_epsg(4513 + zone - 25)  # CGCS2000 / 3-degree Gauss-Kruger zone N
    return None


def read_layer_file(path: str, filename: str) -> ReadLayer:
    source = _open_path(path, filename)
    try:
        meta, _, wkb, field_data = pyogrio.raw.read(source)
    except Exception as exc:  # GDAL says why in English; we say what to do
        raise ValidationError(f"无法读取文件“{filename}”：文件损坏或格式不符（{exc}）。") from None
    geoms = shapely.from_wkb(wkb)
    missing = [i for i, g in enumerate(geoms) if g is None or g.is_empty]
    errors = [f"第{i + 1}个要素没有几何图形" for i in missing]
    present = np.array([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else (
        _guess_crs(present) if len(present) else None)
    if crs is None:
        raise ValidationError("文件没有坐标系信息（缺少 .prj），且坐标既不是经纬度也不是带带号的"
                              "CGCS2000 高斯-克吕格坐标，无法识别。请补充 .prj 后重新上传。")
    if crs != TARGET:
        transformer = Transformer.from_crs(crs, TARGET, always_xy=True)

        def to_lonlat(coords):
            x, y = transformer.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        geoms = shapely.transform(geoms, to_lonlat)  # vectorised; None stays None
    fields = list(meta["fields"])
    records = []
    for i, geom in enumerate(geoms):
        if i in missing:
            continue
        if not geom.is_valid:
            errors.append(f"第{i + 1}个要素几何无效：{explain_validity(geom)}")
            continue
        minx, miny, maxx, maxy = geom.bounds
        if not (CHINA[0] <= minx and maxx <= CHINA[2] and CHINA[1] <= miny and maxy <= CHINA[3]):
            errors.append(f"第{i + 1}个要素转换后不在中国范围内（{minx:.2f}, {miny:.2f}），"
                          "坐标系可能标错")
            continue
        props = {name: _plain(field_data[j][i]) for j, name in enumerate(fields)}
        records.append((i, props, geom))
    if errors:
        more = f"（另有{len(errors) - MAX_ERRORS_LISTED}处）" if len(errors) > MAX_ERRORS_LISTED else ""
        raise ValidationError([*errors[:MAX_ERRORS_LISTED], *([more] if more else [])])
    return ReadLayer(crs.to_string() if crs.to_epsg() is None else f"EPSG:{crs.to_epsg()}",
                     fields, records)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value if isinstance(value, int | float | str | bool) else str(value)


def _first_attribute(fields, candidates):
    return next((c for c in candidates if c in fields), None)


def import_layer(layer: Layer, uploaded, *, acting_user=None, filename=None,
                 note: str = "") -> LayerVersion:
    """Read, check and store a new version of `layer`; on any problem store nothing."""
    filename = filename or getattr(uploaded, "name", "layer")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, os.path.basename(filename))
        with open(path, "wb") as fh:
            for chunk in (uploaded.chunks() if hasattr(uploaded, "chunks") else [uploaded.read()]):
                fh.write(chunk)
        data = read_layer_file(path, filename)
    land_use_attr = _first_attribute(data.fields, LAND_USE_ATTRIBUTES)
    if layer.kind == LayerKind.LAND_USE and land_use_attr is None:
        present = "、".join(data.fields) or "无"
        raise ValidationError(f"用地性质图层缺少“用地性质”属性（现有属性：{present}）。")
    name_attr = _first_attribute(data.fields, NAME_ATTRIBUTES)
    return _store(layer, data, filename, land_use_attr, name_attr, acting_user, note)


@transaction.atomic
def _store(layer, data, filename, land_use_attr, name_attr, acting_user, note):
    layer = Layer.objects.select_for_update().get(pk=layer.pk)
    number = (layer.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = LayerVersion.objects.create(
        layer=layer, number=number, source_name=filename[:200],
        source_format=FORMATS[os.path.splitext(filename.lower())[1]], source_crs=data.crs_label,
        feature_count=len(data.records), imported_by=acting_user, note=note)
    geoms = [g for _, _, g in data.records]
    areas = _areas_m2(geoms)
    Feature.objects.bulk_create([
        Feature(version=version, index=i, properties=props, geometry=shapely.geometry.mapping(g),
                geom_type=g.geom_type, area_m2=area,
                name=str(props.get(name_attr) or "")[:200] if name_attr else "",
                land_use=str(props.get(land_use_attr) or "")[:50] if land_use_attr else "",
                min_lon=g.bounds[0], min_lat=g.bounds[1], max_lon=g.bounds[2], max_lat=g.bounds[3])
        for (i, props, g), area in zip(data.records, areas, strict=True)
    ], batch_size=2000)
    layer.current_version = version
    layer.save(update_fields=["current_version"])
    return version


def _areas_m2(geoms) -> list[float | None]:
    """Areas in the Gauss-Krüger zone of the layer's centre (vectorised)."""
    if not geoms:
        return []
    arr = np.array(geoms, dtype=object)
    minx, _, maxx, _ = shapely.total_bounds(arr)
    transformer = Transformer.from_crs(TARGET, f"EPSG:{gauss_kruger_epsg((minx + maxx) / 2)}",
                                       always_xy=True)

    def forward(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected = shapely.transform(arr, forward)
    areas = shapely.area(projected)
    kinds = shapely.get_type_id(arr)
    return [float(a) if k in (3, 6) else None for a, k in zip(areas, kinds, strict=True)]
