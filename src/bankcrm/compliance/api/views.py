"""``GET /api/access-log/``: compliance and admins only (the view permission on AccessLog; others 403)."""

from bankcrm.compliance.filtersets import AccessLogFilterSet
from bankcrm.core.api.views import RestrictedReadOnlyViewSet
from bankcrm.core.models import AccessLog

from .serializers import AccessLogSerializer


class AccessLogViewSet(RestrictedReadOnlyViewSet):
    queryset = AccessLog.objects.all()
    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilterSet
