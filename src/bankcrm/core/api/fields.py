"""Serializer fields shared by the apps' APIs."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class NullableChoiceField(serializers.ChoiceField):
    """A coded value that may be absent: ``null`` in the JSON and ``enum + null`` in the schema.

    The models keep "" for "no value" (Django's convention for CharField); an empty string is not
    one of the enum's values, so a client generated from the schema would refuse the response
    (issue 8.17). On input "" is still taken, as null, for clients written before.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs["allow_blank"] = True
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if data == "":
            return None
        return super().to_internal_value(data)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class NullableChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NullableChoiceField

    def map_serializer_field(self, auto_schema, direction):
        # The same enum as a plain choice field, plus null; the blank value is not advertised.
        plain = serializers.ChoiceField(choices=list(self.target.choices.items()), allow_null=True)
        plain.field_name = self.target.field_name
        plain.parent = self.target.parent
        return auto_schema._map_serializer_field(plain, direction)


class BlankAsNullCharField(serializers.CharField):
    """A code whose choice set lives in a higher layer (e.g. the previous tier): "" leaves as null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)
