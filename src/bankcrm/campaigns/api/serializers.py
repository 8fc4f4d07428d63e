from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bankcrm.core.forms import find_in_scope

from .. import services
from ..choices import CampaignChannel, SaleChannel
from ..models import Campaign, CampaignEvent, RecordedSale, SaleEvent


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{services.half_up(value):f}"


class CampaignEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user_name")

    class Meta:
        model = CampaignEvent
        fields = ["time", "user", "action", "from_status", "to_status", "data"]


class CampaignCreateSerializer(serializers.Serializer):
    """The JSON object of ``bankcrm campaign create`` (spec/campaigns.md); checked by services.create_campaign."""

    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    products = serializers.ListField(child=serializers.CharField())
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    response_days = serializers.IntegerField(default=30)
    channel = serializers.ChoiceField(choices=CampaignChannel.choices)
    control_pct = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"))
    audience = serializers.DictField()
    max_campaigns_30d = serializers.IntegerField(default=2)


class CampaignSerializer(serializers.ModelSerializer):
    products = serializers.SerializerMethodField()
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approver = serializers.SlugRelatedField(slug_field="username", read_only=True)
    control_pct = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "code", "name", "products", "start_date", "end_date", "response_days", "channel", "control_pct",
            "audience", "max_campaigns_30d", "status", "author", "approver", "approved_at", "started_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_products(self, obj) -> list[str]:
        return sorted(p.code for p in obj.products.all())

    def get_control_pct(self, obj) -> str:
        return money(obj.control_pct)


def group_payload(figures: dict) -> dict:
    return {
        "members": figures["members"],
        "responders": figures["responders"],
        "response_rate_pct": money(figures["response_rate_pct"]),
        "sales_amount": money(figures["sales_amount"]),
        "fee_income": money(figures["fee_income"]),
    }


def campaign_figures(campaign: Campaign) -> dict:
    """Before start: the live preview (audience, excluded by reason, groups); after: the results."""
    if campaign.status in ("draft", "approved"):
        ev = services.evaluate(campaign)
        controls = ev.count("control")
        return {
            "preview": {
                "audience": ev.audience,
                "excluded": ev.excluded_by_reason(),
                "target": ev.count("target"),
                "control": controls,
                "warnings": services.small_control_warning(controls),
            }
        }
    r = services.results(campaign)
    return {
        "results": {
            "groups": {g: group_payload(f) for g, f in r["groups"].items()},
            "uplift_pp": money(r["uplift_pp"]),
            "incremental_fee": money(r["incremental_fee"]),
            "contacted": r["contacted"],
            "branches": {
                b: {
                    "groups": {g: group_payload(f) for g, f in v["groups"].items()},
                    "uplift_pp": money(v["uplift_pp"]),
                    "incremental_fee": money(v["incremental_fee"]),
                }
                for b, v in r["branches"].items()
            },
        }
    }


class CampaignDetailSerializer(CampaignSerializer):
    events = CampaignEventSerializer(many=True, read_only=True)
    figures = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "events", "figures"]
        read_only_fields = fields

    def get_figures(self, obj) -> dict:
        return campaign_figures(obj)


class CampaignTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "start", "close"])


class SaleCreateSerializer(serializers.Serializer):
    customer_no = serializers.CharField(max_length=30)
    product_code = serializers.CharField(max_length=30)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    channel = serializers.ChoiceField(choices=SaleChannel.choices)
    sale_date = serializers.DateField(required=False)
    recording_ref = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    warning_confirmed = serializers.BooleanField(required=False, default=False)
    fee_income = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)

    def validate_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("the amount must be more than 0"))
        return value

    def validate_fee_income(self, value):
        if value is not None and value < 0:
            raise serializers.ValidationError(_("cannot be negative"))
        return value

    def validate_sale_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("the sale date %(day)s is in the future") % {"day": value})
        return value

    def validate(self, attrs):
        from bankcrm.customers.models import Customer, Product

        user = self.context["request"].user
        errors = {}
        # Out of scope is unknown: never a hint that the customer exists elsewhere.
        customer = find_in_scope(Customer, user, attrs["customer_no"])
        if customer is None:
            errors["customer_no"] = _("unknown customer %(no)s") % {"no": attrs["customer_no"]}
        elif customer.status != "active":
            errors["customer_no"] = _("customer %(no)s is closed") % {"no": attrs["customer_no"]}
        product = Product.objects.filter(pk=attrs["product_code"]).first()
        if product is None:
            errors["product_code"] = _("unknown product %(code)s") % {"code": attrs["product_code"]}
        if errors:
            raise serializers.ValidationError(errors)
        attrs["customer"], attrs["product"] = customer, product
        del attrs["customer_no"], attrs["product_code"]
        attrs.setdefault("sale_date", timezone.localdate())
        return attrs


class SaleEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user_name")

    class Meta:
        model = SaleEvent
        fields = ["time", "user", "action", "from_status", "to_status", "note"]


class SaleSerializer(serializers.ModelSerializer):
    customer_no = serializers.CharField(source="customer_id")
    product_code = serializers.CharField(source="product_id")
    amount = serializers.SerializerMethodField()
    fee_income = serializers.SerializerMethodField()
    seller = serializers.CharField(source="seller_name")
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    events = SaleEventSerializer(many=True, read_only=True)

    class Meta:
        model = RecordedSale
        fields = [
            "sale_id", "status", "customer_no", "product_code", "amount", "fee_income", "channel", "sale_date",
            "recorded_at", "recording_ref", "warning_confirmed", "exception", "cooling_off_until", "seller",
            "reviewed_by", "reviewed_at", "cancelled_at", "events",
        ]  # fmt: skip
        read_only_fields = fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.context.get("events") is False:  # the 201 of a new sale: its history is one "record"
            self.fields.pop("events")

    def get_amount(self, obj) -> str:
        return money(obj.amount)

    def get_fee_income(self, obj) -> str:
        return money(obj.fee_income)


class SaleTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject", "cancel"])
    note = serializers.CharField(required=False, allow_blank=True, default="")
