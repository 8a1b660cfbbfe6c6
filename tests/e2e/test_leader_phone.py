"""A city leader on a phone: 我的分包 from the home page, the red project's card with its
reason and the unit's measures, a 批示 from the project page; the unit then finds the
批示 among its action items."""

import pytest
import time_machine

from projects import actions, engine
from projects.models import Project
from tests.base import MID_MAY_2026
from tests.cast import build_cast
from tests.e2e.session import log_in
from tests.ledger_cast import build_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
MEASURES = "增加两个施工班组，周末连续作业，6月底前追回序时进度"
INSTRUCTION = "请甲局本周内拿出赶工方案，每周报送进展"


def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    return context, context.new_page()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def test_leader_reads_my_assignments_and_instructs_the_unit(browser, live_server,
                                                            screenshot_dir):
    # The facts (a project lagging its year plan) are those of a fixed day, not today's.
    with time_machine.travel(MID_MAY_2026, tick=True):
        cast = build_cast()
        ledger = build_ledger(cast)
        engine.record_missing_reports()
        engine.recompute(list(Project.objects.all()))
        project = ledger.project_a
        actions.do_set_measures(project, MEASURES, acting_user=cast.reporter_a)
        base = live_server.url

        context, page = phone(browser)
        log_in(page, base, "leader")
        counts = page.get_by_test_id("my-assignments-counts").inner_text()
        assert "红灯 1 个" in counts.replace("\n", " ")
        page.screenshot(path=screenshot_dir / "leader_home_phone.png")
        page.get_by_test_id("my-assignments-counts").get_by_role("link", name="我的分包").click()
        page.wait_for_url(f"{base}/projects/mine/")
        card = page.get_by_test_id("assignment-card").filter(has_text=project.name)
        assert card.count() == 1
        assert page.get_by_test_id("assignment-card").count() == 1  # only his 分包
        text = card.inner_text()
        assert "红灯" in text
        assert "落后序时进度" in card.get_by_test_id("card-reasons").inner_text()
        assert MEASURES in card.get_by_test_id("card-measures").inner_text()
        assert cast.person_a.name in text
        no_sideways_scroll(page)
        page.screenshot(path=screenshot_dir / "leader_my_assignments_phone.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 812})  # the narrowest phone we serve
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.set_viewport_size({"width": WIDTH, "height": 844})

        card.get_by_role("link", name=project.name).click()
        page.wait_for_url(f"{base}{project.get_absolute_url()}")
        form = page.get_by_test_id("instruction-form")
        form.locator("textarea[name=text]").fill(INSTRUCTION)
        form.get_by_role("button", name="发出批示").click()
        page.wait_for_url(f"{base}{project.get_absolute_url()}")
        items = page.get_by_test_id("action-items").inner_text()
        assert "领导批示" in items and INSTRUCTION[:10] in items
        no_sideways_scroll(page)
        page.screenshot(path=screenshot_dir / "leader_instruction_phone.png", full_page=True)

        page.goto(f"{base}/projects/mine/")
        followups = page.get_by_test_id("card-followups").inner_text()
        assert "领导批示" in followups and INSTRUCTION[:10] in followups
        context.close()

        for username in ("reporter_a", "head_a"):
            context, page = phone(browser)
            log_in(page, base, username)
            page.get_by_role("link", name=f"领导甲批示：{INSTRUCTION}").first.click()
            page.wait_for_url("**/supervision/items/*/")
            assert INSTRUCTION in page.get_by_test_id("item-detail").inner_text()
            assert "领导批示" in page.get_by_test_id("item-source").inner_text()
            no_sideways_scroll(page)
            if username == "reporter_a":
                page.screenshot(path=screenshot_dir / "unit_instruction_item_phone.png",
                                full_page=True)
            context.close()
