"""The PDF renderer fetches our static files and data: URLs, and nothing else."""

import base64
import http.server
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from core.pdf import BASE_URL, RefusedURL, _fetcher, html_to_pdf

# A 1×1 PNG.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Dw"
                         "HwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


class RecordingServer:
    """A real HTTP server on 127.0.0.1 that notes every request it gets."""

    def __init__(self):
        self.requests = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(PIXEL)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        raise AssertionError("poppler-utils (pdftotext) is missing: scripts/test installs it")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout


def hostile_page(u: str) -> str:
    """Every way a page makes WeasyPrint fetch: stylesheets, imports, fonts, images, SVG
    images and uses, objects, attachments; and a local file."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
      <link rel="stylesheet" href="{u}/sheet.css">
      <link rel="attachment" href="{u}/attachment.bin">
      <link rel="attachment" href="file:///etc/passwd">
      <style>@import url("{u}/import.css");
        body {{ background: url("{u}/background.png"); }}
        @font-face {{ font-family: X; src: url("{u}/font.woff"); }}
        p {{ font-family: X, sans-serif; }}</style></head>
      <body><p>推进时序 fetch test</p><img src="{u}/img.png">
      <img src="file:///etc/passwd"><object data="{u}/object"></object>
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
           width="10" height="10"><image href="{u}/svg-image.png" width="10" height="10"/>
        <image xlink:href="{u}/svg-xlink.png" width="10" height="10"/>
        <use href="{u}/sprite.svg#x"/></svg>
      <a href="{u}/link" download>下载</a></body></html>"""


class RendererRequestsNothingTests(SimpleTestCase):
    def test_a_page_full_of_network_urls_renders_without_one_request(self):
        with RecordingServer() as server:
            pdf = html_to_pdf(hostile_page(server.url))
            self.assertEqual(server.requests, [])
            # The same page through WeasyPrint's own fetcher does reach the server, so the
            # silence above is the fetcher's refusal, not a page that fetches nothing.
            from weasyprint import HTML

            HTML(string=hostile_page(server.url)).write_pdf()
            self.assertLessEqual({"/sheet.css", "/img.png", "/svg-image.png", "/font.woff",
                                  "/attachment.bin"}, set(server.requests))
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertIn("推进时序 fetch test", pdf_text(pdf))
        self.assertNotIn(b"/EmbeddedFile", pdf)  # neither attachment, /etc/passwd least of all

    def test_a_data_url_image_is_drawn(self):
        src = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
        pdf = html_to_pdf(f'<p>x</p><img src="{src}" style="width:50px">')
        self.assertIn(b"/Subtype /Image", pdf)


class FetcherTests(SimpleTestCase):
    def setUp(self):
        self.fetch = _fetcher().fetch

    def test_our_static_files_are_served_from_disk(self):
        response = self.fetch(BASE_URL + settings.STATIC_URL.lstrip("/") + "css/app.css")
        self.assertEqual(response.read(), (settings.BASE_DIR / "static/css/app.css").read_bytes())
        self.assertEqual(response.content_type, "text/css")

    def test_data_urls_are_decoded_in_memory(self):
        response = self.fetch("data:text/plain;base64," + base64.b64encode(b"hello").decode())
        self.assertEqual(response.read(), b"hello")

    def test_everything_else_is_refused(self):
        static = BASE_URL + settings.STATIC_URL.lstrip("/")
        for url in ["file:///etc/passwd", "FILE:///etc/passwd", "http://127.0.0.1:1/",
                    "http://[::1]:1/", "http://169.254.169.254/latest/meta-data/",
                    "https://example.com/static/css/app.css", "ftp://127.0.0.1/x",
                    "gopher://127.0.0.1:70/", BASE_URL + "etc/passwd",
                    static + "../../../../etc/passwd", static + "%2e%2e/%2e%2e/etc/passwd",
                    static + "css/..%2f..%2fconfig/settings.py", static + "..%5c..%5cetc",
                    static + "/etc/passwd", static + "css/nope.css", static,
                    BASE_URL.replace("https", "http") + "static/css/app.css"]:
            with self.subTest(url=url), self.assertRaises(RefusedURL):
                self.fetch(url)


class OneRendererTests(SimpleTestCase):
    def test_no_module_but_core_pdf_imports_weasyprint(self):
        base = Path(settings.BASE_DIR)
        skip = {".venv", "node_modules", "staticfiles", ".git"}
        offenders = [
            str(path.relative_to(base)) for path in base.rglob("*.py")
            if not skip & set(path.relative_to(base).parts)
            and path.relative_to(base) != Path("core/pdf.py")
            and "tests" not in path.relative_to(base).parts
            and re.search(r"^\s*(from|import)\s+weasyprint", path.read_text(encoding="utf-8"),
                          re.MULTILINE)]
        self.assertEqual(offenders, [], "render PDFs through core.pdf.html_to_pdf")
