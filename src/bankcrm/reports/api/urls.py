from rest_framework.routers import DefaultRouter

from .views import IndicatorViewSet, RedLineViewSet, ScorecardViewSet, TargetViewSet

router = DefaultRouter(trailing_slash=True)
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("targets", TargetViewSet, basename="target")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("red-lines", RedLineViewSet, basename="redline")
urlpatterns = router.urls
