"""Settings come from the environment and stop the process on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from config.env import env_bool, env_cidrs, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]


class EnvHelperTests(SimpleTestCase):
    def test_bad_values_stop_start_up(self):
        os.environ["CJ_TEST_FLAG"] = "maybe"
        os.environ["CJ_TEST_INT"] = "thirty"
        os.environ["CJ_TEST_URL"] = "ftp://tiles"
        os.environ["CJ_TEST_NETS"] = "10.1.2.0/24,intranet"
        try:
            with self.assertRaises(ImproperlyConfigured):
                env_bool("CJ_TEST_FLAG")
            with self.assertRaises(ImproperlyConfigured):
                env_int("CJ_TEST_INT", 1)
            with self.assertRaises(ImproperlyConfigured):
                env_url("CJ_TEST_URL")
            with self.assertRaises(ImproperlyConfigured):
                env_cidrs("CJ_TEST_NETS")
        finally:
            for key in ("CJ_TEST_FLAG", "CJ_TEST_INT", "CJ_TEST_URL", "CJ_TEST_NETS"):
                del os.environ[key]

    def run_settings(self, **env):
        clean = {k: v for k, v in os.environ.items()
                 if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
        clean.update(env)
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env={
                **clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True, text=True)

    def test_production_without_secret_key_refuses_to_start(self):
        result = self.run_settings(DEBUG="false")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY is required", result.stderr)

    def test_bad_timeout_refuses_to_start(self):
        result = self.run_settings(DEBUG="true", SESSION_IDLE_TIMEOUT_MINUTES="0")
        self.assertIn("SESSION_IDLE_TIMEOUT_MINUTES must be at least 1", result.stderr)
