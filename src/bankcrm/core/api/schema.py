"""The OpenAPI schema documents the errors the server really sends (spec/api.md, issue 8.17).

Every operation lists 400, 401, 403 and 404 with the bodies of core/api/exceptions.py; writes add
413 (body over DATA_UPLOAD_MAX_MEMORY_SIZE) and 415 (not JSON); state changes add 409.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
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
}
WRITE_ERRORS = {
    "413": (ErrorSerializer, _("request body too large")),
    "415": (ErrorSerializer, _("the body is not JSON")),
}
STATE_CHANGE_ERRORS = {"409": (ErrorSerializer, _("the action is not allowed in the current state"))}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(WRITE_ERRORS)
        if self.method == "POST" and self.path.rstrip("/").endswith("/transition"):
            errors.update(STATE_CHANGE_ERRORS)
        for code, (serializer, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(serializer(), code, direction=direction)
                response["description"] = str(description)
                responses[code] = response
        return responses
