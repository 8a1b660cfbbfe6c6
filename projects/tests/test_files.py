"""Stored files are served through a scoped, audited view; bombs are refused; 批复文件."""

import io
import struct
import zlib
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.choices import AuditEventType, ChangeSource
from core.history import change_context
from core.models import AuditEvent
from projects import actions
from projects.choices import ProcedureKind, ProcedureStatus
from projects.models import Attachment
from projects.tests.test_uploads import jpeg_with_gps
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


def png_declaring(width: int, height: int, data_rows: int = 64) -> bytes:
    """A valid-looking 1-bit PNG that declares width×height pixels but carries only a
    few KB: the first rows, zeros compressed 1000:1 (a decompression bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    idat = zlib.compress(row * data_rows, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()}


def downloads(attachment, variant="file"):
    return AuditEvent.objects.filter(event_type=AuditEventType.FILE_DOWNLOAD,
                                     object_type="projects.Attachment",
                                     object_id=str(attachment.pk), detail__variant=variant)


class FileFixtures(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        cls.photo = actions.do_add_attachment(
            cls.ledger.project_a, SimpleUploadedFile("现场照片.jpg", jpeg_with_gps(), "image/jpeg"),
            acting_user=cls.cast.reporter_a)
        cls.pdf = actions.do_add_attachment(
            cls.ledger.project_a, SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 evidence"),
            acting_user=cls.cast.reporter_a)


class AttachmentDownloadTests(FileFixtures):
    def test_another_units_reporter_gets_404_and_nothing_is_audited(self):
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.client.get(self.photo.get_file_url()).status_code, 404)
        self.assertEqual(self.client.get(self.photo.get_thumbnail_url()).status_code, 404)
        self.assertEqual(self.client.get(self.pdf.get_file_url()).status_code, 404)
        self.client.force_login(self.cast.citizen)
        self.assertEqual(self.client.get(self.photo.get_file_url()).status_code, 404)
        self.assertFalse(downloads(self.photo).exists())

    def test_the_office_gets_the_photo_and_the_download_is_audited(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.get(self.photo.get_file_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        self.assertIn("private", response["Cache-Control"])
        body = b"".join(response.streaming_content)
        self.assertEqual(body, self.photo.file.open("rb").read())
        event = downloads(self.photo).get()
        self.assertEqual(event.username, "office_admin")
        self.assertEqual(event.detail["name"], self.photo.file.name)

    def test_thumbnail_is_scoped_and_audited_likewise(self):
        self.client.force_login(self.cast.reporter_a)
        response = self.client.get(self.photo.get_thumbnail_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
            self.assertLessEqual(max(thumb.size), 320)
        self.assertEqual(downloads(self.photo, "thumbnail").get().username, "reporter_a")
        self.assertEqual(self.pdf.get_thumbnail_url(), "")  # a document has no thumbnail
        self.assertEqual(self.client.get(f"/projects/files/{self.pdf.pk}/thumbnail/").status_code,
                         404)

    def test_documents_download_as_attachments(self):
        self.client.force_login(self.cast.head_a)
        response = self.client.get(self.pdf.get_file_url())
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
        self.assertIn("filename*=utf-8''%E9%AA%8C%E6%94%B6", response["Content-Disposition"])

    def test_anonymous_goes_to_login_and_a_token_is_accepted(self):
        response = self.client.get(self.photo.get_file_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        self.assertEqual(api.get(self.photo.get_file_url()).status_code, 401)
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=self.cast.reporter_b)}")
        self.assertEqual(api.get(self.photo.get_file_url()).status_code, 404)
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=self.cast.city_leader)}")
        self.assertEqual(api.get(self.photo.get_file_url()).status_code, 200)
        self.assertEqual(downloads(self.photo).get().username, "leader")

    def test_a_malformed_token_or_a_role_without_the_api_is_refused(self):
        api = APIClient()
        # A NUL byte cannot reach the token lookup (PostgreSQL would raise a 500).
        api.credentials(HTTP_AUTHORIZATION="Token ab\x00cd")
        self.assertEqual(api.get(self.photo.get_file_url()).status_code, 401)
        # A token kept from before a role change: the API refuses it, so does the file.
        token = Token.objects.create(user=self.cast.office_admin)
        type(self.cast.office_admin).objects.filter(pk=self.cast.office_admin.pk).update(
            role="citizen")
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(api.get(self.photo.get_file_url()).status_code, 401)
        self.assertEqual(api.get("/api/projects/projects/").status_code, 403)
        self.assertFalse(downloads(self.photo).exists())

    def test_pages_and_api_link_the_view_not_media(self):
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.ledger.project_a.get_absolute_url()).content.decode()
        self.assertNotIn(settings.MEDIA_URL, page)
        self.assertIn(f'src="{self.photo.get_thumbnail_url()}"', page)
        self.assertIn(f'href="{self.pdf.get_file_url()}"', page)
        api = APIClient()
        api.force_authenticate(self.cast.reporter_a)
        rows = api.get("/api/projects/attachments/", {"project": self.ledger.project_a.pk}).json()
        by_id = {r["id"]: r for r in rows["results"]}
        self.assertEqual(by_id[self.photo.pk]["file"],
                         f"http://testserver/projects/files/{self.photo.pk}/")
        self.assertEqual(by_id[self.photo.pk]["thumbnail"],
                         f"http://testserver/projects/files/{self.photo.pk}/thumbnail/")
        self.assertIsNone(by_id[self.pdf.pk]["thumbnail"])

    def test_a_missing_file_is_a_404(self):
        orphan = actions.do_add_attachment(
            self.ledger.project_a, SimpleUploadedFile("丢失.pdf", b"%PDF-1.4 lost"),
            acting_user=self.cast.reporter_a)
        Path(orphan.file.path).unlink()
        self.client.force_login(self.cast.office_admin)
        self.assertEqual(self.client.get(orphan.get_file_url()).status_code, 404)
        self.assertFalse(downloads(orphan).exists())


@override_settings(FILE_SERVING="nginx", FILE_SERVING_PREFIX="/protected/")
class AccelRedirectTests(FileFixtures):
    def test_nginx_mode_sends_the_header_and_no_body(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.get(self.photo.get_file_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Accel-Redirect"], f"/protected/{quote(self.photo.file.name)}")
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertFalse(response.streaming)
        self.assertEqual(response.content, b"")
        self.assertTrue(downloads(self.photo).exists())

    def test_names_are_percent_encoded_and_scope_still_applies(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.get(self.photo.get_thumbnail_url())
        self.assertTrue(response["X-Accel-Redirect"].startswith("/protected/thumbnails/"))
        self.assertNotIn("现场", response["X-Accel-Redirect"])
        self.assertIn("%E7%8E%B0%E5%9C%BA", response["X-Accel-Redirect"])
        self.client.force_login(self.cast.reporter_b)
        response = self.client.get(self.photo.get_file_url())
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("X-Accel-Redirect", response)


class DecompressionBombTests(FileFixtures):
    def attempt(self, data: bytes, name="bomb.png"):
        before_rows, before_files = Attachment.objects.count(), stored_files()
        with self.assertRaises(ValidationError) as caught:
            actions.do_add_attachment(self.ledger.project_a, SimpleUploadedFile(name, data),
                                      acting_user=self.cast.reporter_a)
        self.assertEqual(Attachment.objects.count(), before_rows)
        self.assertEqual(stored_files(), before_files)
        return " ".join(caught.exception.messages)

    def test_a_few_kb_declaring_100000_by_100000_pixels_is_refused(self):
        bomb = png_declaring(100_000, 100_000)
        self.assertLess(len(bomb), 16 * 1024)
        message = self.attempt(bomb)
        self.assertIn("像素过大", message)
        self.assertIn("6400万像素", message)

    def test_below_pillows_limit_but_above_ours_is_refused_with_the_size(self):
        message = self.attempt(png_declaring(9_000, 9_000))
        self.assertIn("9000×9000", message)

    def test_a_truncated_photo_is_refused_not_a_500(self):
        message = self.attempt(jpeg_with_gps()[:2000], "cut.jpg")
        self.assertIn("已损坏", message)

    def test_the_upload_page_shows_the_error(self):
        self.client.force_login(self.cast.reporter_a)
        url = f"/projects/{self.ledger.project_a.pk}/attachments/"
        before = Attachment.objects.count()
        response = self.client.post(url, {"file": SimpleUploadedFile(
            "bomb.png", png_declaring(100_000, 100_000))}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "像素过大")
        self.assertEqual(Attachment.objects.count(), before)


class ProcedureDocumentTests(FileFixtures):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            cls.permit_a = actions.do_set_procedure(
                cls.ledger.project_a, ProcedureKind.PLANNING_PERMIT, status=ProcedureStatus.IN_PROGRESS)
            cls.permit_b = actions.do_set_procedure(
                cls.ledger.project_b, ProcedureKind.PLANNING_PERMIT)
            cls.permit_shared = actions.do_set_procedure(
                cls.ledger.project_shared, ProcedureKind.EIA)

    def upload_url(self, procedure):
        return f"/projects/procedures/{procedure.pk}/documents/"

    def test_the_lead_unit_uploads_and_the_project_page_lists_it(self):
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.ledger.project_a.get_absolute_url())
        self.assertContains(page, self.upload_url(self.permit_a))
        response = self.client.post(self.upload_url(self.permit_a), {
            "file": SimpleUploadedFile("规划许可证.pdf", b"%PDF-1.7 permit")}, follow=True)
        self.assertContains(response, "“规划许可”的批复文件已上传")
        document = self.permit_a.documents.get()
        self.assertEqual((document.project, document.kind), (self.ledger.project_a, "document"))
        self.assertContains(response, f'<a href="{document.get_file_url()}">规划许可证.pdf</a>')

    def test_scope_of_upload_and_download(self):
        document = actions.do_add_procedure_document(
            self.permit_a, SimpleUploadedFile("批复.pdf", b"%PDF-1.7 x"),
            acting_user=self.cast.office_staff)
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.client.get(document.get_file_url()).status_code, 404)
        response = self.client.post(self.upload_url(self.permit_a),
                                    {"file": SimpleUploadedFile("y.pdf", b"%PDF-1.4")})
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.cast.reporter_a)  # sees the shared project, does not lead it
        response = self.client.post(self.upload_url(self.permit_shared),
                                    {"file": SimpleUploadedFile("z.pdf", b"%PDF-1.4")})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(document.get_file_url()).status_code, 200)
        self.assertFalse(self.permit_shared.documents.exists())
        self.assertEqual(self.permit_a.documents.count(), 1)

    def test_an_action_refuses_a_procedure_of_another_project(self):
        with self.assertRaisesMessage(ValidationError, "不属于该项目"):
            actions.do_add_attachment(
                self.ledger.project_a, SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
                acting_user=self.cast.office_admin, procedure=self.permit_b)
        with self.assertRaises(PermissionDenied):
            actions.do_add_procedure_document(
                self.permit_b, SimpleUploadedFile("b.pdf", b"%PDF-1.4"),
                acting_user=self.cast.reporter_a)

    def test_a_disguised_file_is_refused_on_the_procedure_form(self):
        self.client.force_login(self.cast.reporter_a)
        response = self.client.post(self.upload_url(self.permit_a), {
            "file": SimpleUploadedFile("批复.pdf", b"MZ\x90\x00")}, follow=True)
        self.assertContains(response, "不是可接受的格式")
        self.assertFalse(self.permit_a.documents.exists())


class ProjectPageQueryTests(FileFixtures):
    def test_files_do_not_add_queries_per_row(self):
        project = self.ledger.project_a
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            first = actions.do_set_procedure(project, ProcedureKind.APPROVAL)
        actions.do_add_procedure_document(first, SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"),
                                          acting_user=self.cast.reporter_a)
        self.client.force_login(self.cast.reporter_a)
        url = project.get_absolute_url()
        self.client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        with change_context(ChangeSource.SYSTEM, label="测试数据"):
            for kind in (ProcedureKind.EIA, ProcedureKind.LAND_USE, ProcedureKind.FUNDING):
                procedure = actions.do_set_procedure(project, kind)
                for n in range(2):
                    actions.do_add_procedure_document(
                        procedure, SimpleUploadedFile(f"{kind}{n}.pdf", b"%PDF-1.4 b"),
                        acting_user=self.cast.reporter_a)
        for n in range(3):
            actions.do_add_attachment(project, SimpleUploadedFile(f"p{n}.jpg", jpeg_with_gps()),
                                      acting_user=self.cast.reporter_a,
                                      milestone=self.ledger.milestone_a1)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertContains(response, f"{ProcedureKind.EIA}1.pdf</a>")
        self.assertEqual(len(many), len(few))
