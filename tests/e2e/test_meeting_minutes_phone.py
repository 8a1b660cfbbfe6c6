"""After the meeting, on a phone (issue 16 item 6): the office opens the held meeting, reads
the pack's summary, writes the 会议纪要 with a decision for 甲局, confirms and issues it;
the decision is 甲局's action item. The page never scrolls sideways."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from supervision.choices import MeetingKind
from supervision.models import ActionItem, Meeting
from tests.base import MID_MAY_2026
from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def test_the_office_writes_and_issues_the_minutes_on_a_phone(browser, live_server,
                                                              screenshot_dir):
    with time_machine.travel(MID_MAY_2026, tick=True):
        cast = build_cast()
        build_ledger(cast)
        meeting = Meeting.objects.create(
            plan=cast.plan, kind=MeetingKind.MONTHLY_MEETING,
            date=timezone.localdate() - timedelta(days=1), start_time=time(15),
            title="月度工作例会", location="市政府第一会议室")
        base, url = live_server.url, meeting.get_absolute_url()
        deadline = (timezone.localdate() + timedelta(days=10)).isoformat()

        page = browser.new_context(**PHONE).new_page()
        log_in(page, base, "office_staff")
        page.goto(base + url)
        page.get_by_role("button", name="生成会议材料").click()
        page.wait_for_url(f"{base}{url}")
        pack = page.get_by_test_id("pack").inner_text()
        assert "一、总体情况" in pack and "三、亮灯转差的项目" in pack
        assert page.get_by_test_id("pack-draft").is_visible()
        no_sideways_scroll(page)

        form = page.get_by_test_id("minutes-form")
        form.locator("textarea[name=attendees]").fill("领导甲副市长\n甲局、乙局主要负责人")
        form.locator("textarea[name=summary]").fill("会议听取了各单位重点项目进展汇报。")
        form.locator("input[name=decision_text]").first.fill("甲路综合改造工程月底前完成管线迁改")
        form.locator("select[name=decision_unit]").first.select_option(label="甲局")
        form.locator("input[name=decision_deadline]").first.fill(deadline)
        form.get_by_role("button", name="保存会议纪要").click()
        page.wait_for_url(f"{base}{url}#minutes")
        assert "印发后交办" in page.get_by_test_id("decisions").inner_text()
        no_sideways_scroll(page)
        page.screenshot(path=screenshot_dir / "minutes_draft_phone.png", full_page=True)

        issue = page.get_by_test_id("minutes-issue")
        issue.locator("input[name=confirm]").check()
        issue.get_by_role("button", name="印发会议纪要").click()
        page.wait_for_url(f"{base}{url}#minutes")
        decisions = page.get_by_test_id("decisions").inner_text()
        assert "待办理" in decisions and "甲局" in decisions
        no_sideways_scroll(page)
        page.screenshot(path=screenshot_dir / "minutes_issued_phone.png", full_page=True)

        item = ActionItem.objects.get(meeting=meeting)
        assert (item.unit, item.deadline.isoformat()) == (cast.unit_a, deadline)
        page.context.close()

        page = browser.new_context(**PHONE).new_page()
        log_in(page, base, "reporter_a")
        page.goto(f"{base}/supervision/items/")
        assert "甲路综合改造工程月底前完成管线迁改" in page.content()
        page.goto(base + url)
        assert "下载会议纪要" in page.content()
        no_sideways_scroll(page)
        page.context.close()
