from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "bankcrm.org"
    label = "org"
    verbose_name = "Organisation"
