"""Uploaded files are checked by content, never by name.

Photos (JPEG/PNG/WebP) are opened with Pillow, which also gives a thumbnail
and the GPS position from EXIF; documents (PDF, DOCX, XLSX) are recognised by
their signatures and, for the Office formats, the parts inside the zip.

A small file can still cost a lot to open: a PNG of a few KB declares 12000×12000 pixels,
a zip of 44 KB unpacks to gigabytes. Images are refused from their header before any pixel
is decoded, by pixels and by what decoding them takes in memory (a 237 KB RGBA PNG within
the pixel limit cost +482 MB, a WebP of the same size +953 MB), and zips (ours and the
importers': .xlsx, zipped shapefiles) from their directory before any member is unpacked
(`check_zip`).
"""

import hashlib
import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                 "WEBP": ("image/webp", "webp")}
THUMBNAIL_SIZE = (320, 320)
# 64 million pixels (8000×8000): every 50 MP phone mode (8160×6120, 8192×6144) and ordinary
# camera fits; the 64/108/200 MP "full resolution" phone modes (9248×6936 …) are refused with
# a request to shrink. UPLOAD_MAX_IMAGE_PIXELS in the settings overrides it.
MAX_IMAGE_PIXELS = 64_000_000
# What decoding one photo may take in memory before its thumbnail exists (see _decode_bytes);
# a 64 MP RGB or RGBA image decoded whole is 256 MB. UPLOAD_MAX_IMAGE_DECODE_BYTES overrides.
MAX_IMAGE_DECODE_BYTES = 256 * 2**20
# Pillow keeps a pixel in 1 byte (1-bit, grey, palette), 2 (16-bit grey) or 4 (any other mode:
# RGB is padded to 4).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
# A WebP is decoded whole by libwebp, handed over as bytes and copied into the image: 953 MB
# for 62 MP, about 16 bytes a pixel.
WEBP_BYTES_PER_PIXEL = 16
# Zip bombs, judged from the zip's directory before anything is unpacked.
ZIP_MAX_MEMBERS = 1000  # an .xlsx holds about ten parts, a zip of shapefiles five per layer
ZIP_MAX_RATIO = 200  # our 5,000-row ledger export compresses 13:1; deflate tops out near 1000:1
ZIP_RATIO_FROM_BYTES = 1 << 20  # tiny parts compress absurdly and harmlessly


@dataclass
class UploadInfo:
    kind: str  # "photo" or "document"
    mime_type: str
    extension: str
    size: int
    sha256: str
    safe_name: str
    gps: tuple[float, float] | None = None  # (lon, lat)
    thumbnail: ContentFile | None = None


def sanitise_filename(name: str, extension: str) -> str:
    """Keep letters (Chinese included), digits, dot, dash and underscore; force our extension."""
    base = os.path.basename(name or "").rsplit(".", 1)[0]
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w\-]+", "_", base, flags=re.UNICODE).strip("._") or "file"
    return f"{base[:80]}.{extension}"


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f}MB" if size >= 2**20 else f"{size / 1024:.0f}KB"


def check_zip(archive: zipfile.ZipFile, filename: str, *, max_unpacked: int,
              name_of=lambda info: info.filename) -> None:
    """Refuse a zip bomb from the zip's directory, before any member is unpacked.

    Python's zipfile (openpyxl reads through it too) stops every member at the size the
    directory declares and fails on a CRC mismatch, so the declared sizes bound what
    reading can produce: a lying directory only makes the read fail. `name_of` gives a
    member's name as its author wrote it (GBK names, see geo.sources.member_name).
    """
    infos = archive.infolist()
    most = getattr(settings, "ZIP_MAX_MEMBERS", ZIP_MAX_MEMBERS)
    if len(infos) > most:
        raise ValidationError(f"“{filename}”内含{len(infos)}个文件，超过{most}个的上限，"
                              "不像正常的文件，已拒绝。")
    total = sum(info.file_size for info in infos)
    if total > max_unpacked:
        raise ValidationError(f"“{filename}”解压后共{_mb(total)}，超过{_mb(max_unpacked)}的上限，"
                              "请拆分后分别上传。")
    ratio = getattr(settings, "ZIP_MAX_RATIO", ZIP_MAX_RATIO)
    for info in infos:
        if info.file_size >= ZIP_RATIO_FROM_BYTES and \
                info.file_size > ratio * max(info.compress_size, 1):
            found = info.file_size // max(info.compress_size, 1)
            raise ValidationError(
                f"“{filename}”中的“{name_of(info)}”压缩比异常（约{found}:1，正常文件不超过"
                f"{ratio}:1），{_mb(info.compress_size)}解压后达{_mb(info.file_size)}，"
                "疑似恶意构造的压缩包，已拒绝。")


def _office_kind(data: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
    if any(n.startswith("xl/") for n in names):
        return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    return None


def _gps_from_exif(image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # malformed EXIF must not fail the upload
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None

    def degrees(value, ref, negative):
        d, m, s = (float(x) for x in value)
        result = d + m / 60 + s / 3600
        return -result if ref == negative else result

    try:
        lat = degrees(gps[2], gps.get(1, "N"), "S")
        lon = degrees(gps[4], gps.get(3, "E"), "W")
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (round(lon, 7), round(lat, 7))


def image_pixel_limit() -> int:
    return getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", MAX_IMAGE_PIXELS)


def image_decode_limit() -> int:
    return getattr(settings, "UPLOAD_MAX_IMAGE_DECODE_BYTES", MAX_IMAGE_DECODE_BYTES)


def _jpeg_sample_share(image) -> float:
    """Samples per pixel of a JPEG, from its components' sampling factors (4:2:0 → 1.5)."""
    layers = getattr(image, "layer", None) or []
    if not layers:
        return 3.0
    most_h = max(h for _, h, _, _ in layers)
    most_v = max(v for _, _, v, _ in layers)
    return sum(h * v for _, h, v, _ in layers) / (most_h * most_v)


def _decode_bytes(image) -> int:
    """Memory decoding the image takes, from its header, as _thumbnail decodes it.

    A baseline JPEG is decoded at 1/2 to 1/8 scale (draft). A progressive one is not cheaper:
    libjpeg keeps every DCT coefficient, 2 bytes a sample (a 62 MP 4:4:4 one cost +361 MB).
    PNG is decoded whole in its own mode; WebP whole, and copied twice.
    """
    pixels = image.width * image.height
    if image.format == "JPEG":
        if image.info.get("progressive") or image.info.get("progression"):
            return int(pixels * 2 * _jpeg_sample_share(image))
        return pixels * 4 // 64
    if image.format == "WEBP":
        return pixels * WEBP_BYTES_PER_PIXEL
    return pixels * _PIXEL_BYTES.get(image.mode, 4)


def _too_costly(name: str, image, cost: int):
    return ValidationError(
        "图片“%(n)s”（%(w)d×%(h)d，%(f)s）解码约需%(c)dMB内存，超过%(m)dMB上限，"
        "请缩小尺寸或另存为普通 JPEG 后再上传。",
        params={"n": name, "w": image.width, "h": image.height,
                "f": f"{image.format} {image.mode}", "c": cost // 2**20,
                "m": image_decode_limit() // 2**20})


def _pillow():
    """Pillow, with its own decompression-bomb limit set to ours.

    Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that, in Image.open(); with
    our number, every other use in the process (WeasyPrint drawing a photo into a PDF)
    at least warns where the upload refuses.
    """
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = image_pixel_limit()
    return Image


def _too_large(name: str, width: int | None = None, height: int | None = None,
               pixels: int | None = None):
    limit = image_pixel_limit() // 10_000
    if width is None:  # Pillow refused it in open(), before we could read the size
        found = f"（约{pixels // 10_000}万像素）" if pixels else ""
        return ValidationError("图片“%(n)s”的像素过大%(f)s，超过%(m)d万像素上限，请缩小后再上传。",
                               params={"n": name, "f": found, "m": limit})
    return ValidationError(
        "图片“%(n)s”的像素过大（%(w)d×%(h)d，约%(p)d万像素），超过%(m)d万像素上限，"
        "请缩小后再上传（手机可改用默认拍照模式）。",
        params={"n": name, "w": width, "h": height, "p": width * height // 10_000, "m": limit})


def _webp_header(data: bytes):
    """(width, height, mode) from a WebP's RIFF header (VP8 / VP8L / VP8X), or None.

    Read here, before Pillow: opening a WebP already sets up libwebp's decoder, whose frame
    buffers are the image's size (CI measured +67 MB for a 4200×4200 file being refused)."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    kind = data[12:16]
    if kind == b"VP8X":  # extended: 24-bit canvas width-1 and height-1, alpha flag
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height, "RGBA" if data[20] & 0x10 else "RGB"
    if kind == b"VP8L" and data[20] == 0x2F:  # lossless: 14-bit width-1, height-1, alpha
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF), \
            "RGBA" if (bits >> 28) & 1 else "RGB"
    if kind == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy key frame: 14-bit sizes
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        height = int.from_bytes(data[28:30], "little") & 0x3FFF
        return width, height, "RGB"
    return None


def _refuse_webp_by_header(data: bytes, name: str) -> None:
    header = _webp_header(data)
    if header is None:
        return  # not a WebP (or one Pillow will judge after opening)
    width, height, mode = header
    if width * height > image_pixel_limit():
        raise _too_large(name, width, height)
    cost = width * height * WEBP_BYTES_PER_PIXEL
    if cost > image_decode_limit():
        declared = SimpleNamespace(width=width, height=height, format="WEBP", mode=mode)
        raise _too_costly(name, declared, cost)


def _open_image(data: bytes, name: str):
    """Open and structure-check an image without decoding it; None when it is not one.

    The pixel count is read from the header and checked before anything is
    decoded: a few KB can declare 100,000×100,000 pixels (a decompression bomb).
    """
    from PIL import UnidentifiedImageError

    _refuse_webp_by_header(data, name)
    Image = _pillow()
    with warnings.catch_warnings():
        # Past the limit Pillow warns, and we refuse just below with the size in the message;
        # past twice the limit it raises before we can read the size.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))  # no other reader
            width, height = image.size
            if width * height > image_pixel_limit():
                raise _too_large(name, width, height)
            cost = _decode_bytes(image)
            if cost > image_decode_limit():
                raise _too_costly(name, image, cost)
            image.verify()  # structure check; the image must be reopened after verify()
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
        except Image.DecompressionBombError as exc:
            declared = re.search(r"\((\d+) pixels\)", str(exc))  # Pillow's message
            raise _too_large(name, pixels=int(declared[1]) if declared else None) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
    return image


# Modes Pillow resamples as they are; others (palettes, 1-bit, 16-bit) are expanded first.
_RESAMPLED_AS_IS = {"L", "LA", "RGB", "RGBA", "CMYK", "YCbCr"}
# Modes Image.reduce() averages in place: not a palette's indexes, and not LA or RGBA, which
# it premultiplies into a full-size copy first.
_REDUCIBLE = {"L", "RGB", "RGBX", "CMYK", "YCbCr", "I", "F"}


def _shrunk(image):
    """The decoded image brought down by a whole factor to about twice the thumbnail, before
    anything else touches it at full size: resampling or reducing RGBA premultiplies a
    full-size copy (+240 MB at 62 MP), expanding a 16-bit or palette image makes a full-size
    RGBA one."""
    from PIL import Image

    factor = max(image.size) // (2 * max(THUMBNAIL_SIZE))
    if factor < 2:
        return image
    if image.mode in _REDUCIBLE:
        return image.reduce(factor)  # box average: what thumbnail() itself would do
    # Nearest pixel, the one resampling every mode has; at twice the size, still sharp.
    return image.resize((max(1, image.width // factor), max(1, image.height // factor)),
                        Image.Resampling.NEAREST)


def _thumbnail(image, name: str) -> ContentFile:
    """A small JPEG; decoding happens here, so a truncated or corrupt image is refused here.

    The image is decoded once, at the smallest size its format allows: a JPEG at 1/2 to
    1/8 scale straight from the decoder (draft()), other formats at full size in their own
    mode, and brought down at once (_shrunk) so that no second full-size copy is made: the
    decode is the whole cost, bounded before it by _decode_bytes.
    """
    try:
        image.draft(None, (2 * THUMBNAIL_SIZE[0], 2 * THUMBNAIL_SIZE[1]))  # JPEG only
        image = _shrunk(image)
        if image.mode not in _RESAMPLED_AS_IS:
            image = image.convert("L" if image.mode == "1" else "RGBA")
        image.thumbnail(THUMBNAIL_SIZE)
        thumb = image.convert("RGB")
    except (OSError, ValueError, SyntaxError):
        raise ValidationError("图片“%(n)s”已损坏或不完整，无法打开。", params={"n": name}) from None
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue())


def _inspect_image(data: bytes, name: str = ""):
    image = _open_image(data, name)
    if image is None or image.format not in IMAGE_FORMATS:
        return None
    gps = _gps_from_exif(image)
    return image.format, gps, _thumbnail(image, name)


def inspect_upload(uploaded, *, allow=("photo", "document")) -> UploadInfo:
    """Check an uploaded file; raise ValidationError in Chinese when it is not acceptable."""
    size = uploaded.size
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError("文件“%(n)s”超过20MB上限。", params={"n": uploaded.name})
    if size == 0:
        raise ValidationError("文件“%(n)s”是空文件。", params={"n": uploaded.name})
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    digest = hashlib.sha256(data).hexdigest()
    if "photo" in allow:
        image = _inspect_image(data, uploaded.name)
        if image is not None:
            fmt, gps, thumb = image
            mime, ext = IMAGE_FORMATS[fmt]
            return UploadInfo("photo", mime, ext, size, digest,
                              sanitise_filename(uploaded.name, ext), gps, thumb)
    if "document" in allow:
        if data.startswith(b"%PDF-"):
            return UploadInfo("document", "application/pdf", "pdf", size, digest,
                              sanitise_filename(uploaded.name, "pdf"))
        office = _office_kind(data)
        if office is not None:
            return UploadInfo("document", office[0], office[1], size, digest,
                              sanitise_filename(uploaded.name, office[1]))
    accepted = "照片（JPEG/PNG/WebP）" if allow == ("photo",) else \
        "照片（JPEG/PNG/WebP）或文件（PDF/DOCX/XLSX）"
    raise ValidationError("文件“%(n)s”的内容不是可接受的格式，只接受%(a)s。",
                          params={"n": uploaded.name, "a": accepted})


def store_checked(instance, uploaded, info: UploadInfo):
    """Save a file `inspect_upload` has accepted onto a model row holding the usual upload
    fields (original_name, mime_type, size, sha256; gps_lon/gps_lat and thumbnail where the
    model has them): projects' attachments, action-item response files, case photos."""
    fields = {f.name for f in instance._meta.get_fields()}
    instance.original_name = uploaded.name[:200]
    instance.mime_type, instance.size, instance.sha256 = info.mime_type, info.size, info.sha256
    if info.gps and "gps_lon" in fields:
        instance.gps_lon, instance.gps_lat = info.gps
    instance.file.save(info.safe_name, uploaded, save=False)
    if info.thumbnail is not None and "thumbnail" in fields:
        instance.thumbnail.save(info.safe_name.rsplit(".", 1)[0] + "_thumb.jpg", info.thumbnail,
                                save=False)
    instance.save()
    return instance
