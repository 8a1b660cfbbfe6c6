"""The case export (.xlsx): the same filters as the pages, the user's scope, typed text kept
as text (a description starting with "=" never becomes a formula), audited."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from cases.tests.test_pages_desk import CasePagesBase
from core.choices import AuditEventType
from core.models import AuditEvent


def rows_of(response) -> list[list]:
    """The data rows of an export (below the title and the header)."""
    assert response.status_code == 200, response.status_code
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in ws.iter_rows(min_row=3, values_only=True)]


class ExportTests(CasePagesBase):
    def test_desk_export_with_filters_and_clock(self):
        reported = self.report()
        dispatched = self.dispatched(lon=113.385)
        self.client.force_login(self.desk)
        response = self.client.get(reverse("cases:export"))
        self.assertEqual(response["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("attachment", response["Content-Disposition"])
        rows = rows_of(response)
        self.assertEqual({row[1] for row in rows}, {reported.number, dispatched.number})
        by_number = {row[1]: row for row in rows}
        self.assertEqual(by_number[dispatched.number][10], "已派遣")
        self.assertEqual(by_number[dispatched.number][12], self.cast.town.name)
        self.assertEqual(by_number[dispatched.number][15], "剩余4小时")
        self.assertEqual(by_number[dispatched.number][2], "2026-05-20 10:00")  # local time
        only = rows_of(self.client.get(reverse("cases:export"), {"state": "dispatched"}))
        self.assertEqual([row[1] for row in only], [dispatched.number])
        self.assertEqual(rows_of(self.client.get(reverse("cases:export"), {"grid": "x"})), [])
        self.assertTrue(AuditEvent.objects.filter(event_type=AuditEventType.EXPORT,
                                                  detail__what="案件清单").exists())

    def test_typed_text_stays_text(self):
        formula = '=HYPERLINK("http://evil.example","点此查看")'
        self.report(description=formula, address="+1 人民路")
        self.client.force_login(self.desk)
        response = self.client.get(reverse("cases:export"))
        ws = load_workbook(io.BytesIO(response.content)).active
        description, address = ws.cell(row=3, column=8), ws.cell(row=3, column=9)
        self.assertEqual(description.value, formula)
        self.assertEqual(description.data_type, "s")
        self.assertTrue(description.quotePrefix)
        self.assertEqual((address.value, address.data_type), ("+1 人民路", "s"))

    def test_who_may_export(self):
        self.dispatched()
        for user, allowed in ((self.cast.supervision, True), (self.town_staff, True),
                              (self.inspector, False), (self.cast.citizen, False),
                              (self.cast.city_leader, True)):  # reads city-wide
            with self.subTest(role=user.role):
                self.client.force_login(user)
                status = self.client.get(reverse("cases:export")).status_code
                self.assertEqual(status, 200 if allowed else 403)

    def test_an_export_over_the_ceiling_is_refused_with_its_reason(self):
        from unittest import mock

        self.report()
        self.report(lon=113.386)
        self.client.force_login(self.desk)
        with mock.patch("cases.views_desk.EXPORT_MAX_ROWS", 1):
            response = self.client.get(reverse("cases:export"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("超过单次导出上限1件", response.content.decode())
        self.assertFalse(AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).exists())
