"""Customer API shapes (spec/api.md): personal data always leaves masked; reveal is its own call."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bankcrm.core.api.fields import BlankAsNullCharField, NullableChoiceField
from bankcrm.customer360 import snapshot_flags
from bankcrm.customers.choices import Gender, KycChannel
from bankcrm.customers.masking import mask_id_number, mask_phone
from bankcrm.customers.models import Customer
from bankcrm.customers.services import REVEALABLE_FIELDS


class CustomerListSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    branch_code = serializers.CharField(source="branch_id", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    rm_staff_no = serializers.CharField(source="rm_id", read_only=True, allow_null=True)
    rm_name = serializers.CharField(source="rm.name", read_only=True, allow_null=True, default=None)
    tier = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "customer_no",
            "name",
            "id_type",
            "id_number",
            "phone",
            "branch_code",
            "branch_name",
            "rm_staff_no",
            "rm_name",
            "status",
            "tier",
        ]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tier(self, obj):
        return getattr(obj, "latest_tier", None)


class AccountSerializer(serializers.Serializer):
    account_no = serializers.CharField()
    product_code = serializers.CharField()
    product_name = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    open_date = serializers.DateField()
    maturity_date = serializers.DateField(allow_null=True)
    close_date = serializers.DateField(allow_null=True)
    is_aum = serializers.BooleanField()
    balance = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class SnapshotSerializer(serializers.Serializer):
    month = serializers.CharField()
    as_of = serializers.DateField()
    tier = serializers.CharField()
    prev_tier = BlankAsNullCharField()  # null: no previous month (a new customer)
    migration = serializers.CharField()
    aum_avg = serializers.DecimalField(max_digits=18, decimal_places=2)
    aum_end = serializers.DecimalField(max_digits=18, decimal_places=2)
    deposit_avg = serializers.DecimalField(max_digits=18, decimal_places=2)
    loan_end = serializers.DecimalField(max_digits=18, decimal_places=2)
    categories_held = serializers.IntegerField()
    flags = serializers.SerializerMethodField()

    def get_flags(self, obj) -> list[str]:
        return snapshot_flags(obj)


class MonthPointSerializer(serializers.Serializer):
    month = serializers.CharField()
    tier = serializers.CharField()
    migration = serializers.CharField()
    aum_avg = serializers.DecimalField(max_digits=18, decimal_places=2)


class KycSerializer(serializers.Serializer):
    assessed_date = serializers.DateField()
    expires_date = serializers.DateField()
    risk_level = serializers.CharField()
    channel = NullableChoiceField(choices=KycChannel.choices)  # null: not recorded


class ListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    as_of = serializers.DateField()
    rank = serializers.IntegerField()
    assignee = serializers.CharField()
    status = serializers.CharField()
    detail = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contacted_at = serializers.DateTimeField()
    channel = serializers.CharField()
    outcome = serializers.CharField()
    staff_no = serializers.CharField()
    user_name = serializers.CharField()
    note = serializers.CharField()
    confidential = serializers.BooleanField()
    next_follow_up = serializers.DateField(allow_null=True)
    # a collection contact's promise to pay / partial payment (null on every other contact)
    promised_date = serializers.DateField(allow_null=True)
    promised_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    paid_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class ComplaintSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)


class Customer360Serializer(serializers.Serializer):
    """The customer 360 (spec/api.md). Built from ``overview.Customer360``."""

    customer_no = serializers.CharField(source="customer.customer_no")
    name = serializers.CharField(source="customer.name")
    id_type = serializers.CharField(source="customer.id_type")
    id_number = serializers.CharField(source="id_number_masked")
    phone = serializers.CharField(source="phone_masked")
    gender = NullableChoiceField(choices=Gender.choices, source="customer.gender")  # null: not recorded
    age = serializers.IntegerField(
        allow_null=True, help_text=_("Completed years today; the birth date is a logged reveal (reveal/).")
    )
    status = serializers.CharField(source="customer.status")
    onboard_date = serializers.DateField(source="customer.onboard_date")
    marketing_consent = serializers.BooleanField(source="customer.marketing_consent", allow_null=True)
    branch_code = serializers.CharField(source="customer.branch_id")
    branch_name = serializers.CharField(source="customer.branch.name")
    rm_staff_no = serializers.CharField(source="customer.rm_id", allow_null=True)
    rm_name = serializers.SerializerMethodField()
    balance_date = serializers.DateField(allow_null=True)
    total_aum = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    accounts = AccountSerializer(many=True)
    snapshot = SnapshotSerializer(allow_null=True)
    aum_by_month = MonthPointSerializer(source="months", many=True)
    kyc = KycSerializer(allow_null=True)
    list_items = ListItemSerializer(many=True)
    contacts = ContactSerializer(many=True)
    complaints = ComplaintSummarySerializer(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rm_name(self, obj):
        return obj.customer.rm.name if obj.customer.rm else None


class CustomerSearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=60)
    branch = serializers.CharField(required=False, allow_blank=True, max_length=20)
    tier = serializers.CharField(required=False, allow_blank=True, max_length=20)
    rm = serializers.CharField(required=False, allow_blank=True, max_length=20)


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(
        min_length=2, max_length=200, help_text=_("Why the full value is needed (kept in the access log).")
    )
    fields = serializers.MultipleChoiceField(choices=REVEALABLE_FIELDS, default=["id_number", "phone"])


class RevealedSerializer(serializers.Serializer):
    customer_no = serializers.CharField()
    id_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False)
