"""Files on action-item responses (issue 9 item 6): checked by content when attached, and
downloaded only by whoever sees the item (the ledger's scoped, audited download)."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from supervision import actions
from supervision.models import ActionItem
from supervision.models.items import ResponseAttachment
from tests.base import CastTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name="现场.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class ResponseFileTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = actions.do_create_action_item(
            title="协调管线迁改", unit=cls.cast.unit_a, acting_user=cls.cast.office_admin,
            deadline=timezone.localdate() + timedelta(days=5))

    def respond_on_page(self, *files, text="已召开协调会，附会议纪要"):
        self.client.force_login(self.cast.reporter_a)
        return self.client.post(f"/supervision/items/{self.item.pk}/respond/",
                                {"text": text, "files": list(files)})

    def test_a_response_carries_files_that_only_the_items_readers_download(self):
        answer = self.respond_on_page(SimpleUploadedFile("会议纪要.pdf", PDF), png())
        self.assertEqual(answer.status_code, 302)
        files = list(ResponseAttachment.objects.filter(item=self.item))
        self.assertEqual([(f.original_name, f.kind, f.mime_type) for f in files],
                         [("会议纪要.pdf", "document", "application/pdf"),
                          ("现场.png", "photo", "image/png")])
        self.assertEqual({f.event.kind for f in files}, {"responded"})
        page = self.client.get(self.item.get_absolute_url())
        for f in files:
            self.assertContains(page, f.get_file_url())
        expected = {"reporter_a": 200, "head_a": 200, "office_staff": 200, "supervision": 200,
                    "city_leader": 200, "reporter_b": 404, "citizen": 404}
        for member, code in expected.items():
            with self.subTest(member=member):
                self.client.force_login(getattr(self.cast, member))
                answer = self.client.get(files[0].get_file_url())
                self.assertEqual(answer.status_code, code)
                if code == 200:
                    self.assertEqual(b"".join(answer.streaming_content), PDF)
                    self.assertIn("private", answer["Cache-Control"])
        downloads = AuditEvent.objects.filter(event_type="file_download",
                                              object_type="supervision.ResponseAttachment")
        self.assertEqual(sorted(downloads.values_list("username", flat=True)),
                         sorted(getattr(self.cast, m).username
                                for m, code in expected.items() if code == 200))
        # The file's id under another item names nothing.
        other = actions.do_create_action_item(
            title="乙局事项", unit=self.cast.unit_b, acting_user=self.cast.office_admin,
            deadline=timezone.localdate() + timedelta(days=5))
        self.client.force_login(self.cast.office_admin)
        answer = self.client.get(f"/supervision/items/{other.pk}/files/{files[0].pk}/")
        self.assertEqual(answer.status_code, 404)

    def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(self):
        answer = self.respond_on_page(SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf"))
        self.assertEqual(answer.status_code, 302)
        page = self.client.get(self.item.get_absolute_url())
        self.assertContains(page, "不是可接受的格式")
        self.item.refresh_from_db()
        self.assertEqual(self.item.status, "open")
        self.assertFalse(ResponseAttachment.objects.exists())
        self.assertFalse(self.item.events.filter(kind="responded").exists())

    def test_the_api_takes_files_on_respond_and_serves_them_to_a_token(self):
        client = APIClient()
        client.force_authenticate(self.cast.reporter_a)
        answer = client.post(f"/api/supervision/action-items/{self.item.pk}/respond/",
                             {"text": "已整改", "files": [SimpleUploadedFile("x.pdf", PDF)]},
                             format="multipart")
        self.assertEqual(answer.status_code, 200, answer.content)
        event = answer.json()["events"][-1]
        self.assertEqual(event["kind"], "responded")
        url = event["attachments"][0]["url"]
        token = Token.objects.create(user=self.cast.office_staff).key
        reader = APIClient()
        answer = reader.get(url, HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(answer.status_code, 200)
        other = Token.objects.create(user=self.cast.reporter_b).key
        self.assertEqual(reader.get(url, HTTP_AUTHORIZATION=f"Token {other}").status_code, 404)
        # A bad file over the API: 400 with the reason, nothing stored.
        item = ActionItem.objects.create(title="再办", unit=self.cast.unit_a, source="leader",
                                         deadline=timezone.localdate() + timedelta(days=3))
        answer = client.post(f"/api/supervision/action-items/{item.pk}/respond/",
                             {"text": "x", "files": [SimpleUploadedFile("y.pdf", b"plain")]},
                             format="multipart")
        self.assertEqual(answer.status_code, 400)
        self.assertIn("不是可接受的格式", str(answer.json()))
        self.assertEqual(ResponseAttachment.objects.filter(item=item).count(), 0)

    def test_the_item_list_endpoint_does_not_grow_queries_with_files(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = APIClient()
        client.force_authenticate(self.cast.office_staff)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(client.get("/api/supervision/action-items/").status_code, 200)
            return len(queries)

        before = count()
        for i in range(3):
            item = actions.do_create_action_item(
                title=f"事项{i}", unit=self.cast.unit_a, acting_user=self.cast.office_admin,
                deadline=timezone.localdate() + timedelta(days=5))
            actions.do_respond(item, text="已办", acting_user=self.cast.reporter_a,
                               files=[SimpleUploadedFile("a.pdf", PDF), png()])
        self.assertEqual(count(), before)
