"""Serving stored files (uploads and generated documents) to the people allowed to see them.

Nothing under MEDIA_ROOT is reachable by URL. Each app's download view fetches
the owning row through `get_for_user()` (outside scope: 404) and hands the file
to `serve_file()`, which audits the download and then either streams the bytes
(FILE_SERVING=django) or answers with an empty response carrying
X-Accel-Redirect, so that nginx sends the bytes from an `internal` location
(FILE_SERVING=nginx; the Python worker is free at once).
"""

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from core.audit import record_audit
from core.choices import AuditEventType


def accel_path(name: str) -> str:
    """The internal nginx location of a stored file's name (percent-encoded, '/' kept)."""
    return settings.FILE_SERVING_PREFIX + quote(name.lstrip("/"), safe="/")


def file_response(fieldfile, *, filename: str, content_type: str, inline: bool) -> HttpResponse:
    """The bytes of `fieldfile` (or, behind nginx, the instruction to send them)."""
    if not fieldfile:
        raise Http404("文件不存在。")
    disposition = content_disposition_header(not inline, filename)
    if settings.FILE_SERVING == "nginx":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_path(fieldfile.name)
        response["Content-Disposition"] = disposition
    else:
        try:
            handle = fieldfile.open("rb")
        except FileNotFoundError:
            raise Http404("文件不存在。") from None
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = disposition
    # Evidence is personal to the viewer's scope: no shared cache may keep it.
    patch_cache_control(response, private=True, max_age=3600)
    return response


def serve_file(request, fieldfile, *, obj, filename: str, content_type: str, inline=False,
               variant="file") -> HttpResponse:
    """Audit one download of `fieldfile`, which belongs to `obj`, and answer with it.

    The caller has already fetched `obj` within the user's scope.
    """
    if not fieldfile:
        raise Http404("文件不存在。")
    response = file_response(fieldfile, filename=filename, content_type=content_type,
                             inline=inline)
    record_audit(AuditEventType.FILE_DOWNLOAD, request=request, obj=obj, variant=variant,
                 name=fieldfile.name)
    return response


def _token_user(request):
    """The user of an `Authorization: Token …` header, or None: bad or malformed tokens
    (the API's own authentication refuses a NUL byte before the lookup), inactive
    accounts, and roles that may no longer use the API — the same rule as the API's."""
    from rest_framework.exceptions import AuthenticationFailed

    from core.api.authentication import TokenAuthentication

    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    user = found[0] if found else None
    if user is None or not user.is_active or not user.has_cap("use_api"):
        return None
    return user


def file_view(view):
    """A download view that also accepts API tokens, so that the file URLs the API
    returns can be fetched by the same client; anonymous browsers go to the login page."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and "HTTP_AUTHORIZATION" in request.META:
            user = _token_user(request)
            if user is None:
                return HttpResponse("令牌无效或已作废。", status=401,
                                    content_type="text/plain; charset=utf-8")
            request.user = user
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
