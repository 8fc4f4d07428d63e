from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "bankcrm.complaints"
    label = "complaints"
    verbose_name = "Complaints"
