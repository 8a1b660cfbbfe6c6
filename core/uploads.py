"""Uploaded files are checked by content, never by name.

Photos (JPEG/PNG/WebP) are opened with Pillow, which also gives a thumbnail
and the GPS position from EXIF; documents (PDF, DOCX, XLSX) are recognised by
their signatures and, for the Office formats, the parts inside the zip.
"""

import hashlib
import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                 "WEBP": ("image/webp", "webp")}
THUMBNAIL_SIZE = (320, 320)
# 64 megapixels (8000×8000) covers ordinary phone and camera photos; decoding one
# takes about 200 MB, so larger images are refused before they are decoded.
MAX_IMAGE_PIXELS = 64_000_000


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


def _too_large(name: str, width: int, height: int) -> ValidationError:
    return ValidationError(
        "图片“%(n)s”的像素过大（%(w)d×%(h)d），超过%(m)d万像素上限，请缩小后再上传。",
        params={"n": name, "w": width, "h": height, "m": MAX_IMAGE_PIXELS // 10_000})


def _open_image(data: bytes, name: str):
    """Open and structure-check an image without decoding it; None when it is not one.

    The pixel count is read from the header and checked before anything is
    decoded: a few KB can declare 100,000×100,000 pixels (a decompression bomb).
    """
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_large(name, width, height)
            image.verify()  # structure check; the image must be reopened after verify()
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Past Pillow's own limit Image.open() refuses before we see the size.
            raise ValidationError("图片“%(n)s”的像素过大，超过%(m)d万像素上限，请缩小后再上传。",
                                  params={"n": name, "m": MAX_IMAGE_PIXELS // 10_000}) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
    return image


def _thumbnail(image, name: str) -> ContentFile:
    """A small JPEG; decoding happens here, so a truncated or corrupt image is refused here."""
    if image.format == "JPEG":
        image.draft("RGB", THUMBNAIL_SIZE)  # let the JPEG decoder scale down: less memory
    try:
        thumb = image.convert("RGB")
        thumb.thumbnail(THUMBNAIL_SIZE)
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
