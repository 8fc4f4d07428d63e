from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "bankcrm.reports"
    label = "reports"
    verbose_name = "Reports"
