from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("reveals/", views.AccessLogView.as_view(preset_action="reveal", tab="reveal"), name="reveals"),
    path("exports/", views.AccessLogView.as_view(preset_action="export", tab="export"), name="exports"),
    path("unjustified/", views.UnjustifiedViewsView.as_view(), name="unjustified"),
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path("alerts/<int:pk>/acknowledge/", views.AcknowledgeAlertView.as_view(), name="acknowledge_alert"),
    path("indicators/compute/", views.ComputeIndicatorsView.as_view(), name="compute_indicators"),
    path("plans/", views.PlansView.as_view(), name="plans"),
    path("plans/<str:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("cases/", views.CasesView.as_view(), name="cases"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("regulations/", views.RegulationsView.as_view(), name="regulations"),
]
