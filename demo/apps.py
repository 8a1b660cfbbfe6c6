from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The generated demo city. Top of the house: it may import every app."""

    name = "demo"
    verbose_name = "示范数据"
