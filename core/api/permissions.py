from rest_framework.permissions import BasePermission


class IsInternalUser(BasePermission):
    """Authenticated, active, and in a role that may use the REST API."""

    message = "需要登录，且当前角色可使用接口。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        required = getattr(view, "required_cap", None) or "use_api"
        return user.has_cap(required)
