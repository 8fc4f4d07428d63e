from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("quality/", views.QualityView.as_view(), name="quality"),
    path("quality/export.xlsx", views.QualityExportView.as_view(), name="quality-export"),
    path("imports/", views.ImportRunListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportRunDetailView.as_view(), name="import-run"),
    path("quarantine/", views.QuarantineView.as_view(), name="quarantine"),
    path("quarantine/<int:pk>/reveal/", views.QuarantineRevealView.as_view(), name="quarantine-reveal"),
    path("quarantine.csv", views.QuarantineDownloadView.as_view(), name="quarantine-csv"),
]
