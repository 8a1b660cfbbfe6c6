"""Content-Security-Policy: on every response, no inline script, and no template needing one."""

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, override_settings

from core.middleware import content_security_policy, tile_source
from tests.base import CastTestCase


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (d.split() for d in policy.split(";") if d.strip())}


class PolicyOnResponsesTests(CastTestCase):
    def assert_strict(self, response):
        d = directives(response)
        self.assertEqual(d["script-src"][0], "'self'")
        self.assertNotIn("'unsafe-inline'", d["script-src"])
        self.assertNotIn("'unsafe-eval'", d["script-src"])
        self.assertEqual(d["object-src"], ["'none'"])
        self.assertEqual(d["base-uri"], ["'self'"])
        self.assertEqual(d["form-action"], ["'self'"])
        self.assertEqual(d["frame-ancestors"], ["'none'"])
        self.assertEqual(d["connect-src"], ["'self'"])
        return d

    def test_pages_json_static_files_errors_and_the_login_page_carry_it(self):
        responses = [self.client.get("/accounts/login/"), self.client.get("/maps/")]  # 302
        self.client.force_login(self.cast.office_admin)
        responses += [self.client.get(url) for url in (
            "/", "/maps/", "/maps/cockpit/", "/maps/timeline/", "/maps/data/projects.geojson",
            "/api/projects/projects/", "/static/js/map.js", "/projects/999999999/")]
        for response in responses:
            with self.subTest(url=response.request["PATH_INFO"], status=response.status_code):
                d = self.assert_strict(response)
                self.assertEqual(d["script-src"], ["'self'"])  # no page here needs a nonce

    def test_the_admin_runs_under_the_same_policy(self):
        self.client.force_login(self.cast.sys_admin)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        self.assert_strict(response)
        # Django's admin ships no inline script: every <script> has a src or is JSON data.
        for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
            self.assertTrue("src=" in tag or "application/json" in tag, tag)

    def test_the_api_docs_inline_script_carries_this_responses_nonce(self):
        self.client.force_login(self.cast.office_admin)
        first, second = self.client.get("/api/docs/"), self.client.get("/api/docs/")
        nonces = []
        for response in (first, second):
            d = self.assert_strict(response)
            self.assertEqual(len(d["script-src"]), 2)
            nonce = d["script-src"][1].removeprefix("'nonce-").removesuffix("'")
            self.assertIn(f'<script nonce="{nonce}">', response.content.decode())
            nonces.append(nonce)
        self.assertNotEqual(*nonces)
        self.assertGreaterEqual(len(nonces[0]), 22)


class TileSourceTests(SimpleTestCase):
    def test_the_basemap_origin_is_allowed_for_images_only(self):
        cases = {
            "": "",
            "/tiles/{z}/{x}/{y}.png": "",
            "https://tiles.city.gov.cn/{z}/{x}/{y}.png": "https://tiles.city.gov.cn",
            "http://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}": "http://*.tianditu.gov.cn",
            "https://{s}.tile.example.org:8443/{z}/{x}/{y}.png": "https://*.tile.example.org:8443",
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                self.assertEqual(tile_source(url), expected)
        with override_settings(BASEMAP_TILE_URL="https://tiles.city.gov.cn/{z}/{x}/{y}.png"):
            policy = content_security_policy()
        self.assertIn("img-src 'self' data: blob: https://tiles.city.gov.cn;", policy)
        self.assertIn("connect-src 'self';", policy)


TEMPLATE_ROOTS = ["templates", "core", "geo", "org", "plans", "projects", "supervision",
                  "evaluation", "maps", "demo"]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


class TemplatesNeedNoInlineScriptTests(SimpleTestCase):
    """Under the policy an inline handler or script would silently not run: none may exist."""

    def templates(self):
        """(path, text without Django comments) of every template of ours."""
        base = Path(settings.BASE_DIR)
        for root in TEMPLATE_ROOTS:
            for path in (base / root).rglob("*.html"):
                yield path, COMMENT.sub("", path.read_text(encoding="utf-8"))

    def test_no_inline_handlers_javascript_urls_or_hx_on(self):
        found = []
        for path, text in self.templates():
            for pattern in (INLINE_HANDLER, re.compile(r"javascript:", re.I),
                            re.compile(r"\bhx-on", re.I)):
                found += [f"{path.name}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
        self.assertEqual(found, [])

    def test_every_script_has_a_src_is_json_or_carries_the_nonce(self):
        found = []
        for path, text in self.templates():
            for attrs in SCRIPT_TAG.findall(text):
                if not re.search(r"\ssrc=|application/json|nonce=\"\{\{ request\.csp_nonce",
                                 " " + attrs):
                    found.append(f"{path.name}: <script{attrs}>")
        self.assertEqual(found, [])
