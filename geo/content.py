"""What a layer file really is, and what reading it will cost, from its bytes, before GDAL.

GDAL chooses its reader from the content, so the content must be what the extension says
(geo/gdal_guard.py also restricts the driver): a GeoJSON is JSON text that starts with "{",
a GeoPackage an SQLite database, a shapefile's .shp and .shx start with the magic number
9994. A GeoPackage is SQL: it may hold views, virtual tables (SQLite modules that read other
files) and generated columns, which run SQL while a layer is read; those are refused, and the
database is opened read-only and immutable.

Vertices are counted here, before GDAL holds any shape (10M vertices in an 81 MB zip cost
+396 MB when counted after the read): exactly for a shapefile, from its index and each
record's point count; as an upper bound for a GeoJSON (every position is one "[" that does
not open another array) and a GeoPackage (every vertex takes at least 16 bytes of its
geometry blob). Counting stops once past the limit. A GeoPackage's feature count is counted
too, as GDAL's comes from a table the file itself may fake (gpkg_ogr_contents).
"""

import os
import sqlite3
import struct
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError

GPKG_MAGIC = b"SQLite format 3\x00"
SHAPE_MAGIC = 9994  # 0x0000270a, big-endian, bytes 0–3 of a .shp and a .shx
UTF8_BOM = b"\xef\xbb\xbf"
JSON_BLANKS = b" \t\r\n"
LEADING_BLANKS_READ = 64 * 1024  # a GeoJSON's "{" comes within this much whitespace
CHUNK = 1 << 20
SHAPES_PER_CHUNK = 65_536
GPKG_MAX_SCHEMA_OBJECTS = 5_000  # tables, indexes, triggers: a layer file has tens
GPKG_MIN_BYTES_PER_VERTEX = 16  # x and y as doubles; Z and M only add bytes
# Shapefile record types → where the record's point count is (bytes into its content).
POINT_TYPES = (1, 11, 21)  # one vertex
MULTIPOINT_TYPES = (8, 18, 28)  # count at 36
PART_TYPES = (3, 5, 13, 15, 23, 25, 31)  # lines, polygons, multipatch: count at 40


@dataclass
class Estimate:
    """What a layer will cost, found before GDAL reads it."""

    vertices: int  # counted so far
    complete: bool = True  # False: counting stopped once past the limit
    exact: bool = False  # True: vertices as GDAL will read them; else an upper bound
    features: int | None = None  # rows, where GDAL's own count can be faked
    per_shape: np.ndarray | None = None  # exact vertices of each shape counted (shapefiles)


def _not_format(filename: str, expected: str) -> ValidationError:
    return ValidationError(f"“{filename}”的内容不是{expected}文件（扩展名与内容不符），"
                           f"请上传由 GIS 软件导出的{expected}。")


def check_geojson(path: str, filename: str) -> None:
    """JSON text whose first character (after a BOM and blanks) is "{". XML (an OGR VRT), a
    database or anything else is refused; GDAL's GeoJSON driver parses the rest as a stream."""
    with open(path, "rb") as fh:
        head = fh.read(LEADING_BLANKS_READ).removeprefix(UTF8_BOM).lstrip(JSON_BLANKS)
    if not head.startswith(b"{"):
        raise _not_format(filename, "GeoJSON")


def check_shapefile(shp_path: str, label: str) -> None:
    """The .shp and its .shx (when present: GDAL refuses a .shp without one) start with the
    shapefile magic number."""
    stem = os.path.splitext(shp_path)[0]
    for path in (shp_path, stem + ".shx"):
        if path != shp_path and not os.path.exists(path):
            continue
        with open(path, "rb") as fh:
            head = fh.read(4)
        if len(head) < 4 or struct.unpack(">i", head)[0] != SHAPE_MAGIC:
            raise _not_format(label, "Shapefile")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _open_geopackage(path: str, filename: str) -> sqlite3.Connection:
    with open(path, "rb") as fh:
        if fh.read(len(GPKG_MAGIC)) != GPKG_MAGIC:
            raise _not_format(filename, "GeoPackage")
    # immutable: no journal, no WAL, no lock files next to it; nothing is written
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def _schema_problem(con: sqlite3.Connection) -> str | None:
    objects = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if objects > GPKG_MAX_SCHEMA_OBJECTS:
        return f"数据库中有{objects}个表、索引或触发器，结构异常"
    for kind, name, sql in con.execute("SELECT type, name, sql FROM sqlite_master"):
        text = " ".join((sql or "").split()).upper()
        if kind == "view":
            return f"含有视图“{name}”"
        if text.startswith("CREATE VIRTUAL TABLE") and " USING RTREE(" not in text:
            return f"含有虚拟表“{name}”"  # rtree: the spatial index every GeoPackage has
    for (table,) in con.execute("SELECT table_name FROM gpkg_geometry_columns"):
        hidden = [row[1] for row in con.execute(f"PRAGMA table_xinfo({_quoted(table)})")
                  if row[6] in (2, 3)]
        if hidden:
            return f"图层“{table}”含有计算列“{hidden[0]}”"
    return None


def check_geopackage(path: str, filename: str) -> None:
    """An SQLite database with GeoPackage tables and nothing that runs SQL while it is read."""
    try:
        con = _open_geopackage(path, filename)
        try:
            problem = _schema_problem(con)
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise ValidationError(f"无法读取文件“{filename}”：GeoPackage 损坏或格式不符（{exc}）。") \
            from None
    if problem:
        raise ValidationError(f"GeoPackage“{filename}”{problem}，系统只读取普通的要素表。"
                              "请在 GIS 软件中把图层导出为新的 GeoPackage 后重新上传。")


def estimate(path: str, driver: str, layer: str | None, most_vertices: int,
             filename: str) -> Estimate:
    """Vertices (and, for a GeoPackage, features) of one layer, before GDAL reads it."""
    if driver == "ESRI Shapefile":
        return _shapefile_estimate(path, most_vertices)
    if driver == "GPKG":
        return _geopackage_estimate(path, layer, filename)
    return _geojson_estimate(path, most_vertices)


def _geojson_estimate(path: str, most: int) -> Estimate:
    """Positions: each is an array opened by "[" and holding no other "[" — blanks removed,
    a "[" followed by "[" opens a ring, polygon or list of them instead."""
    positions, previous = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            text = previous + chunk.translate(None, JSON_BLANKS)
            opens = np.frombuffer(text, np.uint8) == ord("[")
            positions += int(np.count_nonzero(opens[len(previous):]))
            positions -= int(np.count_nonzero(opens[:-1] & opens[1:]))
            previous = text[-1:]
            if positions > most:
                return Estimate(positions, complete=False)
    return Estimate(positions)


def _geopackage_estimate(path: str, layer: str | None, filename: str) -> Estimate:
    """Rows and geometry bytes of the layer's table; a layer whose table cannot be counted
    here is not left to GDAL, which would trust the file's own count."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        found = con.execute("SELECT column_name FROM gpkg_geometry_columns "
                            "WHERE lower(table_name) = lower(?)", (layer,)).fetchone()
        if found is not None:
            rows, size = con.execute(
                f"SELECT count(*), coalesce(sum(length({_quoted(found[0])})), 0) "
                f"FROM {_quoted(layer)}").fetchone()
    except sqlite3.Error:
        found = None
    finally:
        con.close()
    if found is None:
        raise ValidationError(f"无法读取“{filename}”中的图层“{layer}”：GeoPackage 的几何列"
                              "登记缺失或数据表损坏，请在 GIS 软件中重新导出。")
    return Estimate(int(size) // GPKG_MIN_BYTES_PER_VERTEX, features=int(rows))


def _int32_at(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Little-endian int32 at each offset of `data`; 0 where an offset is outside it."""
    values = np.zeros(len(offsets), dtype=np.int64)
    inside = (offsets >= 0) & (offsets + 4 <= len(data))
    at = offsets[inside][:, None] + np.arange(4)
    values[inside] = np.ascontiguousarray(data[at]).view("<i4").ravel()
    return values


def _record_points(shp: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Vertices of the records whose content starts at `starts`, as shapelib will read them."""
    kinds = _int32_at(shp, starts)
    where = np.where(np.isin(kinds, PART_TYPES), starts + 40,
                     np.where(np.isin(kinds, MULTIPOINT_TYPES), starts + 36, -1))
    points = np.clip(_int32_at(shp, where), 0, None)
    return np.where(np.isin(kinds, POINT_TYPES), 1, points)


def _shapefile_estimate(shp_path: str, most: int) -> Estimate:
    """Exact: the .shx says where each record is; each record says how many points it has."""
    shx_path = os.path.splitext(shp_path)[0] + ".shx"
    if not os.path.exists(shx_path) or os.path.getsize(shp_path) < 100:
        return Estimate(0, exact=True)  # GDAL cannot open it; it says so
    records = max(0, (os.path.getsize(shx_path) - 100) // 8)
    if records == 0:
        return Estimate(0, exact=True)
    shp = np.memmap(shp_path, dtype=np.uint8, mode="r")
    index = np.memmap(shx_path, dtype=">i4", mode="r", offset=100, shape=(records, 2))
    counts, total = [], 0
    for first in range(0, records, SHAPES_PER_CHUNK):
        starts = index[first:first + SHAPES_PER_CHUNK, 0].astype(np.int64) * 2 + 8
        counts.append(_record_points(shp, starts))
        total += int(counts[-1].sum())
        if total > most:
            break
    done = first + SHAPES_PER_CHUNK >= records
    return Estimate(total, complete=done, exact=True, per_shape=np.concatenate(counts))
