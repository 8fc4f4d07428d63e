from rest_framework.routers import DefaultRouter

from .views import AccessLogViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("access-log", AccessLogViewSet, basename="accesslog")
urlpatterns = router.urls
