from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "bankcrm.ingest"
    label = "ingest"
    verbose_name = "Ingest"
