from rest_framework.routers import DefaultRouter

from bankcrm.core.api.webhooks import WebhookDeliveryViewSet, WebhookSubscriptionViewSet

from .customers import CustomerViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("customers", CustomerViewSet, basename="customer")
router.register("webhooks/subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
urlpatterns = router.urls
