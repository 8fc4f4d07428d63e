from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bankcrm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import changelog  # noqa: F401  (connects the change-log signal handlers)
        from .middleware import trusted_proxies

        trusted_proxies()  # a mistyped BANKCRM_TRUSTED_PROXIES stops start-up with its name, not a request later
