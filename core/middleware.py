from django.contrib.auth import middleware as auth_middleware

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
