from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "bankcrm.compliance"
    label = "compliance"
    verbose_name = "Compliance"
