from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("queue/", views.WorkQueueView.as_view(), name="workqueue"),
    path("queue/<int:pk>/", views.ListItemView.as_view(), name="listitem"),
]
