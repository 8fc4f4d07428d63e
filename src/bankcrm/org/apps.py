from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "bankcrm.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # Connected for every app: permissions of apps migrated after org only exist once their
        # own post_migrate has run, and the groups must include them.
        post_migrate.connect(_sync_roles, dispatch_uid="bankcrm_sync_roles")


def _sync_roles(sender, **kwargs):
    from .roles import BANKCRM_APPS, sync_role_groups

    if sender.label in BANKCRM_APPS:
        sync_role_groups()
