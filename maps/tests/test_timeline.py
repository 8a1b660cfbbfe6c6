"""推进时序: the Gantt as SVG, PDF (opened back, Chinese text present) and on the page."""

import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from projects import actions
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger


class TimelineTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        m = cls.ledger.milestone_a2
        req = actions.do_request_rebaseline(m, m.planned_date + timedelta(days=40), reason="变更",
                                            acting_user=cls.cast.reporter_a)
        actions.do_decide_rebaseline(req, approve=True, acting_user=cls.cast.office_admin)

    def test_project_gantt_shows_baseline_current_actual_and_today(self):
        self.client.force_login(self.cast.reporter_a)
        svg = self.client.get(f"/maps/timeline/{self.ledger.project_a.pk}/?format=svg")
        body = svg.content.decode()
        self.assertEqual(svg["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn("1. 开工建设", body)
        self.assertIn("2. 主体结构封顶", body)
        self.assertIn('fill="#fff" stroke="#9ca3af"', body)     # the baseline diamond
        self.assertIn('<circle', body)                          # an actual completion
        self.assertIn(f"今天 {timezone.localdate():%Y-%m-%d}", body)

    def test_portfolio_is_scoped_and_filtered(self):
        self.client.force_login(self.cast.reporter_b)
        body = self.client.get("/maps/timeline/?format=svg").content.decode()
        self.assertIn("乙区污水处理厂", body)
        self.assertNotIn("甲路综合改造工程", body)
        self.assertEqual(self.client.get(
            f"/maps/timeline/{self.ledger.project_a.pk}/").status_code, 404)
        body = self.client.get("/maps/timeline/", {"q": "老旧小区"}).content.decode()
        self.assertIn("丙街道老旧小区改造", body)
        self.assertNotIn("乙区污水处理厂", body)

    def test_pdf_opens_and_contains_the_chinese_text(self):
        self.client.force_login(self.cast.office_admin)
        response = self.client.get("/maps/timeline/?format=pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        if shutil.which("pdftotext") is None:
            self.fail("poppler-utils (pdftotext) is missing: scripts/test installs it")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "t.pdf"
            path.write_bytes(response.content)
            text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout
        self.assertIn("项目推进时序", text)
        self.assertIn("甲路综合改造工程", text)
