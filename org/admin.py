from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect
from django.utils.html import format_html
from rest_framework.authtoken.admin import TokenProxy

from core.admin import CapabilityAdmin, CapabilityInline
from org.models import CityLeader, LeaderAssignment, Person, Unit, User, mask_phone
from org.roles import Cap


def _own_password_change(request, extra_context=None):
    """The admin site's own password form would skip the throttle on wrong current
    passwords and the audit (org.views.auth.PasswordChangeView): use that page instead."""
    return redirect("password_change")


admin.site.password_change = _own_password_change

# A token's key is shown once, to its owner, on the account page (org/views/account.py);
# DRF's own admin would list every key in full, so it is not offered.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(Unit)
class UnitAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_ORG
    view_caps = (Cap.MANAGE_ACCOUNTS,)
    list_display = ("name", "kind", "parent", "admin_code", "archived_at")
    list_filter = ("kind",)
    search_fields = ("name", "admin_code")


class PersonAdminForm(forms.ModelForm):
    """The phone field shows the stored number masked; submitted unchanged, the stored
    number is kept. So editing a person never displays a full number: seeing one is the
    person page's audited reveal, with a reason."""

    class Meta:
        model = Person
        fields = ("name", "title", "unit", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_phone = self.instance.phone if self.instance.pk else ""
        if self.stored_phone and "phone" in self.fields:
            self.initial["phone"] = mask_phone(self.stored_phone)
            self.fields["phone"].help_text = format_html(
                "显示为掩码，不修改则保留原号码；如需查看完整号码，请到"
                "<a href=\"{}\">人员页面</a>填写事由后显示（记入审计日志）。",
                self.instance.get_absolute_url())

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if self.stored_phone and phone == mask_phone(self.stored_phone):
            return self.stored_phone  # a '*' is never part of a real number
        return phone


@admin.register(Person)
class PersonAdmin(CapabilityAdmin):
    """People. Phone numbers appear masked on the list, the change page and the read-only
    page alike; every admin page is already sent with no-store (AdminSite.admin_view).
    Nobody filters, searches or sorts by the number (core.admin.PERSONAL_FIELDS): each
    answer would give away a digit."""

    manage_cap = Cap.MANAGE_ORG
    view_caps = (Cap.MANAGE_ACCOUNTS,)
    form = PersonAdminForm
    list_display = ("name", "title", "unit", "masked_phone")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)

    @admin.display(description="联系电话")
    def masked_phone(self, person):
        return mask_phone(person.phone) or "—"

    def get_readonly_fields(self, request, obj=None):
        # A read-only page would print the raw field: show the masked one instead.
        if self.has_change_permission(request, obj):
            return super().get_readonly_fields(request, obj)
        return (*super().get_readonly_fields(request, obj), "masked_phone")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [f for f in fields if f != "phone"]


class LeaderAssignmentInline(CapabilityInline):
    model = LeaderAssignment
    manage_cap = Cap.MANAGE_ORG
    autocomplete_fields = ("unit",)
    fields = ("unit", "kind", "note", "start_date")


@admin.register(CityLeader)
class CityLeaderAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_ORG
    list_display = ("person", "position", "sort_order")
    search_fields = ("person__name", "position")
    autocomplete_fields = ("person",)
    inlines = [LeaderAssignmentInline]


class AccountCreationForm(forms.ModelForm):
    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("username", "person", "unit")

    def clean_password1(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password1"]
        validate_password(password, self.instance)
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


@admin.register(User)
class AccountAdmin(CapabilityAdmin, DjangoUserAdmin):
    """Accounts. The system administrator creates and disables them; only the
    security administrator changes roles (三权分立)."""

    manage_cap = Cap.MANAGE_ACCOUNTS
    view_caps = (Cap.ASSIGN_ROLES,)
    add_form = AccountCreationForm
    add_fieldsets = ((None, {"fields": ("username", "password1", "person", "unit")}),)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("归属", {"fields": ("person", "unit", "email")}),
        ("权限", {"fields": ("role", "is_active")}),
        ("时间", {"fields": ("last_login", "password_changed_at", "date_joined")}),
    )
    list_display = ("username", "person", "role", "unit", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "person__name")
    autocomplete_fields = ("person", "unit")
    readonly_fields = ("last_login", "password_changed_at", "date_joined")
    filter_horizontal = ()
    actions = []

    def has_change_permission(self, request, obj=None):
        return self._may(request, (Cap.MANAGE_ACCOUNTS, Cap.ASSIGN_ROLES))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_cap(Cap.ASSIGN_ROLES):
            fields.append("role")  # system administrator: no role changes
        if not request.user.has_cap(Cap.MANAGE_ACCOUNTS):
            fields += ["username", "person", "unit", "email", "is_active"]
        if obj is not None and obj.pk == request.user.pk:
            fields += ["role", "is_active"]  # nobody raises or disables themselves
        return fields
