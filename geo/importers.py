"""Import layer files (GeoJSON, zipped Shapefiles, GeoPackage) as new layer versions.

What a file holds (several shapefiles in a zip, folders, GBK attributes) is found by
geo/sources.py; each layer found is imported into a layer the caller names, never guessed.

The CRS is read from the file (.prj, GeoPackage metadata) and everything is
reprojected to CGCS2000 longitude/latitude (EPSG:4490). Every problem is
collected (invalid geometry with its feature index, missing CRS, missing
用地性质 attribute …) and a file with any problem imports nothing.

What a layer may cost is counted before it is read whole: its vertices (and a GeoPackage's
rows) from the file's bytes before GDAL opens it (geo/content.py: 10M vertices in an 81 MB zip
cost +396 MB when they were counted after the read), its features and attribute values from
the file's header (pyogrio.read_info), and its vertices again, exactly, from the geometries as
read, before any is checked, reprojected or stored (a 1M-vertex polygon is refused, not served
to every map). File size and zips are bounded by geo/sources.py.

GDAL reads each file only through the driver of its extension, offline (geo/gdal_guard.py).
"""

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pyogrio
import shapely
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from pyproj import CRS, Transformer
from shapely.validation import explain_validity

from geo.choices import KIND_KEYWORDS, LAND_USE_ATTRIBUTES, NAME_ATTRIBUTES, LayerKind
from geo.content import Estimate, estimate
from geo.gdal_guard import check_driver, offline
from geo.geometry import gauss_kruger_epsg, max_vertices
from geo.models import Feature, Layer, LayerVersion
from geo.sources import LayerSource, copy_upload, file_format, limit, open_sources

TARGET = CRS.from_epsg(4490)  # CGCS2000 geographic
CHINA = (73.0, 3.0, 136.0, 54.0)  # lon/lat envelope the city must fall into
MAX_ERRORS_LISTED = 50
# What one layer may hold; settings of the same name override. The demo's land-use layer
# has 20,164 parcels of 5 vertices; a county's has 30,000–100,000 parcels of a few dozen
# vertices and 20–40 attribute fields. Reading and storing cost about 100 bytes a vertex.
LAYER_MAX_FEATURES = 200_000
LAYER_MAX_VALUES = 3_000_000  # attribute values: features × fields
LAYER_MAX_VERTICES = 3_000_000  # in all; one shape at most geo.geometry.MAX_VERTICES
STORE_BATCH_VERTICES = 200_000  # features are turned into GeoJSON and stored this many at a time
# GDAL holds one GeoJSON feature at a time as a parsed tree it estimates at about 190 bytes a
# vertex (a 1M-vertex polygon of 27 MB took 500 MB); past this estimate it stops reading.
GEOJSON_BYTES_PER_VERTEX = 256


@dataclass
class ReadLayer:
    crs_label: str
    fields: list[str]
    records: list[tuple[int, dict, object]]  # (feature index, properties, shapely geometry)


def _guess_crs(geoms) -> CRS | None:
    """Files without a .prj: lon/lat ranges, or CGCS2000 3° GK coordinates with a zone prefix."""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return TARGET
    zone = int(minx // 1_000_000)
    if 25 <= zone <= 45 and int(maxx // 1_000_000) == zone and 0 < miny < 10_000_000:
        return CRS.from_epsg(4513 + zone - 25)  # CGCS2000 / 3-degree Gauss-Kruger zone N
    return None


def read_source(source: LayerSource, filename: str) -> ReadLayer:
    """Read, reproject to CGCS2000 lon/lat and check one layer; every problem is collected."""
    _checked_info(source, filename)
    meta, wkb, field_data = _raw_read(source, filename)
    geoms = shapely.from_wkb(wkb)
    del wkb
    _check_vertices(geoms)
    missing = {i for i, g in enumerate(geoms) if g is None or g.is_empty}
    errors = [f"第{i + 1}个要素没有几何图形" for i in sorted(missing)]
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
    fields = [str(name) for name in meta["fields"]]
    records = []
    for i, geom in enumerate(geoms):
        if i in missing:
            continue
        problem = _geometry_problem(i, geom)
        if problem:
            errors.append(problem)
            continue
        props = {name: _plain(field_data[j][i]) for j, name in enumerate(fields)}
        records.append((i, props, geom))
    if errors:
        more = f"（另有{len(errors) - MAX_ERRORS_LISTED}处）" if len(errors) > MAX_ERRORS_LISTED else ""
        raise ValidationError([*errors[:MAX_ERRORS_LISTED], *([more] if more else [])])
    return ReadLayer(crs.to_string() if crs.to_epsg() is None else f"EPSG:{crs.to_epsg()}",
                     fields, records)


def _bound_gdal() -> None:
    """GDAL's own bound on one GeoJSON feature, from ours on vertices (process-wide)."""
    megabytes = -(-max_vertices() * GEOJSON_BYTES_PER_VERTEX // 2**20)
    pyogrio.set_gdal_config_options({"OGR_GEOJSON_MAX_OBJ_SIZE": str(megabytes)})


def _gdal_error(exc, filename) -> ValidationError:
    if "too complex/large" in str(exc):  # GDAL stopped at OGR_GEOJSON_MAX_OBJ_SIZE
        return ValidationError(f"“{filename}”中有要素过大：单个要素超过约{max_vertices()}个顶点的"
                               "上限，请先在 GIS 软件中简化（容差0.5米即可）或把多部件要素拆开后"
                               "再导入。")
    # GDAL says why in English; we say what to do
    return ValidationError(f"无法读取文件“{filename}”：文件损坏或格式不符（{exc}）。")


def _info(source, filename) -> dict:
    _bound_gdal()
    try:
        with offline(filename):
            info = pyogrio.read_info(source.gdal_path(filename), layer=source.layer,
                                     encoding=source.encoding, force_feature_count=True)
    except ValidationError:
        raise
    except Exception as exc:
        raise _gdal_error(exc, filename) from None
    check_driver(info.get("driver"), source.driver, filename)
    return info


def _checked_info(source, filename) -> dict:
    """GDAL's header of a layer, after what its bytes say it costs, both checked."""
    found = _check_estimate(source, filename)
    info = _info(source, filename)
    _check_counts(info)
    # GDAL takes a GeoPackage's count from gpkg_ogr_contents and reads only that many rows:
    # a count the file fakes would import part of the layer without a word.
    if found.features is not None and found.features != int(info["features"]):
        raise ValidationError(f"“{filename}”中记录的要素数（{info['features']}个）与实际的"
                              f"{found.features}个不符，文件可能已损坏，请在 GIS 软件中重新导出。")
    return info


def _check_estimate(source, filename) -> Estimate:
    """Vertices (and a GeoPackage's rows) from the file's bytes, before GDAL reads a shape."""
    found = estimate(source.path, source.driver, source.layer,
                     limit("LAYER_MAX_VERTICES", LAYER_MAX_VERTICES), filename)
    if found.features is not None:
        _check_features(found.features)
    if found.per_shape is not None:
        _check_shape_sizes(found.per_shape)
    _check_total_vertices(found.vertices, counted_all=found.complete and found.exact)
    return found


def _check_features(features: int) -> None:
    most = limit("LAYER_MAX_FEATURES", LAYER_MAX_FEATURES)
    if features > most:
        raise ValidationError(f"文件有{features}个要素，超过{most}个的上限，"
                              "请按区域拆分成几个文件分别导入。")


def _check_counts(info: dict) -> None:
    """Features and attribute values, from the header, before anything is read."""
    features, fields = int(info["features"]), len(info["fields"])
    _check_features(features)
    most = limit("LAYER_MAX_VALUES", LAYER_MAX_VALUES)
    if features * fields > most:
        raise ValidationError(f"文件有{features}个要素、{fields}个属性字段，共{features * fields}个"
                              f"属性值，超过{most}个的上限，请删去不需要的字段或拆分后再导入。")


def _check_vertices(geoms) -> None:
    """Vertices per shape and in all, counted before any shape is checked or reprojected."""
    counts = shapely.get_num_coordinates(geoms)  # 0 for a missing shape
    _check_shape_sizes(counts)
    _check_total_vertices(int(counts.sum()))


def _check_shape_sizes(counts) -> None:
    most = max_vertices()
    big = np.flatnonzero(counts > most)
    if len(big):
        errors = [f"第{i + 1}个要素有{counts[i]}个顶点，超过单个要素{most}个的上限" for i in big]
        more = f"（另有{len(errors) - MAX_ERRORS_LISTED}个）" if len(errors) > MAX_ERRORS_LISTED else ""
        raise ValidationError([*errors[:MAX_ERRORS_LISTED], *([more] if more else []),
                               "请先在 GIS 软件中简化（容差0.5米即可）或把多部件要素拆开后再导入。"])


def _check_total_vertices(total: int, counted_all: bool = True) -> None:
    """`counted_all`: `total` is the file's exact count, not a bound or a count stopped early."""
    most = limit("LAYER_MAX_VERTICES", LAYER_MAX_VERTICES)
    if total > most:
        found = f"共有{total}个顶点" if counted_all else f"的顶点已数到约{total}个"
        raise ValidationError(f"文件{found}，超过{most}个的上限，请先在 GIS 软件中简化"
                              "（容差0.5米即可）或按区域拆分后分别导入。")


def _raw_read(source, filename):
    _bound_gdal()
    try:
        with offline(filename):
            meta, _, wkb, field_data = pyogrio.raw.read(source.gdal_path(filename),
                                                        layer=source.layer,
                                                        encoding=source.encoding)
    except ValidationError:
        raise
    except UnicodeDecodeError:
        raise ValidationError(f"“{source.label}”的属性文字编码无法识别，请在压缩包中附上同名的"
                              " .cpg 文件注明编码（如 GBK 或 UTF-8）。") from None
    except Exception as exc:
        raise _gdal_error(exc, filename) from None
    return meta, wkb, field_data


def _geometry_problem(i, geom) -> str | None:
    if not geom.is_valid:
        return f"第{i + 1}个要素几何无效：{explain_validity(geom)}"
    minx, miny, maxx, maxy = geom.bounds
    if not (CHINA[0] <= minx and maxx <= CHINA[2] and CHINA[1] <= miny and maxy <= CHINA[3]):
        return (f"第{i + 1}个要素转换后不在中国范围内（{minx:.2f}, {miny:.2f}），"
                "坐标系可能标错")
    return None

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


def guess_kind(name: str, fields) -> str:
    """A layer type to offer for a new layer: from its attributes, then words in its name."""
    if _first_attribute(fields, LAND_USE_ATTRIBUTES):
        return LayerKind.LAND_USE
    return next((kind for word, kind in KIND_KEYWORDS if word in name), LayerKind.OTHER)


@dataclass
class Target:
    """Where one layer of an upload goes: an existing `layer`, or a new one (`name`, `kind`).

    `source` is a label from list_sources(); None means "the file's only layer" and is refused
    when the file holds several, so that no caller can import one of them silently.
    """

    source: str | None = None
    layer: Layer | None = None
    name: str = ""
    kind: str = ""


@dataclass
class SourceSummary:
    """One layer found in an upload, as the upload page lists it."""

    label: str
    feature_count: int
    fields: list[str]
    geometry_type: str
    suggested_name: str
    suggested_kind: str


@dataclass
class _Prepared:
    target: Target
    source: LayerSource
    data: ReadLayer
    land_use_attr: str | None
    name_attr: str | None


@contextmanager
def unpacked(uploaded, filename: str):
    """The layers of an upload, on disk in a directory removed afterwards."""
    file_format(filename)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "upload" + os.path.splitext(filename.lower())[1])
        copy_upload(uploaded, path, filename)
        yield open_sources(path, filename, os.path.join(tmp, "parts"))


def list_sources(uploaded, filename: str | None = None) -> list[SourceSummary]:
    """Every layer in an upload (each shapefile of a zip, each GeoPackage layer)."""
    filename = filename or getattr(uploaded, "name", "layer")
    with unpacked(uploaded, filename) as sources:
        return [_summary(source, filename) for source in sources]


def _summary(source, filename):
    info = _checked_info(source, filename)  # refused on the upload page, before any choice
    fields = [str(name) for name in info["fields"]]
    return SourceSummary(source.label, int(info["features"]), fields,
                         info.get("geometry_type") or "", source.suggested_name,
                         guess_kind(source.suggested_name, fields))


def import_layer(layer: Layer, uploaded, *, acting_user=None, filename=None, note: str = "",
                 source: str | None = None) -> LayerVersion:
    """Read, check and store a new version of `layer`; on any problem store nothing."""
    return import_layers(uploaded, [Target(source=source, layer=layer)], acting_user=acting_user,
                         filename=filename, note=note)[0]


def import_layers(uploaded, targets: list[Target], *, acting_user=None, filename=None,
                  note: str = "") -> list[LayerVersion]:
    """Import the chosen layers of one upload, each as a version of its own layer.

    The one path for the upload page, commands and any API. Everything is read and checked
    first; then all layers are stored in one transaction, so a problem in any of them (or a
    taken layer name) stores nothing and creates no layer.
    """
    filename = filename or getattr(uploaded, "name", "layer")
    with unpacked(uploaded, filename) as sources:
        pairs = _pair(targets, sources, filename)
        prepared, errors = [], []
        for target, source in pairs:
            try:
                prepared.append(_prepare(target, source, filename))
            except ValidationError as exc:
                errors.extend(exc.messages if len(sources) == 1 else
                              [f"{source.label}：{message}" for message in exc.messages])
        if errors:
            raise ValidationError(errors)
    try:
        return _store_all(prepared, filename, acting_user, note)
    except IntegrityError:  # a layer of the same name created meanwhile
        raise ValidationError("图层名称已被占用，请换一个名称后重新导入。") from None


def _pair(targets, sources, filename):
    if not targets:
        raise ValidationError("请至少选择一个要导入的图层。")
    by_label = {source.label: source for source in sources}
    pairs = []
    for target in targets:
        if target.source is None and len(sources) > 1:
            raise ValidationError(
                f"“{filename}”中有{len(sources)}个图层：{'、'.join(by_label)}。"
                "请逐个选择导入到哪个图层，系统不会只导入其中一个。")
        source = sources[0] if target.source is None else by_label.get(target.source)
        if source is None:
            raise ValidationError(f"“{filename}”中没有“{target.source}”。")
        pairs.append((target, source))
    _check_targets(pairs)
    return pairs


def _check_targets(pairs):
    errors, sources, layers, names = [], set(), set(), set()
    for target, source in pairs:
        if source.label in sources:
            errors.append(f"“{source.label}”被选择了两次。")
        sources.add(source.label)
        if target.layer is not None:
            if target.layer.pk in layers:
                errors.append(f"图层“{target.layer.name}”一次只能导入一个文件。")
            layers.add(target.layer.pk)
            continue
        name = target.name.strip()
        if not name or target.kind not in LayerKind.values:
            errors.append(f"请为“{source.label}”选择已有图层，或填写新图层的名称和类型。")
        elif len(name) > Layer._meta.get_field("name").max_length:
            errors.append(f"图层名称“{name}”过长（最多100个字）。")
        elif name in names or Layer.objects.filter(name=name).exists():
            errors.append(f"已有名为“{name}”的图层。")
        names.add(name)
    if errors:
        raise ValidationError(errors)


def _prepare(target, source, filename) -> _Prepared:
    data = read_source(source, filename)
    land_use_attr = _first_attribute(data.fields, LAND_USE_ATTRIBUTES)
    kind = target.layer.kind if target.layer else target.kind
    if kind == LayerKind.LAND_USE and land_use_attr is None:
        present = "、".join(data.fields) or "无"
        raise ValidationError(f"用地性质图层缺少“用地性质”属性（现有属性：{present}）。")
    return _Prepared(target, source, data, land_use_attr,
                     _first_attribute(data.fields, NAME_ATTRIBUTES))


@transaction.atomic
def _store_all(prepared, filename, acting_user, note):
    source_format = file_format(filename)
    versions = []
    for item in prepared:
        layer = item.target.layer or Layer.objects.create(name=item.target.name.strip(),
                                                          kind=item.target.kind)
        source_name = filename if item.source.label == filename else \
            f"{filename}/{item.source.label}"
        versions.append(_store(layer, item, source_name[:200], source_format, acting_user, note))
    return versions


def _store(layer, item, source_name, source_format, acting_user, note):
    layer = Layer.objects.select_for_update().get(pk=layer.pk)
    number = (layer.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    data, name_attr, land_use_attr = item.data, item.name_attr, item.land_use_attr
    version = LayerVersion.objects.create(
        layer=layer, number=number, source_name=source_name, source_format=source_format,
        source_crs=data.crs_label, feature_count=len(data.records), imported_by=acting_user,
        note=note)
    areas = _areas_m2([g for _, _, g in data.records])
    for batch in _batches(zip(data.records, areas, strict=True)):
        Feature.objects.bulk_create([
            _feature(version, i, props, g, area, name_attr, land_use_attr)
            for (i, props, g), area in batch], batch_size=2000)
    layer.current_version = version
    layer.save(update_fields=["current_version"])
    return version

def _batches(rows):
    """Rows a few at a time, so that only one batch of shapes exists as GeoJSON lists."""
    batch, vertices = [], 0
    for row in rows:
        batch.append(row)
        vertices += shapely.get_num_coordinates(row[0][2])
        if vertices >= STORE_BATCH_VERTICES or len(batch) >= 2000:
            yield batch
            batch, vertices = [], 0
    if batch:
        yield batch


def _feature(version, i, props, g, area, name_attr, land_use_attr) -> Feature:
    minx, miny, maxx, maxy = g.bounds
    return Feature(version=version, index=i, properties=props,
                   geometry=shapely.geometry.mapping(g), geom_type=g.geom_type, area_m2=area,
                   name=str(props.get(name_attr) or "")[:200] if name_attr else "",
                   land_use=str(props.get(land_use_attr) or "")[:50] if land_use_attr else "",
                   min_lon=minx, min_lat=miny, max_lon=maxx, max_lat=maxy)


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
