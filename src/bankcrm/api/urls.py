from rest_framework.routers import DefaultRouter

from .customers import CustomerViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("customers", CustomerViewSet, basename="customer")
urlpatterns = router.urls
