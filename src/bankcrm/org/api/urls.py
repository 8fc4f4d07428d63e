from rest_framework.routers import DefaultRouter

from .views import BranchViewSet, StaffViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("branches", BranchViewSet, basename="branch")
router.register("staff", StaffViewSet, basename="staff")
urlpatterns = router.urls
