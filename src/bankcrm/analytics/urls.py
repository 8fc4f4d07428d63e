from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("queue/", views.WorkQueueView.as_view(), name="workqueue"),
    path("queue/<int:pk>/", views.ListItemView.as_view(), name="listitem"),
]
