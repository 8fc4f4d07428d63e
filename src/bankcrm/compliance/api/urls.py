from rest_framework.routers import DefaultRouter

from .views import (
    AccessAlertViewSet,
    AccessLogViewSet,
    FindingEscalationViewSet,
    FindingViewSet,
    IndicatorAlertViewSet,
    InspectionPlanViewSet,
    RegulationViewSet,
    RiskIndicatorViewSet,
    ScreeningCaseViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("access-log", AccessLogViewSet, basename="accesslog")
router.register("access-alerts", AccessAlertViewSet, basename="accessalert")
router.register("risk-indicators", RiskIndicatorViewSet, basename="riskindicator")
router.register("indicator-alerts", IndicatorAlertViewSet, basename="indicatoralert")
router.register("inspection-plans", InspectionPlanViewSet, basename="inspectionplan")
router.register("screening-cases", ScreeningCaseViewSet, basename="screeningcase")
router.register("findings", FindingViewSet, basename="finding")
router.register("finding-escalations", FindingEscalationViewSet, basename="findingescalation")
router.register("regulations", RegulationViewSet, basename="regulation")
urlpatterns = router.urls
