"""The office's review queue and 报送情况 in a real browser: on a phone nothing scrolls
sideways; on a desk the queue's batch accept takes the checked, unflagged report."""

from decimal import Decimal

import pytest

from projects.choices import ReportStatus
from projects.models import ProgressReport
from tests.e2e.session import log_in
from tests.e2e.test_phone_no_sideways import PHONE, build_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_queue_and_matrix_fit_a_phone(browser, live_server, screenshot_dir):
    _, ledger = build_week()
    report = ProgressReport.objects.get(project=ledger.project_a)
    page = browser.new_context(**PHONE).new_page()
    log_in(page, live_server.url, "office_admin")
    for name, route in (("review", "/projects/review/"),
                        ("review-rebaselines", "/projects/review/?tab=rebaselines"),
                        ("matrix", "/projects/matrix/"),
                        ("report", f"/projects/reports/{report.pk}/")):
        assert page.goto(live_server.url + route).status == 200, route
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, route
        page.screenshot(path=str(screenshot_dir / f"phone-{name}.png"), full_page=True)


def test_batch_accept_on_a_desk(browser, live_server, screenshot_dir):
    from projects.actions import do_submit_report

    cast, ledger = build_week()
    # A second report, on a project in unit B: 形象进度 no lower than before, nothing flagged.
    plain = do_submit_report(ledger.project_b, acting_user=cast.reporter_b, progress_percent=20,
                             investment_period=Decimal("50"), progress_text="设备安装")
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(page, live_server.url, "office_staff")
    page.goto(f"{live_server.url}/projects/review/")
    page.check(f"input[name=report][value='{plain.pk}']")
    page.screenshot(path=str(screenshot_dir / "desk-review.png"), full_page=True)
    page.click("button[form=batch]")
    page.wait_for_selector("text=已审核通过1份填报")
    plain.refresh_from_db()
    assert plain.status == ReportStatus.ACCEPTED
    page.goto(f"{live_server.url}/projects/matrix/")
    page.screenshot(path=str(screenshot_dir / "desk-matrix.png"), full_page=True)
