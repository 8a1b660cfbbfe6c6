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
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                 "WEBP": ("image/webp", "webp")}
THUMBNAIL_SIZE = (320, 320)


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


def _inspect_image(data: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.verify()  # structure check; the image must be reopened after verify()
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError):
        return None
    if image.format not in IMAGE_FORMATS:
        return None
    gps = _gps_from_exif(image)
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    return image.format, gps, ContentFile(buffer.getvalue())


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
        image = _inspect_image(data)
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
