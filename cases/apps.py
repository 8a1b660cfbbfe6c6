from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "数字城管"

    def ready(self):
        # Each page family registers its own navigation items (core.navigation).
        from cases import nav_field, nav_pages, nav_performance  # noqa: F401
