from django.urls import path

from . import customers as views

app_name = "customers"
# ``path:`` so every customer number the store holds has a URL, even one with a '/' imported before
# the import refused such keys (bad_code, docs/security.md); the specific routes come first.
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("bulk-assign/", views.CustomerBulkAssignView.as_view(), name="bulk_assign"),
    path("<path:customer_no>/aum-daily/", views.CustomerAumDailyView.as_view(), name="aum_daily"),
    path("<path:customer_no>/reveal/", views.CustomerRevealView.as_view(), name="reveal"),
    path("<path:customer_no>/contacts/", views.CustomerContactView.as_view(), name="contact"),
    path("<path:customer_no>/tags/", views.CustomerTagView.as_view(), name="tags"),
    path("<path:customer_no>/kyc/", views.CustomerKycView.as_view(), name="kyc"),
    path("<path:customer_no>/reassign/", views.CustomerReassignView.as_view(), name="reassign"),
    path("<path:customer_no>/", views.CustomerDetailView.as_view(), name="detail"),
]
