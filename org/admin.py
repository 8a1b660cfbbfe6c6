from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.admin import TokenProxy

from core.admin import CapabilityAdmin, CapabilityInline
from org.models import CityLeader, LeaderAssignment, Person, Unit, User
from org.roles import Cap

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


@admin.register(Person)
class PersonAdmin(CapabilityAdmin):
    manage_cap = Cap.MANAGE_ORG
    view_caps = (Cap.MANAGE_ACCOUNTS,)
    list_display = ("name", "title", "unit")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)


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
