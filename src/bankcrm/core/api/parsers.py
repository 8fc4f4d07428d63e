"""The API's one parser: JSON, refusing text with NUL characters anywhere in the body.

PostgreSQL cannot store a NUL in a text column; a NUL inside a JSON field (a list of product codes,
an audience rule) reached the database and was a 500 there (schemathesis on PostgreSQL). DRF's
CharField refuses NUL, fields holding JSON did not. One check at the door covers every field,
including the ones added later; it is a 400 with the usual shape.
"""

from django.utils.translation import gettext
from rest_framework import exceptions, parsers


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise exceptions.ParseError(gettext("the body contains a NUL character (\\u0000), which text may not hold"))
        return data
