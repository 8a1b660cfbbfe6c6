import secrets
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.utils.cache import patch_cache_control

from core.choices import ChangeSource
from core.history import change_context

# Paths served to machines rather than people; their changes are marked "api".
_API_PREFIXES = ("/api/", "/ogc/", "/open311/")


class ChangeContextMiddleware:
    """Open a change context per request so every write carries its request id.

    The user is read lazily from the request at write time, which also covers
    DRF token authentication that happens after this middleware runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = ChangeSource.API if request.path.startswith(_API_PREFIXES) else ChangeSource.WEB
        with change_context(source, request=request) as ctx:
            request.request_id = ctx.request_id
            return self.get_response(request)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a login unless marked @login_not_required.

    Machine endpoints authenticate themselves (tokens) and answer 401/403 in
    their own format, so they are left to their views.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(_API_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class CspNonce:
    """A per-request nonce, made only when a template asks for it ({{ request.csp_nonce }}).

    Pages that use none send a policy without a nonce, so script-src is our files alone.
    """

    def __init__(self):
        self.value = ""

    def __str__(self):
        if not self.value:
            self.value = secrets.token_urlsafe(18)
        return self.value


def tile_source(tile_url: str) -> str:
    """The CSP source for the basemap's tiles, e.g. https://*.tianditu.gov.cn.

    A {s} subdomain placeholder becomes a wildcard for its whole label; a path-only URL
    is our own origin and needs nothing.
    """
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(nonce: str = "") -> str:
    script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    tiles = {tile_source(settings.BASEMAP_TILE_URL), tile_source(settings.BASEMAP_LABEL_URL)}
    img_src = " ".join(["'self' data: blob:", *sorted(filter(None, tiles))])
    return "; ".join([
        "default-src 'self'",
        # Scripts: our static files only (and, on the rare page that needs one, a nonced
        # block). No 'unsafe-inline', so a stored name that slips into HTML cannot run.
        f"script-src {script_src}",
        # Styles stay inline-capable: Leaflet and ECharts write style attributes into the
        # HTML they build (tooltips, markers), htmx injects its indicator <style>, and some
        # templates carry style="". Styles cannot run script in current browsers.
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img_src}",  # data: for the PNG export and Leaflet's icons
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",  # as X_FRAME_OPTIONS = "DENY"
    ])


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy on every response.

    Placed before WhiteNoise so static files get it too. A view that sets a stricter
    policy of its own (the Gantt SVG download) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = CspNonce()
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.csp_nonce.value)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in user.

    Nearly every page carries personal data somewhere (a responsible person's name and
    masked phone, usernames and IPs in the audit trail, the ledger export), and marking
    them one by one let pages slip through. So the rule is the other way round: nothing
    shown to a signed-in user is kept by a browser or proxy, unless the view has set a
    Cache-Control of its own (evidence photos: private for an hour, core.files), which is
    its decision to make. Static files and map tiles never get here: WhiteNoise answers
    them before the session is read. No ETag is added, so nothing is revalidated either.
    Sits after AuthenticationMiddleware; DRF's token login sets request.user too, and the
    user is read on the way out, so token reads of the API are covered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class SessionTouchMiddleware:
    """The idle timeout without a session write on every request.

    A session lapses SESSION_COOKIE_AGE seconds after it was last saved. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) made each of the battle map's parallel data requests
    a write to the session row; on SQLite they queued on the database lock. Here a signed-in
    session is saved again only when its last save is more than SESSION_TOUCH_SECONDS old,
    so the timeout is still "this many minutes without activity", to within that interval.
    """

    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            touched = session.get(self.KEY)
            if not isinstance(touched, int) or now - touched >= settings.SESSION_TOUCH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return self.get_response(request)
