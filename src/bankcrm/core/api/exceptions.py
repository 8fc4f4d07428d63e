import logging

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bankcrm.core.exceptions import TransitionNotAllowed

logger = logging.getLogger("django.request")


def exception_handler(exc, context):
    """DRF's handler plus the domain errors of spec/api.md: 409 for refused state changes."""
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is None and not settings.DEBUG:
        # An API client gets JSON even for a bug (spec/api.md: errors are {"detail": …});
        # the traceback goes to the log, never to the client.
        request = context.get("request")
        logger.error("Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc)
        return Response({"detail": "Server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return response
