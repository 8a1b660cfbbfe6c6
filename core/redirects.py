"""Where a form may send the user back to: the `next` field, checked like the login's.

A `next` that points to another site (`//evil.example`, `https://evil.example`), uses
another scheme (`javascript:`), or leaves https for http is ignored and the fallback
is used instead, so a crafted form cannot turn our site into a redirector.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, field: str = "next") -> str | None:
    """The request's `next` (POST first, then GET) if it stays on this site, else None."""
    url = request.POST.get(field) or request.GET.get(field)
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None


def redirect_next(request, fallback, *args, **kwargs):
    """Redirect to a safe `next`, else to `fallback` (a URL name or object, as redirect())."""
    url = safe_next(request)
    # Never hand `next` itself to redirect(): it would also try it as a URL name.
    return HttpResponseRedirect(url) if url else redirect(fallback, *args, **kwargs)
