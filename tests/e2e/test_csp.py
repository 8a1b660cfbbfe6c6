"""Under the Content-Security-Policy: the admin's and the API docs' scripts still run,
and an inline script is refused and reported (which the browser fixture turns into a
failure for every browser test)."""

import pytest

from tests.cast import build_cast
from tests.e2e.conftest import CspWatchedBrowser
from tests.e2e.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_htmx_and_api_docs_scripts_run(browser, live_server, screenshot_dir):
    cast = build_cast()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server.url)
    # The admin's change list: ticking "select all" is done by the admin's actions.js.
    page.goto(f"{live_server.url}/admin/org/unit/")
    page.click("#action-toggle")
    page.wait_for_function("() => [...document.querySelectorAll('input.action-select')]"
                           ".every(box => box.checked)")
    assert page.locator("input.action-select").count() >= 4
    # htmx (its CSRF header from hx-headers, no eval): the audited phone reveal swaps in.
    page.goto(f"{live_server.url}/org/people/{cast.person_a.pk}/")
    page.fill("form.reveal input[name=reason]", "核对联系方式")
    page.click("form.reveal button[type=submit]")
    page.locator("#phone", has_text="13812345678").wait_for()
    assert page.url.endswith(f"/org/people/{cast.person_a.pk}/")  # swapped, not navigated
    # The API docs: Swagger UI starts from the one nonced inline script.
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15_000)
    page.screenshot(path=screenshot_dir / "api_docs_under_csp.png")
    assert errors == []


def test_an_inline_script_is_refused_and_reported(chromium, live_server):
    build_cast()
    watched = CspWatchedBrowser(chromium)
    page = watched.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    with pytest.raises(Exception, match="Content Security Policy|Refused"):
        page.add_script_tag(content="window.injected = true;")
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.injected = true'; document.body.append(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert watched.violations and "Content Security Policy" in watched.violations[0]
    page.close()
