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

from org import actions, throttle


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
            raise ValidationError(
                "当前密码不正确。连续输错%(limit)d次将锁定%(minutes)d分钟。", code="wrong_password",
                params={"limit": settings.LOGIN_FAILURE_LIMIT,
                        "minutes": settings.LOGIN_LOCKOUT_MINUTES})
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            raise ValidationError("两次输入的新密码不一致。")
        if data.get("new_password1") and data.get("new_password1") == data.get("old_password"):
            raise ValidationError("新密码不能与当前密码相同。")
        return data


class PasswordChangeView(View):
    """Change one's own password. Wrong current passwords are throttled like logins
    (org.throttle): counted per account, locked after the login limit, audited."""

    template_name = "org/password_change.html"

    def get(self, request):
        return self.page(request, PasswordChangeForm(request.user))

    def post(self, request):
        # One attempt per account at a time, or parallel guesses would all pass the count.
        with throttle.one_attempt_at_a_time(request.user):
            return self.attempt(request)

    def attempt(self, request):
        user = request.user
        if until := throttle.locked_until(user):
            throttle.record_refused_while_locked(user, request, until)
            return self.locked(request, until)
        form = PasswordChangeForm(user, request.POST)
        if form.is_valid():
            try:
                actions.do_change_password(user, form.cleaned_data["new_password1"],
                                           request=request)
            except ValidationError as exc:
                form.add_error("new_password1", exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, "密码已修改。")
                return redirect("home")
        elif form.has_error("old_password", code="wrong_password"):
            if until := throttle.record_wrong_old_password(user, request):
                return self.locked(request, until)
        return self.page(request, form)

    def page(self, request, form, status=200, **extra):
        return render(request, self.template_name, {
            "form": form, "expired": request.user.password_expired(), **extra}, status=status)

    def locked(self, request, until):
        """HTTP 429 with a plain Chinese explanation, as a locked-out login gets."""
        message = (f"当前密码已连续输错{settings.LOGIN_FAILURE_LIMIT}次，修改密码已锁定，"
                   f"请{throttle.minutes_left(until)}分钟后再试，或联系安全管理员解除锁定。")
        return self.page(request, PasswordChangeForm(request.user), status=429,
                         locked_message=message)
