from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("reveals/", views.AccessLogView.as_view(preset_action="reveal", tab="reveal"), name="reveals"),
    path("exports/", views.AccessLogView.as_view(preset_action="export", tab="export"), name="exports"),
    path("unjustified/", views.UnjustifiedViewsView.as_view(), name="unjustified"),
]
