from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "bankcrm.customers"
    label = "customers"
    verbose_name = "Customers"
