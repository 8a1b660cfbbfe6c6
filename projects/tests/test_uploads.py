"""Attachments are checked by content; photos get thumbnails and EXIF GPS."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import inspect_upload, sanitise_filename
from projects import actions
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


def jpeg_with_gps(lon=113.38, lat=34.51) -> bytes:
    image = Image.new("RGB", (800, 600), (120, 160, 200))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)

    def dms(value):
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60, 2)
        return (d, m, s)

    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


class UploadTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_photo_gets_thumbnail_and_gps(self):
        upload = SimpleUploadedFile("现场 照片(1).JPG", jpeg_with_gps(), "image/jpeg")
        attachment = actions.do_add_attachment(self.ledger.project_a, upload,
                                               acting_user=self.cast.reporter_a)
        self.assertEqual((attachment.kind, attachment.mime_type), ("photo", "image/jpeg"))
        self.assertAlmostEqual(attachment.gps_lon, 113.38, places=3)
        self.assertAlmostEqual(attachment.gps_lat, 34.51, places=3)
        self.assertIn("_thumb", attachment.thumbnail.name)
        with Image.open(attachment.thumbnail) as thumb:
            self.assertLessEqual(max(thumb.size), 320)
        self.assertIn("现场_照片_1", attachment.file.name)

    def test_content_not_name_decides(self):
        fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", "image/jpeg")
        with self.assertRaisesMessage(ValidationError, "不是可接受的格式"):
            inspect_upload(fake)
        renamed_pdf = SimpleUploadedFile("scan.jpg", b"%PDF-1.7 test", "image/jpeg")
        info = inspect_upload(renamed_pdf)
        self.assertEqual((info.kind, info.extension, info.safe_name), ("document", "pdf", "scan.pdf"))
        docx = inspect_upload(SimpleUploadedFile("批复.docx", docx_bytes()))
        self.assertEqual(docx.extension, "docx")
        with self.assertRaises(ValidationError):  # photos only where photos are asked for
            inspect_upload(renamed_pdf, allow=("photo",))

    def test_size_limit(self):
        big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "application/pdf")
        with self.assertRaisesMessage(ValidationError, "20MB"):
            inspect_upload(big)

    def test_filenames_are_sanitised(self):
        self.assertEqual(sanitise_filename("../../etc/passwd", "pdf"), "passwd.pdf")
        self.assertEqual(sanitise_filename("a b;rm -rf.exe", "jpg"), "a_b_rm_-rf.jpg")

    def test_other_unit_cannot_attach(self):
        from django.core.exceptions import PermissionDenied

        upload = SimpleUploadedFile("p.jpg", jpeg_with_gps(), "image/jpeg")
        with self.assertRaises(PermissionDenied):
            actions.do_add_attachment(self.ledger.project_a, upload, acting_user=self.cast.reporter_b)


class UploadPageTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_upload_page_accepts_evidence_and_rejects_disguised_files(self):
        url = f"/projects/{self.ledger.project_a.pk}/attachments/"
        self.client.force_login(self.cast.reporter_a)
        self.client.post(url, {"file": SimpleUploadedFile("验收.pdf", b"%PDF-1.4 x"),
                               "milestone": self.ledger.milestone_a1.pk})
        self.assertEqual(self.ledger.milestone_a1.evidence.get().mime_type, "application/pdf")
        response = self.client.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")},
                                    follow=True)
        self.assertContains(response, "不是可接受的格式")
        self.client.force_login(self.cast.reporter_b)
        response = self.client.post(url, {"file": SimpleUploadedFile("y.pdf", b"%PDF-1.4")})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.ledger.project_a.attachments.count(), 1)


class LocationFromPhotoTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def test_photo_gps_is_offered_and_used_as_the_location(self):
        project = self.ledger.project_b  # has no geometry
        photo = actions.do_add_attachment(
            project, SimpleUploadedFile("p.jpg", jpeg_with_gps(113.401, 34.522), "image/jpeg"),
            acting_user=self.cast.reporter_b)
        self.client.force_login(self.cast.office_admin)
        self.assertContains(self.client.get(project.get_absolute_url()), "用照片定位")
        url = f"/projects/{project.pk}/location-from/{photo.pk}/"
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.cast.office_admin)
        self.client.post(url)
        project.refresh_from_db()
        self.assertEqual(project.geometry["type"], "Point")
        self.assertAlmostEqual(project.min_lon, 113.401, places=3)
