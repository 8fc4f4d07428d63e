from rest_framework.routers import DefaultRouter

from .views import CampaignViewSet, SaleViewSet

router = DefaultRouter(trailing_slash=True)
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("sales", SaleViewSet, basename="sale")
urlpatterns = router.urls
