"""Serializers of the reports API: the columns of spec/indicators.md's exports, the same text."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bankcrm.reports.choices import RedLineCode
from bankcrm.reports.exports import coefficient_text, text
from bankcrm.reports.models import RedLine


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": True})
class FigureField(serializers.Field):
    """Money as a 2-decimal string (never a float), counts as integers, null where the spec says empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None or isinstance(value, int):
            return value
        return text(value)

    def get_attribute(self, instance):
        return getattr(instance, self.source_attrs[0])


class IndicatorRowSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    period = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    unit = serializers.CharField()
    indicator = serializers.CharField()
    value = FigureField()
    prev_value = FigureField()
    change_ytd = FigureField()


class TargetResultSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    period = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    unit = serializers.CharField()
    indicator = serializers.CharField()
    basis = serializers.CharField()
    target = FigureField()
    actual = FigureField()
    completion_pct = FigureField()
    time_progress_pct = FigureField()
    gap_pct = FigureField()
    status = serializers.CharField()
    warning = serializers.CharField()


class ContributionSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    weight = FigureField()
    cap_pct = FigureField()
    target = FigureField()
    actual = FigureField()
    completion_pct = FigureField()
    capped_pct = FigureField()
    points = FigureField()


class ScorecardSerializer(serializers.Serializer):
    period = serializers.CharField()
    as_of = serializers.DateField()
    unit = serializers.CharField()
    score = FigureField()
    coefficient = serializers.SerializerMethodField()
    red_line = serializers.SerializerMethodField()
    bonus_base = FigureField()
    bonus = FigureField()
    contributions = ContributionSerializer(many=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_coefficient(self, card) -> str:
        return coefficient_text(card.coefficient)

    @extend_schema_field(OpenApiTypes.STR)
    def get_red_line(self, card) -> str:
        return "Y" if card.red_line else "N"


class RedLineSerializer(serializers.ModelSerializer):
    staff_no = serializers.CharField(source="staff_id")
    code = serializers.ChoiceField(choices=RedLineCode.choices)

    class Meta:
        model = RedLine
        fields = ["id", "staff_no", "code", "date", "note", "recorded_by", "created"]
        read_only_fields = ["id", "recorded_by", "created"]
