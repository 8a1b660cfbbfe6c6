"""Settings for the test suite: production settings plus speed-ups.

DEBUG stays false so the suite exercises the production security settings.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-for-the-chengjian-suite-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MEDIA_ROOT = tempfile.mkdtemp(prefix="chengjian-test-media-")  # one per test process
# Serve static files from the app directories without a collectstatic run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
