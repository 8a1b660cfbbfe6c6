from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    """阶段考评: schemes as data, scores that explain themselves."""

    name = "evaluation"
    verbose_name = "阶段考评"

    def ready(self):
        from evaluation.menu import register_menu

        register_menu()
