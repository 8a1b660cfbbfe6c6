"""GDAL (as pyogrio bundles it) reads the upload we hand it, and nothing else.

GDAL picks a reader from a file's content, not its name: an "x.geojson" holding OGR VRT XML
made the import read /etc/passwd as features (<SrcDataSource>CSV:/etc/passwd</SrcDataSource>)
and fetch /vsicurl/http://127.0.0.1:…; a JSON file of type "gdal_streamed_alg" (GDALG) runs a
GDAL pipeline over any path. A plain GeoJSON whose "crs" is a link makes GDAL fetch the link.
So, for every read:

- only the GeoJSON, ESRI Shapefile and GPKG drivers stay registered in this process
  (GDAL_SKIP); each file is opened through its own driver's prefix ("GeoJSON:/…", "GPKG:/…")
  and the driver GDAL reports is checked against the extension;
- /vsicurl/ and its kin allow no file name (CPL_VSIL_CURL_ALLOWED_FILENAME), and every HTTP
  fetch GDAL makes (CPLHTTPFetch: linked CRS, WFS …) is answered "no" by a callback, which
  also marks the read so that the file is refused;
- paths and layer names that name a virtual file system or a driver are refused.

Content is checked before GDAL sees it, in geo/content.py.
"""

import ctypes
import glob
import logging
import os
import re
import threading
from contextlib import contextmanager

import pyogrio
from django.core.exceptions import ValidationError

ALLOWED_DRIVERS = ("GeoJSON", "ESRI Shapefile", "GPKG")
DRIVER_OF_EXTENSION = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG",
                       ".shp": "ESRI Shapefile"}
# Drivers GDAL restricts an open to when the path starts with "<name>:". "ESRI Shapefile:"
# is not understood (the space), so a shapefile relies on the skip list and its magic number.
PREFIXED = ("GeoJSON", "GPKG")
NO_REMOTE_FILE = "/nonexistent/remote-files-are-not-read"
# "/vsicurl/…", "CSV:…", "PG:…": a virtual file system or a driver chosen by the name.
_REDIRECTING = re.compile(r"/vsi|^\s*[A-Za-z][A-Za-z0-9_]+:", re.IGNORECASE)

log = logging.getLogger(__name__)
_lock = threading.Lock()
_hardened = False
_guards = {"drivers": False, "fetch": False}  # which guards took hold (tests assert both)
_attempts = threading.local()  # URLs GDAL tried to fetch during the current read, per thread
_FETCH = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p,
                          ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_libgdal = None  # pyogrio's libgdal, once found


class _HTTPResult(ctypes.Structure):
    """cpl_http.h CPLHTTPResult."""

    _fields_ = [("nStatus", ctypes.c_int), ("pszContentType", ctypes.c_void_p),
                ("pszErrBuf", ctypes.c_void_p), ("nDataLen", ctypes.c_int),
                ("nDataAlloc", ctypes.c_int), ("pabyData", ctypes.c_void_p),
                ("papszHeaders", ctypes.c_void_p), ("nMimePartCount", ctypes.c_int),
                ("pasMimePart", ctypes.c_void_p)]


def _refuse_fetch(url, *_):
    """GDAL's HTTP fetch, replaced: record the URL and answer with a failed result.

    A callback returning no result lets GDAL fetch after all, so the answer is a result that
    GDAL allocates and later frees itself (CPLCalloc/CPLStrdup), with a non-zero status.
    """
    tried = getattr(_attempts, "urls", None)
    if tried is not None:
        tried.append((url or b"").decode("utf-8", "replace"))
    address = _libgdal.CPLCalloc(1, ctypes.sizeof(_HTTPResult))
    result = _HTTPResult.from_address(address)
    result.nStatus = 1
    result.pszErrBuf = _libgdal.CPLStrdup(b"network access is disabled for uploaded files")
    return address


_fetch_callback = _FETCH(_refuse_fetch)  # kept alive for as long as GDAL may call it


def _libgdal_path() -> str | None:
    """The libgdal pyogrio loaded: from the process's map (pyogrio's own copy first, should
    another library have loaded the system's), else beside the wheel."""
    try:
        with open("/proc/self/maps") as fh:
            loaded = {line.rstrip("\n").split(" ")[-1] for line in fh}
    except OSError:
        loaded = set()
    found = sorted((path for path in loaded if os.path.basename(path).startswith("libgdal")),
                   key=lambda path: "pyogrio" not in path)
    if found:
        return found[0]
    wheel_libs = os.path.join(os.path.dirname(os.path.dirname(pyogrio.__file__)),
                              "pyogrio.libs", "libgdal*")
    found = sorted(glob.glob(wheel_libs))
    return found[0] if found else None


def _install_fetch_callback() -> bool:
    global _libgdal
    path = _libgdal_path()
    if path is None:
        return False
    try:
        lib = ctypes.CDLL(path)  # the library already loaded: dlopen hands back the same one
        setter = lib.CPLHTTPSetFetchCallback  # GDAL ≥ 3.2
        lib.CPLCalloc.restype = lib.CPLStrdup.restype = ctypes.c_void_p
        lib.CPLCalloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
        lib.CPLStrdup.argtypes = [ctypes.c_char_p]
    except (OSError, AttributeError):
        return False
    _libgdal = lib
    setter.argtypes = [_FETCH, ctypes.c_void_p]
    setter.restype = None
    setter(_fetch_callback, None)
    return True


def _skip_other_drivers() -> None:
    """Deregister every driver but ours: GDAL_SKIP is applied when drivers are registered,
    so it is set and registration run again (pyogrio's own call of GDALAllRegister)."""
    others = [name for name in pyogrio.list_drivers() if name not in ALLOWED_DRIVERS]
    if not others:
        return
    pyogrio.set_gdal_config_options({"GDAL_SKIP": ",".join(others)})
    from pyogrio._ogr import _register_drivers  # private, hence guarded: see harden()
    _register_drivers()


def harden() -> None:
    """Once per process, before the first read; idempotent and thread-safe."""
    global _hardened
    if _hardened:
        return
    with _lock:
        if _hardened:
            return
        pyogrio.set_gdal_config_options({
            "CPL_VSIL_CURL_ALLOWED_FILENAME": NO_REMOTE_FILE,
            "GDAL_HTTP_MAX_RETRY": "0",
            "GDAL_HTTP_TIMEOUT": "1",
            "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",  # no listing of the work directory
        })
        try:
            _skip_other_drivers()
        except ImportError:  # a pyogrio without the private call: prefixes and checks remain
            pass
        _guards["drivers"] = set(pyogrio.list_drivers()) <= set(ALLOWED_DRIVERS)
        _guards["fetch"] = _install_fetch_callback()
        for name, held in _guards.items():
            if not held:  # after a pyogrio upgrade; the content checks still stand
                log.warning("GDAL guard %r could not be installed for layer uploads", name)
        _hardened = True


def guards() -> dict[str, bool]:
    harden()
    return dict(_guards)


def refuse_redirecting_name(value: str, filename: str) -> None:
    """A path or layer name that would make GDAL open something else than our file."""
    if _REDIRECTING.search(value or ""):
        raise ValidationError(f"“{filename}”中的名称“{value}”不能作为图层读取（疑似引用其他"
                              "文件或网络地址），请改名后重新上传。")


def gdal_path(path: str, driver: str, filename: str) -> str:
    """The path to hand GDAL: our own file, restricted to `driver` where GDAL allows it."""
    refuse_redirecting_name(path, filename)
    return f"{driver}:{path}" if driver in PREFIXED else path


def check_driver(found: str | None, driver: str, filename: str) -> None:
    if found != driver:
        raise ValidationError(f"“{filename}”的内容不是{driver}格式（读取为“{found}”），"
                              "请上传与扩展名相符的文件。")


def _network_refusal(filename: str) -> ValidationError:
    return ValidationError(f"“{filename}”引用了网络地址（{_attempts.urls[0][:100]}），系统不会"
                           "访问文件中的任何网络地址，请删除该引用（如 GeoJSON 的 crs 链接）后"
                           "重新上传。")


@contextmanager
def offline(filename: str):
    """Around one GDAL call: refuse the file if GDAL tried to fetch anything while reading it,
    whether the read then failed or not (the refusal says why; GDAL's error would not)."""
    harden()
    _attempts.urls = []
    try:
        yield
    except Exception:
        if _attempts.urls:
            raise _network_refusal(filename) from None
        raise
    else:
        if _attempts.urls:
            raise _network_refusal(filename)
    finally:
        _attempts.urls = None
