from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.IndicatorReportView.as_view(), name="report"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("mine/", views.MyTargetsView.as_view(), name="mine"),
    path("loans/", views.LoanBookView.as_view(), name="loans"),
    path("scorecards/", views.ScorecardView.as_view(), name="scorecards"),
    path("red-lines/", views.RedLineView.as_view(), name="red_lines"),
    path("template.xlsx", views.template_workbook, name="template"),
]
