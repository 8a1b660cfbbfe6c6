from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "计划"

    def ready(self):
        from plans.menu import register_menu

        register_menu()
