"""Photos within the pixel limit, priced by what decoding them takes (issue 17).

A 237 KB RGBA PNG of 7900×7900 (62 MP, under the 64 MP limit) cost +482 MB as a report photo,
a 16-bit grey one +607 MB: the decoded image was copied whole once more (RGBA premultiplied
for resampling, 16-bit expanded to RGBA). Now the decode is the whole cost, bounded from the
header before it starts (256 MB): a WebP costs 16 bytes a pixel and a progressive JPEG 2 bytes
a sample, so those are refused at smaller sizes.

inspect_upload() is measured directly; the files are written by hand, cheaply.
"""

import io
import struct
import subprocess
import sys
import zlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from PIL import Image

from core.tests.cost import measured
from core.uploads import inspect_upload

MAX_SECONDS = 5
GREY, RGB, PALETTE, RGBA = 0, 2, 3, 6  # PNG colour types
CHANNELS = {GREY: 1, RGB: 3, PALETTE: 1, RGBA: 4}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def png(width: int, height: int, colour_type: int, bit_depth: int = 8) -> bytes:
    """A complete PNG of black (transparent) rows, compressed row by row: 62 MP in 237 KB."""
    row = b"\x00" * (1 + width * CHANNELS[colour_type] * bit_depth // 8)
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    palette = _chunk(b"PLTE", b"\x00\x00\x00") if colour_type == PALETTE else b""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + palette
            + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b""))


def progressive_jpeg_header(width: int, height: int, sampling=(0x11, 0x11, 0x11)) -> bytes:
    """What a progressive JPEG's header declares, with no scan behind it: refused unread."""
    def segment(marker: int, body: bytes) -> bytes:
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body

    frame = struct.pack(">BHHB", 8, height, width, 3) + b"".join(
        bytes([number, factors, 0 if number == 1 else 1])
        for number, factors in enumerate(sampling, 1))
    scan = bytes([3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0])
    return b"\xff\xd8" + segment(0xC2, frame) + segment(0xDA, scan) + b"\xff\xd9"


def webp(width: int, height: int) -> bytes:
    """Encoded in another process, so that the RGB image drawn for it leaves this heap."""
    code = ("import io, sys; from PIL import Image; b = io.BytesIO(); "
            f"Image.new('RGB', ({width}, {height}), (90, 120, 150)).save(b, 'WEBP', "
            "quality=10, method=0); sys.stdout.buffer.write(b.getvalue())")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout


class DecodeCostTests(SimpleTestCase):
    def inspect(self, data: bytes, name: str, max_mb: float, message: str | None = None):
        # The measure is the process's resident peak: another thread of the test process (a
        # live server still answering a closed page) can only add to it. The call itself is
        # pure, so it is measured up to three times and the lowest figure is its cost.
        for _ in range(3):
            upload = SimpleUploadedFile(name, data)
            with measured(self.id().rsplit(".", 1)[-1]) as cost:
                if message:
                    with self.assertRaisesMessage(ValidationError, message):
                        inspect_upload(upload, allow=("photo",))
                    info = None
                else:
                    info = inspect_upload(upload, allow=("photo",))
            if cost.peak_mb < max_mb:
                break
        self.assertLess(cost.seconds, MAX_SECONDS, cost)
        self.assertLess(cost.peak_mb, max_mb, cost)
        if info is not None:
            with Image.open(info.thumbnail) as thumb:
                self.assertEqual(max(thumb.size), 320)
        return cost

    def test_an_rgba_png_near_the_pixel_limit_costs_its_decode_only(self):
        data = png(7_900, 7_900, RGBA)
        self.assertLess(len(data), 300 * 1024)
        # 62 MP × 4 bytes decoded (238 MB); resampling it premultiplied a second copy (+482).
        self.inspect(data, "现场.png", max_mb=275)

    def test_a_16_bit_grey_png_near_the_pixel_limit_is_not_expanded_to_rgba(self):
        # 62 MP × 2 bytes decoded (119 MB); converted whole to RGBA it cost +607 MB.
        self.inspect(png(7_900, 7_900, GREY, 16), "现场.png", max_mb=150)

    def test_a_palette_png_near_the_pixel_limit_is_shrunk_before_it_is_expanded(self):
        self.inspect(png(7_900, 7_900, PALETTE), "现场.png", max_mb=90)

    def test_a_progressive_jpeg_whose_coefficients_pass_the_limit_is_refused_unread(self):
        # 4:4:4: 62 MP × 3 samples × 2 bytes = 357 MB of DCT coefficients (+361 MB measured).
        self.inspect(progressive_jpeg_header(7_900, 7_900), "现场.jpg", max_mb=20,
                     message="（7900×7900，JPEG RGB）解码约需357MB内存，超过256MB上限")

    def test_a_webp_is_priced_at_16_bytes_a_pixel(self):
        # 17.6 MP would take about 280 MB: libwebp's buffer, its bytes, the image.
        self.inspect(webp(4_200, 4_200), "现场.webp", max_mb=20,
                     message="（4200×4200，WEBP RGB）解码约需269MB内存，超过256MB上限")

    def test_a_webp_within_the_limit_is_accepted(self):
        self.inspect(webp(3_000, 3_000), "现场.webp", max_mb=170)

    def test_other_image_formats_are_not_opened_at_all(self):
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, "GIF")
        with self.assertRaisesMessage(ValidationError, "不是可接受的格式"):
            inspect_upload(SimpleUploadedFile("现场.gif", buffer.getvalue()))


class WebPHeaderTests(SimpleTestCase):
    """The size and mode a WebP declares are read before Pillow sets up libwebp's decoder."""

    def test_every_kind_of_webp_header_gives_pillows_size_and_mode(self):
        from core.uploads import _webp_header

        for mode in ("RGB", "RGBA"):
            for lossless in (False, True):
                with self.subTest(mode=mode, lossless=lossless):
                    buffer = io.BytesIO()
                    Image.new(mode, (1234, 567)).save(buffer, "WEBP", lossless=lossless)
                    with Image.open(io.BytesIO(buffer.getvalue())) as image:
                        expected = (*image.size, image.mode)
                    self.assertEqual(_webp_header(buffer.getvalue()), expected)
        self.assertIsNone(_webp_header(b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20))
        self.assertIsNone(_webp_header(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40))
