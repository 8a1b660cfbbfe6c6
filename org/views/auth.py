"""Login, lockout message, password change, and the per-role home page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from org import actions


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败%(limit)d次将锁定%(minutes)d分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def get_invalid_login_error(self):
        return ValidationError(
            self.error_messages["invalid_login"], code="invalid_login",
            params={"limit": settings.LOGIN_FAILURE_LIMIT,
                    "minutes": settings.LOGIN_LOCKOUT_MINUTES},
        )


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login sees: a plain Chinese explanation (HTTP 429)."""
    context = {
        "form": LoginForm(request),
        "locked": True,
        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "limit": settings.LOGIN_FAILURE_LIMIT,
    }
    return render(request, "org/login.html", context, status=429)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput,
                                    help_text="；".join(password_validators_help_texts()))
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise ValidationError("当前密码不正确。")
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            raise ValidationError("两次输入的新密码不一致。")
        if data.get("new_password1") and data.get("new_password1") == data.get("old_password"):
            raise ValidationError("新密码不能与当前密码相同。")
        return data


class PasswordChangeView(View):
    template_name = "org/password_change.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PasswordChangeForm(request.user),
                                                    "expired": request.user.password_expired()})

    def post(self, request):
        form = PasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            try:
                actions.do_change_password(request.user, form.cleaned_data["new_password1"],
                                           request=request)
            except ValidationError as exc:
                form.add_error("new_password1", exc)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, "密码已修改。")
                return redirect("home")
        return render(request, self.template_name, {"form": form,
                                                    "expired": request.user.password_expired()})
