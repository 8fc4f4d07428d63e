from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "bankcrm.loans"
    label = "loans"
    verbose_name = "Loans"
