"""My account: who I am, password, and my API token (created, shown once, revoked)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views import View
from rest_framework.authtoken.models import Token

from org import actions


def _context(user, **extra) -> dict:
    token = Token.objects.filter(user=user).first()
    return {"token": token, "token_hint": actions.token_hint(token) if token else "",
            "may_hold_token": actions.may_hold_api_token(user), **extra}


class AccountView(View):
    template_name = "org/account.html"

    def get(self, request):
        response = render(request, self.template_name, _context(request.user))
        add_never_cache_headers(response)
        return response


class TokenCreateView(View):
    """Creates the token and shows its key in this one response; it is never shown again."""

    def post(self, request):
        try:
            token = actions.do_create_api_token(request.user, request=request)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
            return redirect("org:account")
        response = render(request, AccountView.template_name,
                          _context(request.user, new_key=token.key))
        add_never_cache_headers(response)  # the key must not stay in any cache
        return response


class TokenRevokeView(View):
    def post(self, request):
        try:
            actions.do_revoke_api_token(request.user, request=request)
            messages.success(request, "接口令牌已作废，使用它的请求将被拒绝。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("org:account")
