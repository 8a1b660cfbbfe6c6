from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织机构"

    def ready(self):
        from org.menu import register_menu

        register_menu()
