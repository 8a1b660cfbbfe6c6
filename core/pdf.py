"""PDF rendering with WeasyPrint that fetches nothing but our own static files.

The HTML we print carries what users typed (project names, bulletin text, imported
layers), and WeasyPrint fetches every URL it meets: images, stylesheets, fonts, SVG
<image>/<use>, attachments. A planted URL would make the server request addresses
on its own network while rendering (SSRF) or read local files into the PDF. So every
PDF is made by html_to_pdf(), whose fetcher serves our static files from disk and
data: URLs from memory, and refuses everything else by raising; WeasyPrint then
leaves the resource out and the PDF still renders.
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib import request as urllib_request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join

# Relative URLs in a print template ({% static %} gives /static/…) resolve against this
# origin. The .invalid name (RFC 2606) can never resolve, so even a mistake here could
# not reach a host; the fetcher maps its /static/ paths to files on disk.
BASE_URL = "https://chengjian.invalid/"


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch (network, file:, anything not ours)."""


def html_to_pdf(html: str) -> bytes:
    """The one way to turn HTML into a PDF in this project."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if urlsplit(url).scheme.lower() == "data":
                # Decoded in memory by urllib's data: handler; no opener, no proxy.
                data = urllib_request.DataHandler().data_open(urllib_request.Request(url))
                return URLFetcherResponse(url, data.read(), dict(data.headers))
            path = static_file(url)
            if path is None:
                raise RefusedURL(f"PDF rendering fetches only our static files: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher()


def static_file(url: str) -> Path | None:
    """The file on disk behind one of our static URLs (under BASE_URL), or None."""
    parts = urlsplit(url)
    if f"{parts.scheme.lower()}://{parts.netloc.lower()}/" != BASE_URL:
        return None
    prefix = urlsplit(settings.STATIC_URL).path
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix):]
    # Judge the decoded path: %2e%2e or a backslash must not climb out of the static dirs.
    if not name or "\\" in name or "\0" in name or posixpath.isabs(name) \
            or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    try:
        found = finders.find(name) or (settings.STATIC_ROOT
                                       and safe_join(settings.STATIC_ROOT, name))
    except SuspiciousFileOperation:
        return None
    found = Path(found) if found else None
    return found if found and found.is_file() else None
