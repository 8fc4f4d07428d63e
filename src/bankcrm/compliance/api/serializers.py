from rest_framework import serializers

from bankcrm.compliance.models import (
    AccessAlert,
    Citation,
    Finding,
    FindingEscalation,
    IndicatorAlert,
    InspectionPlan,
    Regulation,
    RiskIndicator,
    SampleItem,
    ScreeningCase,
)
from bankcrm.core.models import AccessLog


class AccessLogSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user_name", read_only=True)
    # the login's staff member and branch today (compliance.access.with_staff); empty for a login without one
    staff_name = serializers.CharField(read_only=True, default="", allow_null=True)
    branch = serializers.CharField(source="branch_name", read_only=True, default="", allow_null=True)

    class Meta:
        model = AccessLog
        fields = [
            "id", "time", "user", "action", "customer_no", "fields", "reason", "path", "remote_addr", "detail",
            "staff_name", "branch",
        ]  # fmt: skip
        read_only_fields = fields


class AccessAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessAlert
        fields = [
            "id", "kind", "user_name", "day", "count", "threshold", "first_time", "last_time",
            "acknowledged_at", "acknowledged_by", "note",
        ]  # fmt: skip
        read_only_fields = fields


class RiskIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskIndicator
        fields = ["code", "name", "direction", "limit", "warning", "source", "computed"]
        read_only_fields = ["computed"]


class IndicatorAlertSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="value.period", read_only=True)
    code = serializers.CharField(source="value.indicator_id", read_only=True)
    value = serializers.DecimalField(source="value.value", max_digits=12, decimal_places=4, read_only=True)
    unit = serializers.CharField(source="value.unit", read_only=True)  # bank, or branch:<code> (deposit deviation)

    class Meta:
        model = IndicatorAlert
        fields = [
            "id", "period", "code", "unit", "value", "status", "created", "acknowledged_at", "acknowledged_by", "note",
        ]  # fmt: skip
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class CaseMoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=["explained", "escalated", "closed"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class InspectionPlanSerializer(serializers.ModelSerializer):
    sampled = serializers.IntegerField(source="items.count", read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["code", "population", "period", "rate_pct", "full_above", "drawn_at", "population_count", "sampled"]
        read_only_fields = fields


class SampleItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SampleItem
        fields = ["key", "amount", "reason", "digest"]
        read_only_fields = fields


class CitationSerializer(serializers.ModelSerializer):
    """A cited regulation as it was at the version cited (title and doc_no of that version)."""

    reg_id = serializers.CharField(source="regulation_id", read_only=True)
    title = serializers.SerializerMethodField()
    doc_no = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["id", "reg_id", "version", "title", "doc_no", "cited_by", "created"]
        read_only_fields = fields

    def get_title(self, obj) -> str:
        return obj.as_cited()["title"]

    def get_doc_no(self, obj) -> str:
        return obj.as_cited()["doc_no"]


class CiteSerializer(serializers.Serializer):
    reg_id = serializers.CharField(max_length=60)


class ScreeningCaseSerializer(serializers.ModelSerializer):
    staff_no = serializers.CharField(source="staff_id", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = ScreeningCase
        fields = ["id", "quarter", "staff_no", "rule", "detail", "status", "notes", "created", "citations"]
        read_only_fields = fields


class FindingEscalationSerializer(serializers.ModelSerializer):
    finding = serializers.IntegerField(source="finding_id", read_only=True)
    branch = serializers.CharField(source="branch_id", read_only=True)
    code = serializers.CharField(source="finding.code_id", read_only=True)
    description = serializers.SerializerMethodField()
    responsible = serializers.CharField(source="finding.responsible_id", read_only=True)
    due_date = serializers.DateField(source="finding.due_date", read_only=True)

    def get_description(self, obj) -> str:
        # The inspector's text may name customers: the desk's (spec/compliance.md: compliance only).
        # A branch head acts on the catalogue's name of the code, the responsible and the due date.
        request = self.context.get("request")
        if request is not None and request.user.has_perm("compliance.view_finding"):
            return obj.finding.description
        return obj.finding.code.name

    class Meta:
        model = FindingEscalation
        fields = [
            "id", "finding", "branch", "code", "description", "responsible", "due_date", "escalated_on",
            "acknowledged_at", "acknowledged_by",
        ]  # fmt: skip
        read_only_fields = fields


class RegulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Regulation
        fields = [
            "reg_id", "kind", "title", "issuer", "doc_no", "issued_date", "effective_date", "status", "text", "version",
        ]  # fmt: skip
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="item.plan_id", read_only=True)
    key = serializers.CharField(source="item.key", read_only=True)
    code = serializers.CharField(source="code_id", read_only=True)
    responsible = serializers.CharField(source="responsible_id", read_only=True)
    overdue = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id", "plan", "key", "code", "severity", "description", "responsible", "due_date", "status", "inspector",
            "rectified_at", "rectified_by", "verified_at", "verified_by", "notes", "overdue", "citations",
        ]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        """Open past its due date (on the due date itself not yet)."""
        from django.utils import timezone

        return obj.is_overdue(timezone.localdate())


class FindingCreateSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=40)
    key = serializers.CharField(max_length=40)
    code = serializers.CharField(max_length=40)
    severity = serializers.CharField(max_length=10)
    description = serializers.CharField(max_length=4000)
    responsible = serializers.CharField(max_length=20)
    due_date = serializers.DateField()


class FindingMoveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["rectify", "verify", "reopen"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
