from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目台账"

    def ready(self):
        from projects.menu import register_menu

        register_menu()
