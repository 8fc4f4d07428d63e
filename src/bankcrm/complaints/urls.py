from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.register, name="register"),
    path("reports/", views.report, name="report"),
    path("reports/monthly-return/", views.monthly_return, name="monthly_return"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/transition/", views.transition, name="transition"),
    path("<str:reference>/assign/", views.assign, name="assign"),
    path("<str:reference>/edit/", views.edit, name="edit"),
    path("<str:reference>/letter/<int:template_id>/", views.letter, name="letter"),
    path("<str:reference>/attachments/", views.attach, name="attach"),
    path("<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
