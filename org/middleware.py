from django.shortcuts import redirect
from django.urls import reverse


class PasswordExpiryMiddleware:
    """Send a user whose password is older than PASSWORD_MAX_AGE_DAYS to change it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not request.path.startswith(("/api/", "/static/"))
                and user.password_expired()):
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)
