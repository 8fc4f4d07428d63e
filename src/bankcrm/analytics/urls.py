from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export.xlsx", views.DashboardExportView.as_view(), name="dashboard_export"),
    # the work queue moved to campaigns (issue 9); old bookmarks keep working
    path("queue/", RedirectView.as_view(pattern_name="campaigns:workqueue", query_string=True, permanent=True)),
]
