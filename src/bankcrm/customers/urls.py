from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("<str:customer_no>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<str:customer_no>/aum-daily/", views.CustomerAumDailyView.as_view(), name="aum_daily"),
    path("<str:customer_no>/reveal/", views.CustomerRevealView.as_view(), name="reveal"),
    path("<str:customer_no>/contacts/", views.CustomerContactView.as_view(), name="contact"),
    path("<str:customer_no>/reassign/", views.CustomerReassignView.as_view(), name="reassign"),
]
