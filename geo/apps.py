from django.apps import AppConfig


class GeoConfig(AppConfig):
    """Layers of the one map (一张图) and geometry services; imports no business app."""

    name = "geo"
    verbose_name = "一张图图层"
