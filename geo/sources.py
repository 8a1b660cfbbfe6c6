"""What an uploaded layer file holds: its layers ("sources"), unpacked to disk, with encodings.

Offices send files the way their tools write them: a zip whose shapefile sits in a folder
(数据/规划用地.shp), several shapefiles in one zip, member names in GBK (Windows zip tools set
no UTF-8 flag), .dbf attributes in GBK/GB18030 with no .cpg beside them, GeoPackages holding
several layers. This module finds every layer in such a file so that the importer never picks
one silently, and says which encoding each shapefile's attributes are in.

What an upload may cost is bounded before it is read: its size while it is copied, a zip
from its directory (members, unpacked size, compression ratio) before anything is unpacked.
Features and vertices are counted by geo.importers.

What a file is, is checked from its content before GDAL opens it (geo/content.py), and GDAL
reads it through the driver its extension names, and no other (geo/gdal_guard.py): GDAL
chooses a reader from the content, and some readers open other files or URLs.
"""

import codecs
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pyogrio
from django.conf import settings
from django.core.exceptions import ValidationError

from core.uploads import check_zip
from geo.content import check_geojson, check_geopackage, check_shapefile
from geo.gdal_guard import DRIVER_OF_EXTENSION, gdal_path, offline, refuse_redirecting_name

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".zip": "Shapefile（zip）",
           ".gpkg": "GeoPackage", ".shp": "Shapefile"}
SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
REQUIRED_PARTS = (".shx", ".dbf")
# A county's land-use layer as a zipped shapefile is 20–80 MB; its .dbf, fixed-width text
# fields padded with spaces, unpacks to a few times that. Settings of the same name override.
LAYER_MAX_UPLOAD_BYTES = 200 * 2**20
LAYER_MAX_UNPACKED_BYTES = 500 * 2**20
LAYER_MAX_SOURCES = 100  # layers in one file; each is listed, read and chosen one by one
UTF8_FLAG = 0x800  # zip general-purpose bit 11: the member name is UTF-8


@dataclass(frozen=True)
class LayerSource:
    """One layer inside an upload: what the clerk sees (`label`) and how to read it."""

    label: str  # "数据/规划用地.shp", a GeoPackage layer name, or the uploaded file's name
    path: str  # on disk, inside the work directory
    layer: str | None = None  # the layer's name inside a GeoPackage
    encoding: str | None = None  # attribute encoding to read with; None: the driver knows
    driver: str = "GeoJSON"  # the one GDAL driver that may read it (gdal_guard.ALLOWED_DRIVERS)

    def gdal_path(self, filename: str) -> str:
        return gdal_path(self.path, self.driver, filename)

    @property
    def suggested_name(self) -> str:
        """A layer name for a new layer: the file or layer name without folder and extension."""
        return os.path.splitext(os.path.basename(self.label))[0][:100]


def file_format(filename: str) -> str:
    """The format's label for a file name, or a ValidationError naming what is accepted."""
    ext = os.path.splitext(filename.lower())[1]
    if ext not in FORMATS:
        raise ValidationError(f"不支持的文件格式“{ext or filename}”，请上传 GeoJSON、"
                              "Shapefile（zip 压缩包）或 GeoPackage。")
    return FORMATS[ext]


def open_sources(path: str, filename: str, workdir: str) -> list[LayerSource]:
    """Every layer in the file at `path` (uploaded as `filename`); zips unpack into `workdir`."""
    file_format(filename)
    ext = os.path.splitext(filename.lower())[1]
    if ext == ".zip":
        return _zip_sources(path, filename, workdir)
    if ext == ".gpkg":
        return _geopackage_sources(path, filename)
    if ext == ".shp":
        check_shapefile(path, filename)
        return [LayerSource(filename, path, encoding=shapefile_encoding(path),
                            driver=DRIVER_OF_EXTENSION[ext])]
    check_geojson(path, filename)
    return [LayerSource(filename, path, driver=DRIVER_OF_EXTENSION[ext])]


def _geopackage_sources(path, filename):
    check_geopackage(path, filename)
    try:
        with offline(filename):
            layers = [str(name) for name, geometry_type in
                      pyogrio.list_layers(gdal_path(path, "GPKG", filename))
                      if geometry_type is not None]
    except ValidationError:
        raise
    except Exception as exc:  # GDAL says why in English; we say what to do
        raise ValidationError(f"无法读取文件“{filename}”：文件损坏或格式不符（{exc}）。") from None
    if not layers:
        raise ValidationError(f"GeoPackage“{filename}”中没有含几何图形的图层。")
    _check_source_count(len(layers), filename)
    for name in layers:
        refuse_redirecting_name(name, filename)
    if len(layers) == 1:
        return [LayerSource(filename, path, layer=layers[0], driver="GPKG")]
    return [LayerSource(name, path, layer=name, driver="GPKG") for name in layers]


def _check_source_count(found: int, filename: str) -> None:
    most = limit("LAYER_MAX_SOURCES", LAYER_MAX_SOURCES)
    if found > most:
        raise ValidationError(f"“{filename}”中有{found}个图层，超过{most}个的上限，"
                              "请分成几个文件分别上传。")


def limit(name: str, default: int) -> int:
    """A bound on uploads: the setting of that name, else the module's constant."""
    return getattr(settings, name, default)


def _max_unpacked() -> int:
    return limit("LAYER_MAX_UNPACKED_BYTES", LAYER_MAX_UNPACKED_BYTES)


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f}MB" if size >= 2**20 else f"{size / 1024:.0f}KB"


def _zip_sources(path, filename, workdir):
    try:
        with zipfile.ZipFile(path) as archive:
            most = _max_unpacked()
            check_zip(archive, filename, max_unpacked=most, name_of=member_name)
            shapes = _shapefiles_in(archive, filename)
            _check_source_count(len(shapes), filename)
            budget = [most]
            sources = []
            for number, (label, parts) in enumerate(shapes):
                folder = os.path.join(workdir, str(number))
                os.makedirs(folder)
                # Our own file names on disk: the zip's names never reach the file system.
                for ext, info in parts.items():
                    _extract(archive, info, os.path.join(folder, "layer" + ext), budget)
                shp = os.path.join(folder, "layer.shp")
                check_shapefile(shp, label)
                sources.append(LayerSource(label, shp, encoding=shapefile_encoding(shp),
                                           driver="ESRI Shapefile"))
            return sources
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, OSError,
            NotImplementedError, RuntimeError) as exc:
        raise ValidationError(f"无法读取文件“{filename}”：压缩包损坏、已加密或压缩方式不受支持"
                              f"（{exc}）。") from None


def _shapefiles_in(archive, filename) -> list[tuple[str, dict]]:
    """(label of the .shp, {".shp": info, ".dbf": info, …}) for every shapefile, in name order."""
    groups: dict[str, dict] = {}
    labels: dict[str, str] = {}
    for info in archive.infolist():
        name = member_name(info).replace("\\", "/")
        base = os.path.basename(name)
        if info.is_dir() or name.startswith("__MACOSX/") or base.startswith("."):
            continue
        stem, ext = os.path.splitext(name)
        if ext.lower() in SHAPE_PARTS:
            groups.setdefault(stem.lower(), {})[ext.lower()] = info
            if ext.lower() == ".shp":
                labels[stem.lower()] = name
    if not labels:
        raise ValidationError(f"压缩包“{filename}”中没有找到 Shapefile（.shp 文件）。")
    problems = []
    for key, label in labels.items():
        missing = [ext for ext in REQUIRED_PARTS if ext not in groups[key]]
        if missing:
            problems.append(f"压缩包中的“{label}”缺少同名的 {'、'.join(missing)} 文件，"
                            "请把 .shp、.shx、.dbf、.prj 一起打包。")
    if problems:
        raise ValidationError(problems)
    return [(labels[key], groups[key]) for key in sorted(labels, key=lambda k: labels[k])]


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its author saw it.

    Zips made by Windows tools in China carry GBK names without the UTF-8 flag; Python then
    decodes them as CP437. Recover the bytes and try UTF-8, then GB18030.
    """
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _extract(archive, info, target, budget):
    """Unpack one member; `budget` is a second guard behind check_zip (zipfile already stops
    each member at its declared size)."""
    with archive.open(info) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise ValidationError(f"压缩包解压后超过{_mb(_max_unpacked())}的上限，"
                                      "请拆分后分别上传。")
            dst.write(chunk)


def shapefile_encoding(shp_path: str) -> str | None:
    """The attribute encoding of a shapefile: its .cpg when present and known, else detected."""
    stem = os.path.splitext(shp_path)[0]
    if os.path.exists(stem + ".cpg"):
        with open(stem + ".cpg", "rb") as fh:
            declared = cpg_encoding(fh.read(100).decode("ascii", "ignore"))
        if declared:
            return declared
    if os.path.exists(stem + ".dbf"):
        return detect_dbf_encoding(stem + ".dbf")
    return None


def cpg_encoding(text: str) -> str | None:
    """A Python codec for the content of a .cpg file ("UTF-8", "GBK", "936", "ANSI 936" …)."""
    value = text.strip().upper().removeprefix("ANSI").strip()
    if value in ("UTF-8", "UTF8", "65001"):
        return "UTF-8"
    if value.isdigit():
        value = f"CP{value}"
    if value in ("GB2312", "GBK", "CP936", "GB18030", "CP54936"):
        return "GB18030"  # the superset: files labelled GB2312 routinely hold GBK characters
    try:
        codecs.lookup(value)
    except LookupError:
        return None  # an unknown label: detect from the content instead
    return value


def detect_dbf_encoding(dbf_path: str) -> str:
    """UTF-8 when every field name and text value is valid UTF-8, else GB18030.

    Chinese GIS tools write GBK .dbf files without a .cpg every day; GBK text is almost never
    valid UTF-8, so a strict UTF-8 check over the raw bytes tells the two apart.
    """
    with open(dbf_path, "rb") as fh:
        data = fh.read()
    texts = [name for name, _, _, _ in _dbf_fields(data)]
    if len(data) >= 12:
        count, header_len, record_len = struct.unpack_from("<IHH", data, 4)
        text_fields = [(offset, length) for _, kind, offset, length in _dbf_fields(data)
                       if kind == "C"]
        for record in range(count):
            start = header_len + record * record_len
            texts.extend(data[start + offset:start + offset + length] for offset, length in
                         text_fields)
    return "UTF-8" if all(_is_utf8(text) for text in texts) else "GB18030"


def _dbf_fields(data: bytes) -> list[tuple[bytes, str, int, int]]:
    """(raw name, type letter, offset in the record, width) from a dBase header."""
    header_len = struct.unpack_from("<H", data, 8)[0] if len(data) >= 12 else 0
    fields, pos, offset = [], 32, 1  # byte 0 of each record is the deletion flag
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        kind = chr(data[pos + 11])
        width = data[pos + 16] + (data[pos + 17] << 8 if kind == "C" else 0)
        fields.append((data[pos:pos + 11].split(b"\0")[0], kind, offset, width))
        offset += width
        pos += 32
    return fields


def _is_utf8(raw: bytes) -> bool:
    raw = raw.rstrip(b" \0")
    if raw.isascii():
        return True
    try:
        # Not final: a value cut at the field's width may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        return False
    return True


def copy_upload(uploaded, target: str, filename: str = "") -> None:
    """Write an uploaded file (or any file object) to `target`, from its start; refused
    past LAYER_MAX_UPLOAD_BYTES, and never copied further than that."""
    most = limit("LAYER_MAX_UPLOAD_BYTES", LAYER_MAX_UPLOAD_BYTES)
    name = filename or getattr(uploaded, "name", "")
    size = getattr(uploaded, "size", None)  # Django's uploads know it; an open file does not
    if size is not None and size > most:
        raise _too_big(name, most, size)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    chunks = uploaded.chunks() if hasattr(uploaded, "chunks") else \
        iter(lambda: uploaded.read(1 << 20), b"")
    written = 0
    with open(target, "wb") as fh:
        for chunk in chunks:
            written += len(chunk)
            if written > most:
                raise _too_big(name, most)
            fh.write(chunk)


def _too_big(name, most, size=None):
    found = f"有{_mb(size)}，" if size else ""
    return ValidationError(f"文件“{name}”{found}超过{_mb(most)}的上限，请按区域拆分后分别导入。")
