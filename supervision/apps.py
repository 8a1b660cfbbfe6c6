from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """调度督查: the rhythm of meetings, action items (交办事项), later bulletins and escalation."""

    name = "supervision"
    verbose_name = "调度督查"

    def ready(self):
        from supervision.menu import register_menu
        from supervision.panels import register_panels

        register_menu()
        register_panels()
