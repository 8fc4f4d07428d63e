from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "bankcrm.analytics"
    label = "analytics"
    verbose_name = "Analytics"
