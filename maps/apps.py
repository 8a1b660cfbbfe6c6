from django.apps import AppConfig


class MapsConfig(AppConfig):
    """挂图作战 · 一张图 · 驾驶舱: the battle map, conformity checks, cockpit, OGC API."""

    name = "maps"
    verbose_name = "挂图作战"

    def ready(self):
        from maps.menu import register_menu

        register_menu()
