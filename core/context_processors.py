from django.conf import settings

from core.navigation import menu_for


def shell(request):
    """What the page frame needs: names for the top bar and the user's menu."""
    user = getattr(request, "user", None)
    return {
        "CITY_NAME": settings.CITY_NAME,
        "SYSTEM_NAME": settings.SYSTEM_NAME,
        "nav_menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
