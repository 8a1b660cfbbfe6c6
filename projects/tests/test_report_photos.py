"""A weekly report carries at most nine photos (issue 17): Django lets 100 files through in one
request, and every photo is decoded for its thumbnail."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.forms import MAX_REPORT_PHOTOS
from projects.models import Attachment, ProgressReport
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


def photo(number: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (number * 20, 120, 80)).save(buffer, "JPEG")
    return SimpleUploadedFile(f"现场{number}.jpg", buffer.getvalue(), "image/jpeg")


class ReportPhotoCountTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)

    def post(self, count: int):
        self.client.force_login(self.cast.reporter_a)
        project = self.ledger.project_a
        return self.client.post(f"/projects/{project.pk}/report/", {
            "investment_period": "10", "progress_percent": 10, "progress_text": "路基施工",
            "photos": [photo(i) for i in range(count)]})

    def test_ten_photos_are_refused_and_nothing_is_stored(self):
        self.assertEqual(MAX_REPORT_PHOTOS, 9)
        response = self.post(10)
        self.assertContains(response, "每次填报最多上传9张照片（本次选了10张）", status_code=400)
        self.assertFalse(ProgressReport.objects.filter(project=self.ledger.project_a).exists())
        self.assertFalse(Attachment.objects.filter(project=self.ledger.project_a).exists())

    def test_nine_photos_are_stored_with_the_report(self):
        response = self.post(9)
        self.assertEqual(response.status_code, 302)
        report = ProgressReport.objects.get(project=self.ledger.project_a)
        self.assertEqual(Attachment.objects.filter(report=report, kind="photo").count(), 9)
