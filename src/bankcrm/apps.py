from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app, so its commands (demo, export, generate, serve) are found.

    It composes the apps (docs/architecture.md, the top layer) and holds no models.
    """

    name = "bankcrm"
    label = "bankcrm_project"
    verbose_name = "bankcrm"
