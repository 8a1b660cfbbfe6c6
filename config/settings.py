"""Django settings for Chengjian.

Every deployment-specific value comes from an environment variable through the
typed helpers in config.env; .env.example lists them all.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_cidrs,
    env_int,
    env_list,
    env_path_prefix,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CHENGJIAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")
    SECRET_KEY = "dev-only-insecure-key-chengjian-never-use-in-production-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    # Our apps, from the ground up (see README "repo map").
    "core",
    "notify",
    "geo",
    "org",
    "plans",
    "projects",
    "supervision",
    "evaluation",
    "cases",
    "maps",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so every response carries the policy, static files included.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionTouchMiddleware",  # the idle timeout, saved at most once a minute
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreMiddleware",  # no-store on every answer to a signed-in user
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ChangeContextMiddleware",
    "org.middleware.PasswordExpiryMiddleware",
    # Axes must be last so it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL is production.
_default_db = f"sqlite:///{VAR_DIR / 'chengjian.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" upgrades from read to write locks.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, passwords, lockout, sessions (SPEC section 9) ----------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=0)  # 0 = never expires
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "org.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Lock the pair (account, IP): one attacker cannot lock a user out from everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "org.views.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Client IP for lockout and audit. Without a trusted proxy, X-Forwarded-For is
# ignored: otherwise a client could rotate it to dodge the (account, IP) lockout.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)

SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
# Idle timeout: a session lapses this many minutes after its last save, and every request
# of a signed-in user saves it again once the last save is a minute old
# (core.middleware.SessionTouchMiddleware), so it lapses after that long without activity.
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_TOUCH_SECONDS = 60
SESSION_ENGINE = "core.sessions"  # the database store, refusing malformed keys (core/sessions.py)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
ALLOW_SUPERUSER = env_bool("ALLOW_SUPERUSER", False)

# --- Transport security (on unless DEBUG) ---------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# --- I18N ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Our own assets, plus the npm packages installed at set-up (scripts/_setup.sh), each
# under a fixed prefix so templates do not depend on node_modules' layout.
_NPM_ASSETS = {
    "vendor/leaflet": "node_modules/leaflet/dist",
    "vendor/markercluster": "node_modules/leaflet.markercluster/dist",
    "vendor/echarts": "node_modules/echarts/dist",
}
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (prefix, BASE_DIR / path) for prefix, path in _NPM_ASSETS.items() if (BASE_DIR / path).is_dir()
]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise before login.
WHITENOISE_ROOT = BASE_DIR / "static" / "img" / "root"
# Nothing serves MEDIA_URL: every stored file goes through a view that checks the
# viewer's scope and audits the download (core/files.py).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# django: the view streams the bytes (development, demo, tests);
# nginx: the view answers with X-Accel-Redirect to FILE_SERVING_PREFIX + the stored name,
# an `internal` nginx location that aliases MEDIA_ROOT (see .env.example).
FILE_SERVING = env_choice("FILE_SERVING", "django", ("django", "nginx"))
FILE_SERVING_PREFIX = env_path_prefix("FILE_SERVING_PREFIX", "/protected/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Filters: Chinese labels for "any" choices (pages are Chinese regardless of the browser).
FILTERS_EMPTY_CHOICE_LABEL = "全部"
FILTERS_NULL_CHOICE_LABEL = "未填"

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",  # refuses malformed keys (NUL)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsInternalUser"],
    # Both check ids, numbers, limit and offset against the database's range (400, not 500).
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "城建 Chengjian API",
    "DESCRIPTION": "城市建设三年行动计划指挥平台 REST API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: it would send the schema's address to validator.swagger.io, and
    # the CSP (img-src) refuses the image anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ColourEnum": "projects.choices.Colour"},
}

# --- Product settings ----------------------------------------------------------
CITY_NAME = env_str("CITY_NAME", "示范市")
SYSTEM_NAME = env_str("SYSTEM_NAME", "高品质城市建设指挥平台")
# 督查通报 as a 公文 (GB/T 9704-2012), written into each bulletin when it is issued:
# 发文机关署名, 发文机关标志 (the red masthead), 机关代字 of the 发文字号 (示督通〔2026〕3号),
# and 主送机关 (empty: the units the bulletin names; or a list such as 各区人民政府,市直各部门).
BULLETIN_ISSUER = env_str("BULLETIN_ISSUER", "").strip() or f"{CITY_NAME}人民政府督查局"
BULLETIN_MASTHEAD = env_str("BULLETIN_MASTHEAD", "").strip() or f"{BULLETIN_ISSUER}文件"
BULLETIN_CODE = env_str("BULLETIN_CODE", "").strip() or f"{CITY_NAME[:1]}督通"
BULLETIN_RECIPIENTS = env_list("BULLETIN_RECIPIENTS", [])
# 版记 (GB/T 9704 7.4) at the foot of the last page: 抄送机关 (a list; empty = no 抄送 line)
# and 印发机关 (empty: BULLETIN_ISSUER); the 印发日期 is the local day of issue.
BULLETIN_CC = env_list("BULLETIN_CC", [])
BULLETIN_PRINTER = env_str("BULLETIN_PRINTER", "").strip()
# Optional basemap; the map works without one (intranet default).
BASEMAP_TILE_URL = env_url("BASEMAP_TILE_URL", "")
# The review queue flags a report whose period investment exceeds this share of the
# project's year plan (投资跳增), e.g. 0.3 = 30 %.
REVIEW_JUMP_SHARE = env_str("REVIEW_JUMP_SHARE", "0.3")
BASEMAP_IS_GCJ02 = env_bool("BASEMAP_IS_GCJ02", False)
# The city's 天地图 (Tianditu) or another tile service, e.g. BASEMAP_TILE_URL=
# https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}
# {tk} is BASEMAP_TILE_KEY (a 天地图 browser key, visible to every user by design); {s} one
# of BASEMAP_TILE_SUBDOMAINS; BASEMAP_LABEL_URL the 注记 layer (cva_w) drawn on top.
# Without a tile URL the map draws the city's own basemap (maps.BasemapFeature), offline.
BASEMAP_TILE_KEY = env_str("BASEMAP_TILE_KEY", "")
BASEMAP_TILE_SUBDOMAINS = env_str("BASEMAP_TILE_SUBDOMAINS", "01234567")
BASEMAP_LABEL_URL = env_url("BASEMAP_LABEL_URL", "")
# The map's credit line; empty = 「底图：天地图」 for a Tianditu URL, else 「底图：本市地理数据」.
BASEMAP_ATTRIBUTION = env_str("BASEMAP_ATTRIBUTION", "")
# cases: the working hours of a working day for 工作时/工作日 limits (cases/workclock.py),
# periods HH:MM-HH:MM in order; holidays and 调休 come from the Chinese calendar.
CASE_WORK_HOURS = env_str("CASE_WORK_HOURS", "08:30-12:00,14:00-18:00").strip()
try:
    from cases.workclock import parse_work_hours

    parse_work_hours(CASE_WORK_HOURS)
except ValueError as exc:
    raise ImproperlyConfigured(f"CASE_WORK_HOURS: {exc}.") from None
# The 监督电话 printed on road-chief signs (cases/signs.py); 12319 is the national 城管 hotline.
CASES_SUPERVISION_PHONE = env_str("CASES_SUPERVISION_PHONE", "12319").strip()
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "chengjian@localhost")
# notify: a mail server that never answers must not hold the delivery runner forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
# notify: the address people open the platform at, for links in e-mails and robot messages
# (e.g. https://cj.city.gov.cn); empty = those messages carry no link (in-app ones do).
SITE_URL = env_url("SITE_URL", "")
# Group robots notify may send to (core/net.py): https hosts of 企业微信 and 钉钉, or an
# exact origin such as http://10.1.2.3:8080 for an intranet gateway; private networks are
# refused at send time unless listed in ROBOT_WEBHOOK_ALLOW_PRIVATE (CIDR).
ROBOT_WEBHOOK_HOSTS = env_list("ROBOT_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
ROBOT_WEBHOOK_ALLOW_PRIVATE = env_cidrs("ROBOT_WEBHOOK_ALLOW_PRIVATE")
ROBOT_WEBHOOK_CA_FILE = env_str("ROBOT_WEBHOOK_CA_FILE", "") or None
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 190, minimum=183)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}
