"""Signing in through the real login form, as every browser test starts."""

from tests.cast import PASSWORD


def log_in(page, base: str, username: str = "office_admin") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
