from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "bankcrm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from bankcrm.analytics.signals import metrics_computed

        metrics_computed.connect(_refresh_after_metrics, dispatch_uid="reports-rollup")


def _refresh_after_metrics(sender, *, as_of, engine, **kwargs) -> None:
    """The nightly metrics run keeps the indicator reports' dimensions, sales and rollup current."""
    from .rollup import refresh_inputs

    refresh_inputs(engine, dimensions=False)  # the metrics run has just dumped them
