"""Hostile photos at the upload pages (issue 17): a 17.5 KB PNG of 12000×12000 was accepted
as a report photo and cost 650 MB a request. Images past the pixel limit are refused from
their header, before a pixel is decoded; those within it are decoded once, at the smallest
size their format allows.
"""

import struct
import subprocess
import sys
import zlib
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.tests.cost import measured
from projects.models import Attachment, ProgressReport
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

MAX_SECONDS = 5  # refusals; far below what decoding 144 million pixels costs


def bilevel_png(width: int, height: int) -> bytes:
    """A complete 1-bit PNG, every row present and black: megapixels in a few KB."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    rows = b"\x00" * (1 + (width + 7) // 8) * height  # filter byte + packed bits, each row
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def large_jpeg(width: int, height: int) -> bytes:
    """Made in another process: the 190 MB it takes to draw would otherwise stay in this
    one's heap, where decoding the upload could reuse it unmeasured."""
    code = ("import io, sys; from PIL import Image; b = io.BytesIO(); "
            f"Image.new('RGB', ({width}, {height}), (90, 120, 150)).save(b, 'JPEG', quality=70); "
            "sys.stdout.buffer.write(b.getvalue())")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout


def stored_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


@on_mid_may_2026
class HostileImageTests(CastTestCase):
    """The lead unit's reporter sends each image as a report photo or an attachment."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def setUp(self):
        self.client = self.login(self.cast.reporter_a)
        self.project = self.ledger.project_a
        self.client.get(f"/projects/{self.project.pk}/report/")  # warm, outside the measure

    def state(self):
        return (ProgressReport.objects.count(), Attachment.objects.count(), stored_files())

    def report_with_photo(self, data: bytes, name="现场.png", max_mb=50):
        with measured(self.id().rsplit(".", 1)[-1]) as cost:
            response = self.client.post(f"/projects/{self.project.pk}/report/", {
                "investment_period": "10", "progress_percent": 10, "progress_text": "主体施工",
                "photos": SimpleUploadedFile(name, data)})
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, max_mb, cost)
        return response

    def test_a_12000_by_12000_png_of_17_kb_is_refused_before_decoding(self):
        data = bilevel_png(12_000, 12_000)
        self.assertLess(len(data), 20 * 1024)
        before = self.state()
        response = self.report_with_photo(data)
        self.assertContains(response, "图片“现场.png”的像素过大（约14400万像素），超过6400万像素上限",
                            status_code=400)
        self.assertEqual(self.state(), before)  # neither the report nor the photo
        self.assertEqual(Image.MAX_IMAGE_PIXELS, 64_000_000)  # Pillow's own limit is ours

    def test_between_the_limit_and_twice_it_the_size_is_named(self):
        before = self.state()
        response = self.report_with_photo(bilevel_png(9_000, 9_000))
        self.assertContains(response, "像素过大（9000×9000，约8100万像素）", status_code=400)
        self.assertEqual(self.state(), before)

    def test_the_attachment_page_refuses_it_too(self):
        before = self.state()
        with measured(self.id().rsplit(".", 1)[-1]) as cost:
            response = self.client.post(f"/projects/{self.project.pk}/attachments/", {
                "file": SimpleUploadedFile("照片.png", bilevel_png(12_000, 12_000))}, follow=True)
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, 50, cost)
        self.assertContains(response, "像素过大")
        self.assertEqual(self.state(), before)

    def test_a_png_within_the_limit_is_decoded_once_without_a_full_size_rgb_copy(self):
        # 62 million pixels: decoded 1 byte a pixel, shrunk, then made grey (about 62 MB);
        # converting it to RGB first, as before, added 250 MB more.
        response = self.report_with_photo(bilevel_png(7_900, 7_900), max_mb=100)
        self.assertEqual(response.status_code, 302)
        photo = Attachment.objects.get(report__project=self.project)
        with Image.open(photo.thumbnail) as thumb:
            self.assertEqual(thumb.size, (320, 320))

    def test_a_large_jpeg_is_decoded_at_an_eighth_of_its_size(self):
        # 48 million pixels would take 190 MB decoded whole; draft() decodes 1000×750.
        response = self.report_with_photo(large_jpeg(8_000, 6_000), "现场.jpg", max_mb=60)
        self.assertEqual(response.status_code, 302)
        photo = Attachment.objects.get(report__project=self.project)
        with Image.open(photo.thumbnail) as thumb:
            self.assertEqual(max(thumb.size), 320)
