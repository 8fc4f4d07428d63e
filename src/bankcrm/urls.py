from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# The split view serves its start-up script as a file: CSP forbids inline scripts.
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bankcrm.core import views as core_views

DOMAIN_APPS = ("org", "ingest", "analytics", "campaigns", "complaints", "reports", "compliance")

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("", include("bankcrm.core.urls")),  # the user's own inbox (/notifications/)
]
# Customer search and the 360 compose several apps: they live in the project package (docs/architecture.md).
urlpatterns += [
    path("api/", include("bankcrm.api.urls")),
    path("customers/", include("bankcrm.views.customer_urls")),
]
for app in DOMAIN_APPS:
    urlpatterns.append(path("api/", include(f"bankcrm.{app}.api.urls")))
    urlpatterns.append(path(f"{app}/", include(f"bankcrm.{app}.urls")))

admin.site.site_header = "bankcrm"
admin.site.site_title = "bankcrm"

# JSON below /api/, Django's pages elsewhere; a body over the size limit is a 413 (core/views.py).
handler400 = "bankcrm.core.views.bad_request"
handler403 = "bankcrm.core.views.permission_denied"
handler404 = "bankcrm.core.views.page_not_found"
handler500 = "bankcrm.core.views.server_error"
