from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("queue/", views.WorkQueueView.as_view(), name="workqueue"),
    path("queue/bulk-assign/", views.BulkAssignView.as_view(), name="bulk_assign"),
    path("queue/<int:pk>/", views.ListItemView.as_view(), name="listitem"),
    path("today/", views.TodayView.as_view(), name="today"),
    path("today/customers.xlsx", views.MyCustomersExportView.as_view(), name="export_customers"),
    path("queue/export.xlsx", views.MyQueueExportView.as_view(), name="export_queue"),
    path("today/tasks/<int:pk>/done/", views.TaskDoneView.as_view(), name="task_done"),
    path("", views.CampaignListView.as_view(), name="list"),
    path("new/", views.CampaignCreateView.as_view(), name="create"),
    path("sales/new/", views.SaleCreateView.as_view(), name="sale"),
    path("sales/review/", views.SaleReviewView.as_view(), name="review"),
    path("lobby/", views.LobbyView.as_view(), name="lobby"),
    path("suitability/", views.SuitabilityReportView.as_view(), name="suitability"),
    path("consent/<path:customer_no>/", views.ConsentView.as_view(), name="consent"),
    path("<str:code>/", views.CampaignDetailView.as_view(), name="detail"),
]
