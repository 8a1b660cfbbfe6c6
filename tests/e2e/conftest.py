"""Real-browser fixtures: Playwright driving Debian's /usr/bin/chromium, headless.

Pages run under the app's Content-Security-Policy as a user's browser does, and a test
fails when any page reports a violation: a script the policy blocks is a feature that
silently does nothing. Playwright's wait_for_function must then be given a function
("() => …"): a bare expression is re-evaluated with eval on every poll, which the policy
refuses.
"""

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CSP_MESSAGE = "Content Security Policy"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: run scripts/test as root to install it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)  # in CI a missing browser is a failure, not a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class CspWatchedBrowser:
    """The session's browser, noting every CSP violation reported by the pages it opens."""

    def __init__(self, browser):
        self._browser = browser
        self.violations = []
        self.opened = []  # pages and contexts, closed after the test

    def watch(self, page):
        page.on("console", lambda m: CSP_MESSAGE in m.text
                and self.violations.append(f"{page.url}: {m.text}"))
        return page

    def new_page(self, **kwargs):
        page = self.watch(self._browser.new_page(**kwargs))
        self.opened.append(page)
        return page

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("page", self.watch)
        self.opened.append(context)
        return context

    def close_all(self):
        for item in self.opened:
            item.close()

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser(chromium):
    watched = CspWatchedBrowser(chromium)
    yield watched
    # A page left open keeps working (the big screen reloads every minute) and would
    # reach the server while the next test sets up its data.
    watched.close_all()
    assert watched.violations == [], "Content-Security-Policy violations"


@pytest.fixture(autouse=True)
def _one_request_at_a_time(request):
    """On SQLite the live server's threads share the test's one in-memory connection, and
    the map's parallel fetches then meet as "database table is locked" (a 500 the page
    reads as broken JSON). Let that server answer one request at a time; on PostgreSQL
    each thread has its own connection and nothing changes.
    """
    if "live_server" not in request.fixturenames:
        return
    thread = request.getfixturevalue("live_server").thread
    app = thread.httpd.get_app()
    if not thread.connections_override or getattr(app, "serial", False):
        return
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            return app(environ, start_response)

    serial.serial = True
    thread.httpd.set_app(serial)


@pytest.fixture
def screenshot_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
