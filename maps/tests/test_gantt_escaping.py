"""推进时序 with hostile names: the SVG stays well-formed, names stay text, exports are audited."""

import xml.etree.ElementTree as ET
from datetime import date

from django.test import SimpleTestCase

from core.choices import AuditEventType
from core.models import AuditEvent
from maps.gantt import Row, render_svg
from maps.views import SVG_POLICY
from projects.models import Project
from tests.base import CastTestCase
from tests.ledger_cast import build_ledger

QUOTE = 'Q" onload="alert(1)//'
TAG = "<img src=x onerror=alert(1)>"
APOSTROPHE = "P' onmouseover='alert(1)"
SVG_NS = "{http://www.w3.org/2000/svg}"


def assert_names_are_text(test, svg: str, names):
    """Parse as XML: no element other than the SVG's own, no on* attribute, names as text."""
    root = ET.fromstring(svg)  # raises on a broken attribute or tag
    tags = {el.tag.removeprefix(SVG_NS) for el in root.iter()}
    test.assertLessEqual(tags, {"svg", "rect", "line", "text", "polygon", "title", "circle"})
    for el in root.iter():
        test.assertEqual([a for a in el.attrib if a.lower().startswith("on")], [], el.tag)
    texts = " ".join("".join(el.itertext()) for el in root.iter(f"{SVG_NS}text"))
    titles = " ".join(el.text or "" for el in root.iter(f"{SVG_NS}title"))
    for name in names:
        test.assertIn(name[:20], texts + titles)
    return root


class RenderSvgTests(SimpleTestCase):
    def test_quotes_tags_and_apostrophes_stay_inside_text_and_attribute_values(self):
        rows = [Row(QUOTE, (date(2025, 1, 1), date(2025, 6, 1)), "red",
                    [(None, date(2025, 3, 1), None, TAG)]),
                Row(APOSTROPHE, None, "green", [(date(2025, 2, 1), date(2025, 4, 1),
                                                 date(2025, 4, 2), APOSTROPHE)])]
        svg = render_svg(rows, title=QUOTE, today=date(2025, 5, 1))
        root = assert_names_are_text(self, svg, [QUOTE, TAG, APOSTROPHE])
        self.assertEqual(root.get("aria-label"), QUOTE)  # the whole name, as one value
        self.assertNotIn("<img", svg)


class TimelineDownloadTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        Project.objects.filter(pk=cls.ledger.project_a.pk).update(name=QUOTE)
        cls.ledger.milestone_a2.__class__.objects.filter(pk=cls.ledger.milestone_a2.pk) \
            .update(name=TAG)
        cls.url = f"/maps/timeline/{cls.ledger.project_a.pk}/"

    def exports(self):
        return AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).order_by("id")

    def test_the_svg_download_is_well_formed_sandboxed_and_audited(self):
        self.client.force_login(self.cast.reporter_a)
        response = self.client.get(self.url, {"format": "svg"})
        assert_names_are_text(self, response.content.decode(), [QUOTE, TAG])
        self.assertEqual(response["Content-Security-Policy"], SVG_POLICY)
        event = self.exports().get()
        self.assertEqual((event.user, event.detail["format"], event.object_id),
                         (self.cast.reporter_a, "svg", str(self.ledger.project_a.pk)))
        self.assertEqual(event.detail["what"], "项目推进时序")

    def test_the_page_shows_the_names_escaped_and_is_not_an_export(self):
        self.client.force_login(self.cast.reporter_a)
        body = self.client.get(self.url).content.decode()
        self.assertIn("Q&quot; onload=&quot;alert(1)//", body)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", body)
        self.assertNotIn('onload="alert', body)
        self.assertNotIn("<img src=x", body)
        self.assertFalse(self.exports().exists())

    def test_pdf_and_png_exports_are_audited_with_their_filter(self):
        self.client.force_login(self.cast.office_admin)
        pdf = self.client.get("/maps/timeline/", {"q": "污水", "format": "pdf"})
        self.assertTrue(pdf.content.startswith(b"%PDF-"))
        self.client.get(self.url, {"format": "svg", "for": "png"})
        pdf_event, png_event = self.exports()
        self.assertEqual((pdf_event.detail["format"], pdf_event.detail["rows"]), ("pdf", 1))
        self.assertIn("q=%E6%B1%A1%E6%B0%B4", pdf_event.detail["query"])
        self.assertEqual(pdf_event.object_id, "")
        self.assertEqual(png_event.detail["format"], "png")

    def test_another_units_project_is_neither_exported_nor_audited(self):
        self.client.force_login(self.cast.reporter_b)
        self.assertEqual(self.client.get(self.url, {"format": "pdf"}).status_code, 404)
        self.assertFalse(self.exports().exists())
