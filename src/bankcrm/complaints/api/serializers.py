from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bankcrm.core.api.fields import NullableChoiceField
from bankcrm.core.forms import find_in_scope
from bankcrm.customers.models import Customer, Product
from bankcrm.org.models import Branch, Staff

from .. import services
from ..choices import TRANSITION_ACTIONS, Category, Channel, Policy, RootCause, Satisfaction, Severity, Status
from ..models import Complaint, ComplaintEvent, Deadline


class DeadlineSerializer(serializers.ModelSerializer):
    due = serializers.DateField(source="due_date")
    state = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ["clock", "due", "due_at", "state", "binding", "met_at"]

    def get_state(self, obj) -> str:
        return obj.live_state()


class EventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user_name")
    # The registration has no "from" status: null, not "" (which is not a status).
    from_status = NullableChoiceField(choices=Status.choices, read_only=True)
    to_status = NullableChoiceField(choices=Status.choices, read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["time", "user", "action", "from_status", "to_status", "note", "data"]


class ComplaintSerializer(serializers.ModelSerializer):
    customer_no = serializers.CharField(source="customer_id", allow_null=True)
    branch_code = serializers.CharField(source="branch_id")
    product_code = serializers.CharField(source="product_id", allow_null=True)
    staff_no = serializers.CharField(source="staff_involved_id", allow_null=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    satisfaction = NullableChoiceField(choices=Satisfaction.choices, read_only=True)  # null: no answer (yet)

    class Meta:
        model = Complaint
        fields = [
            "reference", "status", "tier", "policy", "payment_service", "received_at", "customer_no",
            "branch_code", "channel", "category", "product_code", "staff_no", "amount_in_dispute", "severity",
            "vulnerable", "description", "assignee", "extensions", "escalations", "reopens", "holding_reply_at",
            "responded_at", "closed_at", "summary_resolution", "root_cause", "remedy", "compensation",
            "satisfaction", "deadlines", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        return services.allowed_actions(obj.status)


class ComplaintDetailSerializer(ComplaintSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its UTC offset: a naive time would be guessed in the wrong time zone."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            from django.utils.dateparse import parse_datetime

            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                raise serializers.ValidationError(
                    _("give the time with its UTC offset, e.g. 2026-09-23T10:30:00+08:00")
                )
        return super().to_internal_value(value)


class ComplaintCreateSerializer(serializers.Serializer):
    customer_no = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    policy = serializers.ChoiceField(choices=Policy.choices, default=Policy.CN)
    payment_service = serializers.BooleanField(default=False)
    received_at = AwareDateTimeField(required=False, allow_null=True)
    branch_code = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField()
    product_code = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    staff_no = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    amount_in_dispute = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.LOW)
    vulnerable = serializers.BooleanField(default=False)

    def validate_received_at(self, value):
        if value is not None and (message := services.receipt_time_error(value, timezone.now())):
            raise serializers.ValidationError(message)
        return value

    def validate(self, attrs):
        user = self.context["request"].user
        errors = {}
        customer = None
        if customer_no := (attrs.get("customer_no") or "").strip():
            customer = find_in_scope(Customer, user, customer_no)
            if customer is None:
                errors["customer_no"] = _("no customer %(no)s in your scope") % {"no": customer_no}
        attrs["customer"] = customer
        branch_code = (attrs.get("branch_code") or "").strip()
        if not branch_code:
            profile = getattr(user, "profile", None)
            branch_code = customer.branch_id if customer else getattr(profile, "branch_id", None) or ""
        branch = Branch.objects.filter(pk=branch_code).first() if branch_code else None
        if branch is None:
            errors["branch_code"] = (
                _("unknown branch %(code)s") % {"code": branch_code} if branch_code else _("branch_code is required")
            )
        attrs["branch"] = branch
        attrs["product"] = None
        if code := (attrs.get("product_code") or "").strip():
            attrs["product"] = Product.objects.filter(pk=code).first()
            if attrs["product"] is None:
                errors["product_code"] = _("unknown product %(code)s") % {"code": code}
        attrs["staff_involved"] = None
        if staff_no := (attrs.get("staff_no") or "").strip():
            attrs["staff_involved"] = Staff.objects.filter(pk=staff_no).first()
            if attrs["staff_involved"] is None:
                errors["staff_no"] = _("unknown staff member %(no)s") % {"no": staff_no}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        with transaction.atomic():
            complaint = services.register_complaint(
                user=user,
                branch=validated_data["branch"],
                channel=validated_data["channel"],
                category=validated_data["category"],
                description=validated_data["description"],
                policy=validated_data["policy"],
                payment_service=validated_data["payment_service"],
                received_at=validated_data.get("received_at"),
                customer=validated_data["customer"],
                product=validated_data["product"],
                staff_involved=validated_data["staff_involved"],
                amount_in_dispute=validated_data.get("amount_in_dispute"),
                severity=validated_data["severity"],
                vulnerable=validated_data["vulnerable"],
            )
        return complaint


def user_is_rm(user) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role == "rm"


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a.value, a.label) for a in TRANSITION_ACTIONS])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    root_cause = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="a code (" + ", ".join(RootCause.values) + ") or a short text",
    )
    satisfaction = NullableChoiceField(
        choices=Satisfaction.choices, required=False, default=None, help_text="null (or omitted): no answer"
    )
    remedy = serializers.CharField(required=False, allow_blank=True, default="")
    compensation = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, min_value=0, default=None
    )
    assignee = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=150, help_text="assign: a complaint handler's username"
    )

    def validate(self, attrs):
        # What an action needs (reason, root cause) is checked by the service *after* the state,
        # so an action not allowed now is a 409 whatever else the request lacks.
        attrs["satisfaction"] = attrs.get("satisfaction") or ""
        return attrs
