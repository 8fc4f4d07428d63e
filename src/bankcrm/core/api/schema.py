"""The OpenAPI schema documents the errors the server really sends (spec/api.md, issue 8.17).

Every operation lists 400, 401, 403, 404 and 429 (throttled, with Retry-After) with the bodies of
core/api/exceptions.py; writes add 413 (body over DATA_UPLOAD_MAX_MEMORY_SIZE) and 415 (not JSON);
state changes add 409. Every POST documents the optional ``Idempotency-Key`` header and its 422
(the key was used with another body; core/idempotency.py). Only the ``/api/v1/`` paths are in the
schema: the unversioned ``/api/`` aliases are kept for one release and not advertised.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="what went wrong, in the request's language")

    class Meta:
        ref_name = "Error"


class ValidationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="each field with its first problem")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="field (nested fields dotted: fields.0) -> messages; non_field_errors for the whole body",
    )

    class Meta:
        ref_name = "ValidationError"


ERRORS = {
    "400": (ValidationErrorSerializer, _("bad input")),
    "401": (ErrorSerializer, _("not authenticated")),
    "403": (ErrorSerializer, _("not permitted")),
    "404": (ErrorSerializer, _("not found, or not in your scope")),
    "429": (ErrorSerializer, _("too many requests: wait the seconds in Retry-After")),
}
WRITE_ERRORS = {
    "413": (ErrorSerializer, _("request body too large")),
    "415": (ErrorSerializer, _("the body is not JSON")),
}
IDEMPOTENCY_ERRORS = {
    "409": (ErrorSerializer, _("a request with this Idempotency-Key is still being processed")),
    "422": (ErrorSerializer, _("this Idempotency-Key was used with another request body")),
}
STATE_CHANGE_ERRORS = {"409": (ErrorSerializer, _("the action is not allowed in the current state"))}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique text up to 255 characters (a UUID). Sent again with the same body within 24 hours, "
        "the first response is returned and nothing is created twice; with another body: 422."
    ),
)


def only_versioned_paths(endpoints):
    """drf-spectacular preprocessing hook: advertise /api/v1/…, not the unversioned aliases."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_KEY)
        if self.method == "GET":
            # A parameter a view reads itself (core/api/filters.py KnownQueryParameters) is documented too.
            declared = {getattr(p, "name", None) for p in parameters}
            for name in getattr(self.view, "extra_query_params", ()):
                if name not in declared:
                    parameters.append(OpenApiParameter(name, OpenApiTypes.STR, location=OpenApiParameter.QUERY))
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(WRITE_ERRORS)
        if self.method == "POST":
            errors.update(IDEMPOTENCY_ERRORS)
        if self.method == "POST" and self.path.rstrip("/").endswith("/transition"):
            errors.update(STATE_CHANGE_ERRORS)
        for code, (serializer, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(serializer(), code, direction=direction)
                response["description"] = str(description)
                responses[code] = response
        return responses
