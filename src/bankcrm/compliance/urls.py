from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    path("reveals/", views.AccessLogView.as_view(preset_action="reveal", tab="reveal"), name="reveals"),
    path("exports/", views.AccessLogView.as_view(preset_action="export", tab="export"), name="exports"),
    path("access-alerts/", views.AccessAlertsView.as_view(), name="access_alerts"),
    path(
        "access-alerts/<int:pk>/acknowledge/",
        views.AcknowledgeAccessAlertView.as_view(),
        name="acknowledge_access_alert",
    ),
    path("unjustified/", views.UnjustifiedViewsView.as_view(), name="unjustified"),
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path("alerts/<int:pk>/acknowledge/", views.AcknowledgeAlertView.as_view(), name="acknowledge_alert"),
    path("plans/", views.PlansView.as_view(), name="plans"),
    path("plans/<str:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("cases/", views.CasesView.as_view(), name="cases"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("regulations/", views.RegulationsView.as_view(), name="regulations"),
    path("regulations/<str:pk>/", views.RegulationDetailView.as_view(), name="regulation"),
    path("indicators/<str:pk>/", views.IndicatorDetailView.as_view(), name="indicator"),
    path("plans/<str:pk>/export.xlsx", views.PlanExportView.as_view(), name="plan_export"),
    path("plans/<str:plan>/items/<str:key>/", views.SampleItemView.as_view(), name="item"),
    path("plans/<str:plan>/items/<str:key>/checklist/", views.ChecklistAnswerView.as_view(), name="item_checklist"),
    path("plans/<str:plan>/items/<str:key>/findings/", views.RecordFindingView.as_view(), name="item_finding"),
    path("findings/", views.FindingsView.as_view(), name="findings"),
    path("findings/<int:pk>/move/", views.MoveFindingView.as_view(), name="finding_move"),
    path("findings/<int:pk>/cite/", views.CiteView.as_view(target="finding"), name="finding_cite"),
    path("cases/<int:pk>/move/", views.CaseMoveView.as_view(), name="case_move"),
    path("cases/<int:pk>/note/", views.CaseNoteView.as_view(), name="case_note"),
    path("cases/<int:pk>/reviewer/", views.CaseReviewerView.as_view(), name="case_reviewer"),
    path("cases/<int:pk>/cite/", views.CiteView.as_view(target="case"), name="case_cite"),
    path("complaints/", views.ComplaintsView.as_view(), name="complaints"),
    path("complaints/<str:reference>/", views.ComplaintCitationsView.as_view(), name="complaint"),
    path("complaints/<str:pk>/cite/", views.CiteView.as_view(target="complaint"), name="complaint_cite"),
    path("citations/<int:pk>/remove/", views.UncitView.as_view(), name="uncite"),
    path("escalations/", views.EscalationsView.as_view(), name="escalations"),
    path("escalations/<int:pk>/acknowledge/", views.AcknowledgeEscalationView.as_view(), name="acknowledge_escalation"),
    path("checklists/", views.ChecklistQuestionsView.as_view(), name="checklists"),
]
