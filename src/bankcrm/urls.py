from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bankcrm.core import views as core_views
from bankcrm.views import operations as project_views

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
    path("api/schema/", core_views.ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", core_views.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("readyz/", project_views.readyz, name="readyz"),
    path("metrics", project_views.prometheus_metrics, name="prometheus-metrics"),
    path("", include("bankcrm.core.urls")),  # the user's own inbox (/notifications/)
]
# Customer search and the 360 compose several apps: they live in the project package (docs/architecture.md).
api_patterns = [path("", include("bankcrm.api.urls"))]
api_patterns += [path("", include(f"bankcrm.{app}.api.urls")) for app in DOMAIN_APPS]
# The API's version is in the path (issue 15.5). The unversioned /api/… paths stay as aliases for
# one release (answered with a Deprecation header, core/middleware.py); the v1 patterns come last
# so that reverse() of an API name gives the /api/v1/ path.
urlpatterns += [path("api/", include(api_patterns)), path("api/v1/", include(api_patterns))]
urlpatterns.append(path("customers/", include("bankcrm.views.customer_urls")))
urlpatterns += [path(f"{app}/", include(f"bankcrm.{app}.urls")) for app in DOMAIN_APPS]

admin.site.site_header = "bankcrm"
admin.site.site_title = "bankcrm"

# JSON below /api/, Django's pages elsewhere; a body over the size limit is a 413 (core/views.py).
handler400 = "bankcrm.core.views.bad_request"
handler403 = "bankcrm.core.views.permission_denied"
handler404 = "bankcrm.core.views.page_not_found"
handler500 = "bankcrm.core.views.server_error"
