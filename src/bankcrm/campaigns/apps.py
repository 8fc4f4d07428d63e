from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "bankcrm.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
