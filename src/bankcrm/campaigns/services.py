"""Campaigns and recorded sales: the ONLY place they change (spec/campaigns.md).

Every state change goes through one ``transition`` per kind of record (after complaints/services.py):
lock the row, check the transition map against the *locked* state, save, write one typed event.
Two people pressing the same button at once are serialised by the lock; the second sees the new
state and is refused (409).

The work queue (lists, their items, contacts) is here too, below the campaigns: the same rules —
one function per change, the status map ``STATUS_MOVES``, one event per change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bankcrm.core.bulk import insert_many, update_many
from bankcrm.core.exceptions import TransitionNotAllowed
from bankcrm.customers.choices import ProductCategory
from bankcrm.customers.models import Customer, KycAssessment, Product
from bankcrm.org.models import Staff

from . import events, suitability
from .choices import (
    CampaignAction,
    CampaignChannel,
    CampaignStatus,
    CollectionOutcome,
    ExclusionReason,
    Group,
    ListItemStatus,
    ListKind,
    Refusal,
    SaleAction,
    SaleChannel,
    SaleStatus,
)
from .models import (
    Campaign,
    CampaignExclusion,
    CampaignMember,
    ContactLog,
    ListItem,
    RecordedSale,
    RefusedSale,
    Sale,
    SuitabilityFinding,
)

log = logging.getLogger("bankcrm.campaigns")

CENT = Decimal("0.01")
# Two-proportion sample size for +1 point on a 2 % base rate, 95 % confidence, 80 % power (spec).
MIN_CONTROL_MEMBERS = 3818
AUDIENCE_TIERS = ("mass", "vip", "wealth", "private")
AUDIENCE_FLAGS = ("edge", "downgraded", "dormant_potential", "maturing", "cross_sell_qualified", "kyc_expiring")
AUDIENCE_KEYS = ("as_of", "tiers", "flags", "branches", "min_aum_avg", "max_aum_avg", "not_holding")
# spec/metrics.md "holding": these categories are held only with a balance > 0 on the day.
BALANCE_CATEGORIES = (
    "deposit_demand",
    "deposit_time",
    "wealth",
    "fund",
    "insurance",
    "precious_metal",
    "trust",
    "loan",
)


def _analytics():
    """The snapshot model, and the work queue's items."""
    from bankcrm.customers.models import CustomerMonth

    return CustomerMonth, ListItem


def max_campaigns_30d() -> int:
    """The default contact cap of a new campaign (spec: 2; setting CAMPAIGN_MAX_CAMPAIGNS_30D)."""
    return int(getattr(settings, "CAMPAIGN_MAX_CAMPAIGNS_30D", 2))


def half_up(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the control group -------------------------------------------------------------------------


def control_hash(code: str, customer_no: str) -> int:
    """The first 8 hex digits of sha256("<code>:<customer_no>") as an integer (anyone can recompute it)."""
    return int(hashlib.sha256(f"{code}:{customer_no}".encode()).hexdigest()[:8], 16)


def group_for(code: str, customer_no: str, control_pct: Decimal) -> str:
    # control_pct × 100 is exact for a percentage with two decimals: compare integers, never floats.
    threshold = int((Decimal(control_pct) * 100).to_integral_value())
    return Group.CONTROL if control_hash(code, customer_no) % 10000 < threshold else Group.TARGET


# --- creating a campaign -----------------------------------------------------------------------


def _parse_date(value, name: str, errors: dict) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors[name] = _("not a date (YYYY-MM-DD): %(value)r") % {"value": value}
        return None


def _parse_money(value, name: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[name] = _("not an amount: %(value)r") % {"value": value}
        return None
    if not amount.is_finite():
        errors[name] = _("not an amount: %(value)r") % {"value": value}
        return None
    return amount


def clean_audience(raw, errors: dict) -> dict:
    """The audience rule as stored: known keys only, each checked, amounts as text with 2 decimals."""
    if not isinstance(raw, dict):
        errors["audience"] = _("the audience must be an object with as_of and the rule's keys")
        return {}
    unknown = sorted(set(raw) - set(AUDIENCE_KEYS))
    if unknown:
        errors["audience"] = _("unknown audience keys: %(keys)s; allowed: %(allowed)s") % {
            "keys": ", ".join(unknown),
            "allowed": ", ".join(AUDIENCE_KEYS),
        }
        return {}
    rule: dict = {}
    if "as_of" not in raw:
        errors["audience.as_of"] = _("the audience needs as_of: the snapshot date it is evaluated on")
    else:
        as_of = _parse_date(raw["as_of"], "audience.as_of", errors)
        if as_of:
            rule["as_of"] = as_of.isoformat()
    for key, allowed in (("tiers", AUDIENCE_TIERS), ("flags", AUDIENCE_FLAGS), ("not_holding", ProductCategory.values)):
        if key not in raw or raw[key] in (None, []):
            continue
        values = raw[key]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            errors[f"audience.{key}"] = _("a list of codes")
            continue
        bad = sorted(set(values) - set(allowed))
        if bad:
            errors[f"audience.{key}"] = _("unknown: %(bad)s; one of: %(allowed)s") % {
                "bad": ", ".join(bad),
                "allowed": ", ".join(allowed),
            }
            continue
        rule[key] = sorted(set(values))
    if raw.get("branches") not in (None, []):
        from bankcrm.org.models import Branch

        branches = raw["branches"]
        if not isinstance(branches, list) or not all(isinstance(v, str) for v in branches):
            errors["audience.branches"] = _("a list of branch codes")
        else:
            known = set(Branch.objects.filter(code__in=branches).values_list("code", flat=True))
            bad = sorted(set(branches) - known)
            if bad:
                errors["audience.branches"] = _("unknown branches: %(bad)s") % {"bad": ", ".join(bad)}
            else:
                rule["branches"] = sorted(set(branches))
    for key in ("min_aum_avg", "max_aum_avg"):
        amount = _parse_money(raw.get(key), f"audience.{key}", errors)
        if amount is not None:
            if amount < 0:
                errors[f"audience.{key}"] = _("cannot be negative")
            else:
                rule[key] = f"{half_up(amount):f}"
    if "min_aum_avg" in rule and "max_aum_avg" in rule and Decimal(rule["min_aum_avg"]) > Decimal(rule["max_aum_avg"]):
        errors["audience.max_aum_avg"] = _("max_aum_avg is below min_aum_avg")
    return rule


def _int_field(data: dict, name: str, default: int, errors: dict) -> int | None:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        errors[name] = _("a whole number")
        return None
    try:
        return int(value)
    except ValueError:
        errors[name] = _("a whole number")
        return None


@transaction.atomic
def create_campaign(data: dict, *, user) -> Campaign:
    """A draft campaign from the JSON object of spec/campaigns.md; every fault named, nothing stored."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ValidationError({"campaign": _("a JSON object with the campaign's fields")})
    known = {
        "code",
        "name",
        "products",
        "start_date",
        "end_date",
        "response_days",
        "channel",
        "control_pct",
        "audience",
        "max_campaigns_30d",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        errors["campaign"] = _("unknown fields: %(keys)s") % {"keys": ", ".join(unknown)}
    code = str(data.get("code") or "").strip()
    if not code:
        errors["code"] = _("give the campaign a code")
    elif len(code) > 30 or not all(ch.isalnum() or ch in "-_" for ch in code):
        errors["code"] = _("at most 30 letters, digits, - or _")
    elif Campaign.objects.filter(code=code).exists():
        errors["code"] = _("a campaign with code %(code)s already exists") % {"code": code}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = _("give the campaign a name")
    products = data.get("products")
    product_rows: list[Product] = []
    if not isinstance(products, list) or not products or not all(isinstance(p, str) for p in products):
        errors["products"] = _("a non-empty list of product codes")
    else:
        product_rows = list(Product.objects.filter(code__in=products))
        missing = sorted(set(products) - {p.code for p in product_rows})
        if missing:
            errors["products"] = _("unknown products: %(codes)s") % {"codes": ", ".join(missing)}
    start = _parse_date(data.get("start_date"), "start_date", errors)
    end = _parse_date(data.get("end_date"), "end_date", errors)
    if start and end and end < start:
        errors["end_date"] = _("end_date %(end)s is before start_date %(start)s") % {"end": end, "start": start}
    response_days = _int_field(data, "response_days", 30, errors)
    cap = _int_field(data, "max_campaigns_30d", max_campaigns_30d(), errors)
    if cap is not None and not 1 <= cap <= 100:
        errors["max_campaigns_30d"] = _("between 1 and 100")
    if response_days is not None and not 0 <= response_days <= 366:
        errors["response_days"] = _("between 0 and 366 days")
    channel = data.get("channel")
    if channel not in CampaignChannel.values:
        errors["channel"] = _("one of: %(values)s") % {"values": ", ".join(CampaignChannel.values)}
    control_pct = _parse_money(data.get("control_pct", 10), "control_pct", errors)
    if control_pct is not None and (
        not Decimal(0) <= control_pct <= Decimal(50) or control_pct != control_pct.quantize(CENT)
    ):
        errors["control_pct"] = _("between 0 and 50, at most 2 decimals (got %(value)s)") % {"value": control_pct}
    audience = clean_audience(data.get("audience"), errors)
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(
        code=code,
        name=name,
        start_date=start,
        end_date=end,
        response_days=response_days,
        channel=channel,
        control_pct=control_pct,
        audience=audience,
        max_campaigns_30d=cap,
        author=user,
    )
    # An audience nobody is in is a mistake to catch now, not at start.
    as_of = campaign.as_of
    CustomerMonth, _ListItem = _analytics()
    if not CustomerMonth.objects.filter(as_of=as_of).exists():
        raise ValidationError(
            {
                "audience.as_of": _("no customer_month snapshot as of %(day)s (run bankcrm metrics first)")
                % {"day": as_of}
            }
        )
    if not audience_rows(campaign):
        raise ValidationError({"audience": _("the audience is empty: no active customer of the snapshot matches it")})
    campaign.save()
    campaign.products.set(product_rows)
    events.campaign_created(campaign, user)
    return campaign


# --- audience, eligibility and groups ----------------------------------------------------------


@dataclass
class Evaluation:
    """Who is in a campaign and why the rest of its audience is not (spec/campaigns.md)."""

    audience: int = 0
    members: list[dict] = field(default_factory=list)  # customer_no, group, branch_code, assignee, aum_avg, tier
    exclusions: list[dict] = field(default_factory=list)  # customer_no, reason, detail, branch_code

    def count(self, group: str) -> int:
        return sum(1 for m in self.members if m["group"] == group)

    @property
    def targets(self) -> int:
        return self.count(Group.TARGET)

    @property
    def controls(self) -> int:
        return self.count(Group.CONTROL)

    @property
    def exclusion_rows(self) -> list[dict]:
        counts = self.excluded_by_reason()
        return [{"reason": r, "label": label, "count": counts[r]} for r, label in ExclusionReason.choices]

    def sample(self, n: int = 20) -> dict[str, list[dict]]:
        """The first ``n`` members and excluded customers (by customer_no), for the preview page."""
        labels = dict(ExclusionReason.choices)
        return {
            "members": self.members[:n],
            "excluded": [{**e, "label": labels[e["reason"]]} for e in self.exclusions[:n]],
        }

    def excluded_by_reason(self) -> dict[str, int]:
        counts = Counter(e["reason"] for e in self.exclusions)
        return {reason: counts.get(reason, 0) for reason in ExclusionReason.values}


def holders(categories: list[str], day: dt.date) -> set[str]:
    """Customers who hold (spec/metrics.md) any of ``categories`` on ``day``."""
    from bankcrm.customers.models import Account

    open_on_day = Q(open_date__lte=day) & (Q(close_date__gt=day) | (Q(close_date__isnull=True) & ~Q(status="closed")))
    accounts = Account.objects.filter(open_on_day, product__category__in=categories).values_list(
        "account_no", "customer_id", "product__category"
    )
    held, need_balance = set(), {}
    for account_no, customer_no, category in accounts.iterator(chunk_size=20_000):
        if category in BALANCE_CATEGORIES:
            need_balance[account_no] = customer_no
        else:
            held.add(customer_no)
    if need_balance:
        held |= {need_balance[a] for a in _accounts_with_balance(day) if a in need_balance}
    return held


def _accounts_with_balance(day: dt.date) -> set[str]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from bankcrm.core.warehouse import partition_dir

    folder = partition_dir("balances", day)
    files = sorted(folder.glob("*.parquet")) if folder.exists() else []
    found: set[str] = set()
    for path in files:
        table = pq.read_table(path, columns=["account_no", "balance_cents"])
        found.update(table.filter(pc.greater(table["balance_cents"], 0))["account_no"].to_pylist())
    return found


def audience_queryset(campaign: Campaign):
    """The snapshot rows (as of the audience's as_of) of active customers matching every given condition.

    ``not_holding`` is applied afterwards (audience_rows): holding needs the warehouse balances.
    """
    CustomerMonth, _ListItem = _analytics()
    rule = campaign.audience or {}
    rows = CustomerMonth.objects.filter(as_of=campaign.as_of, customer__status="active")
    if rule.get("tiers"):
        rows = rows.filter(tier__in=rule["tiers"])
    if rule.get("branches"):
        rows = rows.filter(branch_code__in=rule["branches"])
    for flag in rule.get("flags", []):
        rows = rows.filter(**{flag: True})
    if rule.get("min_aum_avg") is not None:
        rows = rows.filter(aum_avg__gte=Decimal(rule["min_aum_avg"]))
    if rule.get("max_aum_avg") is not None:
        rows = rows.filter(aum_avg__lte=Decimal(rule["max_aum_avg"]))
    return rows


AUDIENCE_FIELDS = (
    "customer_id",
    "aum_avg",
    "tier",
    "customer__branch_id",
    "customer__rm_id",
    "customer__rm__status",
    "customer__marketing_consent",
)


def audience_rows(campaign: Campaign, *, kyc_on: dt.date | None = None) -> list[dict]:
    """The audience as dicts (AUDIENCE_FIELDS), ordered by customer_no.

    With ``kyc_on``, each row also carries the KYC in force that day (``kyc_level``, ``kyc_expires``:
    the newest assessment with assessed_date ≤ kyc_on), read in the same query through the
    (customer, assessed_date) unique index rather than by loading every assessment.
    """
    fields = AUDIENCE_FIELDS
    rows = audience_queryset(campaign)
    if kyc_on is not None:
        in_force = KycAssessment.objects.filter(customer=OuterRef("customer_id"), assessed_date__lte=kyc_on).order_by(
            "-assessed_date"
        )
        rows = rows.annotate(
            kyc_level=Subquery(in_force.values("risk_level")[:1]),
            kyc_expires=Subquery(in_force.values("expires_date")[:1]),
        )
        fields = (*fields, "kyc_level", "kyc_expires")
    rows = rows.order_by("customer_id").values_list(*fields)
    out = [dict(zip(fields, values, strict=True)) for values in rows.iterator(chunk_size=20_000)]
    rule = campaign.audience or {}
    if rule.get("not_holding"):
        held = holders(rule["not_holding"], campaign.as_of)
        out = [r for r in out if r["customer_id"] not in held]
    return out


def _open_complaints(customer_nos: set[str]) -> set[str]:
    from bankcrm.complaints.models import Complaint  # complaints is the layer below (docs/architecture.md)

    found = (
        Complaint.objects.exclude(status="closed").filter(customer__isnull=False).values_list("customer_id", flat=True)
    )
    return {c for c in found.distinct() if c in customer_nos}


def _capped(campaign: Campaign) -> set[str]:
    """Customers already targeted by ≥ max_campaigns_30d campaigns started in the 30 days before this one."""
    since = campaign.start_date - dt.timedelta(days=30)
    counts = Counter(
        CampaignMember.objects.filter(
            group=Group.TARGET,
            campaign__start_date__gte=since,
            campaign__start_date__lt=campaign.start_date,
        )
        .exclude(campaign=campaign)
        .values_list("customer_id", flat=True)
    )
    return {c for c, n in counts.items() if n >= campaign.max_campaigns_30d}


def assignee_for(rm_id: str | None, rm_status: str | None, branch_code: str) -> str:
    """As for lists (spec/metrics.md): the relationship manager when active, else the branch queue."""
    if rm_id and rm_status == "active":
        return rm_id
    return f"branch:{branch_code}"


def evaluate(campaign: Campaign) -> Evaluation:
    """Audience → exclusions (in the spec's order, one reason each) → target / control groups."""
    products = list(campaign.products.values_list("risk_level", "category"))
    restricted = any((rating or "") not in ("", "R1") for rating, _cat in products)
    day = campaign.start_date
    rows = audience_rows(campaign, kyc_on=day if restricted else None)
    result = Evaluation(audience=len(rows))
    complaints = _open_complaints({r["customer_id"] for r in rows})
    capped = _capped(campaign)
    threshold = int((Decimal(campaign.control_pct) * 100).to_integral_value())
    # The check depends only on the KYC in force (level, and whether it is still valid on the day):
    # ask the one suitability function once per distinct KYC state, not once per customer.
    decided: dict[tuple, str] = {}

    def unsuitable(level, expires) -> str:
        key = (level, expires is not None and expires > day)
        if key not in decided:
            kyc = None if level is None else suitability.Kyc(day, level, expires if key[1] else day)
            refusals = [suitability.may_buy(day=day, kyc=kyc, rating=r, category=c) for r, c in products]
            decided[key] = refusals[0] if all(refusals) else ""
        return decided[key]

    for r in rows:
        customer_no, branch = r["customer_id"], r["customer__branch_id"]
        reason, detail = "", ""
        if r["customer__marketing_consent"] is not True:
            reason = ExclusionReason.NO_CONSENT
        elif customer_no in complaints:
            reason = ExclusionReason.COMPLAINT_OPEN
        elif customer_no in capped:
            reason = ExclusionReason.CONTACT_CAP
        elif restricted:
            detail = unsuitable(r["kyc_level"], r["kyc_expires"])
            if detail:
                reason = ExclusionReason.SUITABILITY
        if reason:
            result.exclusions.append(
                {"customer_no": customer_no, "reason": str(reason), "detail": detail, "branch_code": branch}
            )
            continue
        result.members.append(
            {
                "customer_no": customer_no,
                "group": "control" if control_hash(campaign.code, customer_no) % 10000 < threshold else "target",
                "branch_code": branch,
                "assignee": assignee_for(r["customer__rm_id"], r["customer__rm__status"], branch),
                "aum_avg": r["aum_avg"],
                "tier": r["tier"],
            }
        )
    return result


def small_control_warning(controls: int) -> list[str]:
    if controls >= MIN_CONTROL_MEMBERS:
        return []
    return [
        _(
            "the control group has %(n)s members, fewer than %(min)s: too small to measure an uplift of "
            "1 point on a 2%% base rate (95%% confidence, 80%% power)"
        )
        % {"n": controls, "min": MIN_CONTROL_MEMBERS}
    ]


# --- the one campaign transition ----------------------------------------------------------------

CS, CA = CampaignStatus, CampaignAction
CAMPAIGN_TRANSITIONS: dict[str, dict[str, str]] = {
    CS.DRAFT: {CA.APPROVE: CS.APPROVED},
    CS.APPROVED: {CA.START: CS.RUNNING},
    CS.RUNNING: {CA.CLOSE: CS.CLOSED},
    CS.CLOSED: {},
}


@dataclass
class TransitionResult:
    campaign: Campaign
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def transition(campaign: Campaign, action: str, *, user=None, now: dt.datetime | None = None) -> TransitionResult:
    """Apply ``action`` (approve, start, close). TransitionNotAllowed → 409, ValidationError → 400."""
    now = now or timezone.now()
    handlers = {CA.APPROVE: _approve, CA.START: _start, CA.CLOSE: _close}
    if action not in handlers:
        raise ValidationError({"action": _("unknown action %(a)r; one of: approve, start, close") % {"a": action}})
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    current = locked.status
    moves = CAMPAIGN_TRANSITIONS[current]
    if action not in moves:
        allowed = ", ".join(moves) or _("none")
        if action == CA.START and current == CS.DRAFT:
            raise TransitionNotAllowed(
                _("%(code)s is not approved yet: only an approved campaign can start") % {"code": locked.code}
            )
        raise TransitionNotAllowed(
            _("%(code)s is %(status)s: '%(action)s' is not allowed now (allowed: %(allowed)s)")
            % {"code": locked.code, "status": current, "action": action, "allowed": allowed}
        )
    locked.status = moves[action]
    warnings = handlers[action](locked, user=user, from_status=current, now=now)
    return TransitionResult(locked, warnings)


def _approve(c: Campaign, *, user, from_status: str, now: dt.datetime) -> list[str]:
    if user is None or not getattr(user, "pk", None):
        raise ValidationError({"user": _("approval needs a named user (four eyes)")})
    if user.pk == c.author_id:
        raise TransitionNotAllowed(
            _("%(code)s: the author cannot approve their own campaign; another user must (four eyes)")
            % {"code": c.code}
        )
    controls = evaluate(c).count(Group.CONTROL)
    warnings = small_control_warning(controls)
    c.approver, c.approved_at = user, now
    c.save()
    events.campaign_approved(c, user, from_status=from_status, control_members=controls, warnings=warnings, at=now)
    return warnings


def _start(c: Campaign, *, user, from_status: str, now: dt.datetime) -> list[str]:
    """Freeze members and exclusions; push each target to the work queue as ``campaign:<code>``."""
    _CustomerMonth, ListItem = _analytics()
    result = evaluate(c)
    CampaignMember.objects.bulk_create(
        [
            CampaignMember(
                campaign=c,
                customer_id=m["customer_no"],
                group=m["group"],
                branch_code=m["branch_code"],
                assignee=m["assignee"],
            )
            for m in result.members
        ],
        batch_size=5000,
    )
    CampaignExclusion.objects.bulk_create(
        [
            CampaignExclusion(
                campaign=c,
                customer_id=e["customer_no"],
                reason=e["reason"],
                detail=e["detail"],
                branch_code=e["branch_code"],
            )
            for e in result.exclusions
        ],
        batch_size=5000,
    )
    targets = [m for m in result.members if m["group"] == Group.TARGET]
    # Queue order as for lists: aum_avg descending, ties on customer_no.
    targets.sort(key=lambda m: (-m["aum_avg"], m["customer_no"]))
    ListItem.objects.bulk_create(
        [
            ListItem(
                kind=c.list_kind,
                as_of=c.start_date,
                rank=rank,
                customer_id=m["customer_no"],
                branch_code=m["branch_code"],
                assignee=m["assignee"],
                aum_avg=m["aum_avg"],
                tier=m["tier"],
                detail=c.name[:200],
                status="pending",
            )
            for rank, m in enumerate(targets, start=1)
        ],
        batch_size=5000,
    )
    c.started_at = now
    c.save()
    events.campaign_started(
        c,
        user,
        from_status=from_status,
        targets=len(targets),
        controls=result.count(Group.CONTROL),
        excluded=result.excluded_by_reason(),
        at=now,
    )
    return []


def _close(c: Campaign, *, user, from_status: str, now: dt.datetime) -> list[str]:
    c.closed_at = now
    c.save()
    events.campaign_closed(c, user, from_status=from_status, at=now)
    return []


def approve(campaign: Campaign, user, *, now=None) -> TransitionResult:
    return transition(campaign, CA.APPROVE, user=user, now=now)


def start(campaign: Campaign, user=None, *, now=None) -> TransitionResult:
    return transition(campaign, CA.START, user=user, now=now)


def close(campaign: Campaign, user=None, *, now=None) -> TransitionResult:
    return transition(campaign, CA.CLOSE, user=user, now=now)


# --- responses and uplift ----------------------------------------------------------------------


def counting_recorded(now: dt.datetime | None = None) -> Q:
    """Recorded sales that count: booked, or cooling off with the 24 hours passed uncancelled."""
    now = now or timezone.now()
    return Q(status=SaleStatus.BOOKED) | Q(status=SaleStatus.COOLING_OFF, cooling_off_until__lte=now)


def _rate(responders: int, members: int) -> Decimal | None:
    if not members:
        return None
    return Decimal(responders) * 100 / Decimal(members)


def results(campaign: Campaign, *, now: dt.datetime | None = None) -> dict:
    """Per member and per group (and per branch) as spec/campaigns.md "Response and uplift" says."""
    products = list(campaign.products.values_list("code", flat=True))
    window = (campaign.start_date, campaign.response_until)
    members = {
        m["customer_id"]: {**m, "response_date": None, "sales_amount": Decimal("0.00"), "fee_income": Decimal("0.00")}
        for m in CampaignMember.objects.filter(campaign=campaign)
        .order_by("customer_id")
        .values("customer_id", "group", "assignee", "branch_code")
    }
    imported = Sale.objects.filter(
        customer__campaign_memberships__campaign=campaign, product_id__in=products, sale_date__range=window
    ).values_list("customer_id", "sale_date", "amount", "fee_income")
    recorded = (
        RecordedSale.objects.filter(counting_recorded(now))
        .filter(customer__campaign_memberships__campaign=campaign, product_id__in=products, sale_date__range=window)
        .values_list("customer_id", "sale_date", "amount", "fee_income")
    )
    for rows in (imported, recorded):
        for customer_no, sale_date, amount, fee in rows.iterator(chunk_size=20_000):
            m = members[customer_no]
            if m["response_date"] is None or sale_date < m["response_date"]:
                m["response_date"] = sale_date
            m["sales_amount"] += amount
            m["fee_income"] += fee
    groups = {g: _group_figures([m for m in members.values() if m["group"] == g]) for g in Group.values}
    by_branch = {}
    for branch in sorted({m["branch_code"] for m in members.values()}):
        mine = [m for m in members.values() if m["branch_code"] == branch]
        figures = {g: _group_figures([m for m in mine if m["group"] == g]) for g in Group.values}
        by_branch[branch] = {"groups": figures, **_uplift(figures)}
    # Contacts logged on the campaign's work items are the campaign's contacts (spec/campaigns.md).
    contacted = ContactLog.objects.filter(list_item__kind=campaign.list_kind).values("customer_id").distinct().count()
    return {
        "members": list(members.values()),
        "groups": groups,
        **_uplift(groups),
        "branches": by_branch,
        "contacted": contacted,
    }


def _group_figures(members: list[dict]) -> dict:
    responders = sum(1 for m in members if m["response_date"] is not None)
    rate = _rate(responders, len(members))
    return {
        "members": len(members),
        "responders": responders,
        "rate": rate,  # exact, for uplift
        "response_rate_pct": None if rate is None else half_up(rate),
        "sales_amount": half_up(sum((m["sales_amount"] for m in members), Decimal(0))),
        "fee_income": half_up(sum((m["fee_income"] for m in members), Decimal(0))),
    }


def _uplift(groups: dict) -> dict:
    """uplift_pp and incremental_fee from exact figures, rounded half-up once; empty without a control group."""
    t, c = groups[Group.TARGET], groups[Group.CONTROL]
    if not c["members"] or not t["members"]:
        return {"uplift_pp": None, "incremental_fee": None}
    uplift = t["rate"] - c["rate"]
    per_t = t["fee_income"] / Decimal(t["members"])
    per_c = c["fee_income"] / Decimal(c["members"])
    return {"uplift_pp": half_up(uplift), "incremental_fee": half_up((per_t - per_c) * t["members"])}


# --- recorded sales ------------------------------------------------------------------------------


class _DryRun(Exception):
    pass


def preview(data: dict, *, user) -> tuple[Evaluation | None, dict]:
    """What create_campaign would make of ``data`` — (evaluation, {}) or (None, errors) — storing nothing."""
    try:
        with transaction.atomic():
            campaign = create_campaign(data, user=user)
            result = evaluate(campaign)
            raise _DryRun
    except _DryRun:
        return result, {}
    except ValidationError as exc:
        return None, exc.message_dict if hasattr(exc, "error_dict") else {"campaign": exc.messages}


class SaleRefused(Exception):
    """The suitability check refused a sale (API 409 with the reason code)."""

    def __init__(self, reason: str, message: str, refused: RefusedSale):
        super().__init__(message)
        self.reason, self.message, self.refused = reason, message, refused


def refusal_message(reason: str, *, product: Product | None = None, kyc: suitability.Kyc | None = None) -> str:
    """What a teller can read to the customer (in the user's language)."""
    rating = (product.risk_level if product else "") or "-"
    level = kyc.risk_level if kyc else "-"
    messages = {
        Refusal.KYC_MISSING: _(
            "You have no risk assessment on file. Please complete a risk tolerance assessment first; "
            "until then only R1 (low-risk) products can be sold to you."
        ),
        Refusal.KYC_EXPIRED: _(
            "Your risk assessment has expired. Please renew it first; until then only R1 (low-risk) products "
            "can be sold to you."
        ),
        Refusal.SUITABILITY_MISMATCH: _(
            "This product is rated %(rating)s, above your risk tolerance %(level)s, so we cannot sell it to you."
        )
        % {"rating": rating, "level": level},
        Refusal.RECORDING_MISSING: _(
            "This product must be sold with audio-video recording (双录). Please record the sale and enter "
            "the recording reference."
        ),
        Refusal.BELOW_MINIMUM: _(
            "Trust products are for qualified investors: the minimum subscription is 1,000,000.00 yuan."
        ),
    }
    return str(messages[reason])


def _seller_branch_and_staff(user, customer: Customer):
    profile = getattr(user, "profile", None)
    staff = getattr(profile, "staff", None) if profile else None
    branch_id = (profile.branch_id if profile and profile.branch_id else None) or (staff.branch_id if staff else None)
    return branch_id or customer.branch_id, staff


def record_sale(
    *,
    user,
    customer: Customer,
    product: Product,
    amount: Decimal,
    channel: str,
    sale_date: dt.date,
    recording_ref: str = "",
    warning_confirmed: bool = False,
    fee_income: Decimal | None = None,
    now: dt.datetime | None = None,
) -> RecordedSale:
    """Check suitability on sale_date, then store the sale — or keep the refused attempt and raise SaleRefused.

    The caller has checked the input's form (serializer / form); the customer row is locked so two
    tellers recording for one customer at once are serialised (each sees the other's committed sale).
    """
    now = now or timezone.now()
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("the amount must be more than 0")
    if sale_date > timezone.localdate(now):
        errors["sale_date"] = _("the sale date %(day)s is in the future") % {"day": sale_date}
    if channel not in SaleChannel.values:
        errors["channel"] = _("one of: %(values)s") % {"values": ", ".join(SaleChannel.values)}
    if fee_income is not None and fee_income < 0:
        errors["fee_income"] = _("cannot be negative")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        kyc = suitability.kyc_in_force(
            [
                suitability.Kyc(a, lvl, e)
                for a, lvl, e in customer.kyc_assessments.values_list("assessed_date", "risk_level", "expires_date")
            ],
            sale_date,
        )
        outcome = suitability.check_sale(
            sale_date=sale_date,
            kyc=kyc,
            rating=product.risk_level,
            category=product.category,
            birth_date=customer.birth_date,
            channel=channel,
            amount=amount,
            warning_confirmed=warning_confirmed,
            recording_ref=recording_ref,
        )
        if outcome.refusal:
            refused = RefusedSale.objects.create(
                time=now,
                user=user if getattr(user, "pk", None) else None,
                user_name=user.get_username() if getattr(user, "pk", None) else events.SYSTEM_USER_NAME,
                customer=customer,
                product=product,
                amount=amount,
                channel=channel,
                sale_date=sale_date,
                reason=outcome.refusal,
            )
        else:
            refused = None
            branch_id, staff = _seller_branch_and_staff(user, customer)
            fee = half_up(fee_income if fee_income is not None else amount * (product.fee_rate or Decimal(0)))
            sale = RecordedSale.objects.create(
                sale_id=f"RS-{uuid.uuid4().hex[:16].upper()}",
                sale_date=sale_date,
                recorded_at=now,
                customer=customer,
                product=product,
                amount=half_up(amount),
                fee_income=fee,
                channel=channel,
                recording_ref=(recording_ref or "").strip(),
                warning_confirmed=bool(warning_confirmed),
                exception=outcome.exception,
                status=outcome.status,
                cooling_off_until=now + suitability.COOLING_OFF if outcome.status == SaleStatus.COOLING_OFF else None,
                seller=user,
                seller_name=user.get_username(),
                staff=staff,
                branch_id=branch_id,
            )
            events.sale_recorded(sale, user, at=now)
    if refused is not None:  # committed above: the attempt is kept even though the sale is refused
        raise SaleRefused(outcome.refusal, refusal_message(outcome.refusal, product=product, kyc=kyc), refused)
    return sale


SS, SA = SaleStatus, SaleAction
SALE_TRANSITIONS: dict[str, dict[str, str]] = {
    SS.PENDING_REVIEW: {SA.APPROVE: SS.BOOKED, SA.REJECT: SS.REJECTED},
    SS.COOLING_OFF: {SA.CANCEL: SS.CANCELLED, SA.BOOK: SS.BOOKED},
    SS.BOOKED: {},
    SS.CANCELLED: {},
    SS.REJECTED: {},
}
REVIEW_PERMISSION = "campaigns.review_recordedsale"


@transaction.atomic
def sale_transition(
    sale: RecordedSale, action: str, *, user=None, note: str = "", now: dt.datetime | None = None
) -> RecordedSale:
    """approve / reject (pending_review; a reviewer, not the seller), cancel / book (cooling_off)."""
    now = now or timezone.now()
    if action not in (SA.APPROVE, SA.REJECT, SA.CANCEL, SA.BOOK):
        raise ValidationError({"action": _("unknown action %(a)r; one of: approve, reject, cancel") % {"a": action}})
    locked = RecordedSale.objects.select_for_update().select_related("product").get(pk=sale.pk)
    current = locked.status
    moves = SALE_TRANSITIONS[current]
    if action not in moves:
        raise TransitionNotAllowed(
            _("sale %(id)s is %(status)s: '%(action)s' is not allowed now")
            % {"id": locked.sale_id, "status": current, "action": action}
        )
    if action in (SA.APPROVE, SA.REJECT):
        if user is None or not (user.is_superuser or user.has_perm(REVIEW_PERMISSION)):
            raise PermissionDenied(_("reviewing a sale needs a branch manager"))
        if user.pk == locked.seller_id:
            raise TransitionNotAllowed(
                _("sale %(id)s: the seller cannot review their own sale (four eyes)") % {"id": locked.sale_id}
            )
        locked.reviewed_by, locked.reviewed_at = user, now
        locked.status = moves[action]
        if action == SA.APPROVE and locked.product.category == "trust":
            # An approved trust sale still gets its full 24-hour cooling-off, from the approval.
            locked.status, locked.cooling_off_until = SS.COOLING_OFF, now + suitability.COOLING_OFF
        locked.save()
        (events.sale_approved if action == SA.APPROVE else events.sale_rejected)(
            locked, user, from_status=current, note=note, at=now
        )
        return locked
    if action == SA.CANCEL:
        if now >= locked.cooling_off_until:
            raise TransitionNotAllowed(
                _("sale %(id)s: the 24-hour cooling-off period ended at %(until)s; it can no longer be cancelled")
                % {
                    "id": locked.sale_id,
                    "until": timezone.localtime(locked.cooling_off_until).strftime("%Y-%m-%d %H:%M"),
                }
            )
        locked.status, locked.cancelled_at = SS.CANCELLED, now
        locked.save()
        events.sale_cancelled(locked, user, from_status=current, note=note, at=now)
        return locked
    if now < locked.cooling_off_until:
        raise TransitionNotAllowed(_("sale %(id)s is still in its cooling-off period") % {"id": locked.sale_id})
    locked.status = SS.BOOKED
    locked.save()
    events.sale_booked(locked, user, from_status=current, at=now)
    return locked


def book_cooled_off(now: dt.datetime | None = None) -> int:
    """Book every cooling-off sale whose 24 hours have passed (each through sale_transition)."""
    now = now or timezone.now()
    due = RecordedSale.objects.filter(status=SS.COOLING_OFF, cooling_off_until__lte=now).order_by("pk")
    n = 0
    for sale in due:
        try:
            sale_transition(sale, SA.BOOK, now=now)
            n += 1
        except TransitionNotAllowed:  # cancelled meanwhile
            continue
    return n


# --- imported sales checked afterwards -----------------------------------------------------------


@transaction.atomic
def check_imported_sales(now: dt.datetime | None = None) -> int:
    """Recompute the suitability findings of every imported sale (the mis-selling report); returns the count."""
    now = now or timezone.now()
    sales = Sale.objects.values_list(
        "sale_id", "sale_date", "customer_id", "customer__birth_date", "product__risk_level", "product__category"
    )
    assessments: dict[str, list[suitability.Kyc]] = {}
    for customer_no, a, lvl, e in KycAssessment.objects.values_list(
        "customer_id", "assessed_date", "risk_level", "expires_date"
    ).iterator(chunk_size=20_000):
        assessments.setdefault(customer_no, []).append(suitability.Kyc(a, lvl, e))
    findings = []
    for sale_id, sale_date, customer_no, birth, rating, category in sales.iterator(chunk_size=20_000):
        kyc = suitability.kyc_in_force(assessments.get(customer_no, ()), sale_date)
        for finding in suitability.check_imported(
            sale_date=sale_date, kyc=kyc, rating=rating, category=category, birth_date=birth
        ):
            findings.append(SuitabilityFinding(sale_id=sale_id, finding=finding, checked_at=now))
    SuitabilityFinding.objects.all().delete()
    SuitabilityFinding.objects.bulk_create(findings, batch_size=5000)
    return len(findings)


# --------------------------------------------------------------------------- the work queue

S = ListItemStatus
# Where an item may go from each status. Converted and declined are outcomes, but a contact can
# reopen them (the sale fell through, the customer called back); pending is only ever the start.
STATUS_MOVES: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONTACTED, S.CONVERTED, S.DECLINED}),
    S.CONTACTED: frozenset({S.CONTACTED, S.CONVERTED, S.DECLINED}),
    S.CONVERTED: frozenset({S.CONVERTED, S.CONTACTED}),
    S.DECLINED: frozenset({S.DECLINED, S.CONTACTED}),
    # a broken promise is followed up like a fresh item; nobody sets promise_broken by hand
    S.PROMISE_BROKEN: frozenset({S.CONTACTED, S.CONVERTED, S.DECLINED}),
}
# Outcomes offered on an item of the collection list (spec/loans.md) — and only there.
COLLECTION_OUTCOMES: tuple[str, ...] = ("no_answer", *CollectionOutcome.values)


class StatusNotAllowed(ValidationError):
    """A status move the map does not allow from the item's current status."""


@transaction.atomic
def set_list_item_status(item: ListItem, status: str, user, *, note: str = "") -> ListItem:
    if status not in S.values:
        raise ValidationError({"status": _("unknown status %(status)r") % {"status": status}})
    locked = ListItem.objects.restrict(user, "view").select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise PermissionDenied(_("This list item is not in your scope."))
    before = locked.status
    if status not in STATUS_MOVES[before]:
        raise StatusNotAllowed(
            _("An item that is %(now)s cannot become %(then)s.") % {"now": S(before).label, "then": S(status).label}
        )
    if before != status:
        locked.status = status
        locked.status_changed = timezone.now()
        locked.save()
        events.list_item_status_changed(locked, user, from_status=before, note=note)
    return locked


@transaction.atomic
def reassign_list_item(item: ListItem, assignee: str, user) -> ListItem:
    """A branch manager hands an item to one of their rms or back to the branch queue."""
    locked = ListItem.objects.restrict(user, "change").select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise PermissionDenied(_("This list item is not in your scope."))
    before = locked.assignee
    if before != assignee:
        locked.assignee = assignee
        locked.save()
        events.list_item_reassigned(locked, user, from_assignee=before)
    return locked


@dataclass(frozen=True)
class BulkAssignResult:
    assignee: Staff
    items: int  # items that changed hands (already theirs: not counted, not logged)
    customers: int


@transaction.atomic
def bulk_assign(item_ids, staff_no: str, user, *, customers_too: bool = False) -> BulkAssignResult:
    """A branch head hands many list items — and, with ``customers_too``, their customers (归户) —
    to one relationship manager of their branch, all or nothing.

    Each item that changes hands gets its own ``reassigned`` event and change-log entry, each customer
    its change-log entry (``customers.services.reassign_customers``, the customer list's bulk 归户).
    Refused whole when the person is not an active staff member in the user's scope, or when any
    selected item is outside it (a stale page, a forged id): half a hand-over helps nobody.
    """
    from bankcrm.customers.services import reassign_customers
    from bankcrm.org.choices import StaffStatus

    try:
        ids = sorted({int(i) for i in item_ids})
    except (TypeError, ValueError) as exc:
        raise ValidationError({"items": _("The selection holds something that is not a list item.")}) from exc
    if not ids:
        raise ValidationError({"items": _("Select at least one list item.")})
    staff = Staff.objects.restrict(user, "view").filter(pk=staff_no, status=StaffStatus.ACTIVE).first()
    if staff is None:
        raise ValidationError(
            {"assignee": _("%(staff)s is not an active staff member of your branch.") % {"staff": staff_no or "—"}}
        )
    # locked in primary-key order, so two managers' overlapping hand-overs cannot deadlock
    items = list(ListItem.objects.restrict(user, "change").select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(items) != len(ids):
        raise PermissionDenied(
            _("%(missing)s of the %(selected)s selected items are not in your scope: nothing was assigned.")
            % {"missing": len(ids) - len(items), "selected": len(ids)}
        )
    moved = 0
    for item in items:
        if item.assignee != staff.pk:
            before, item.assignee = item.assignee, staff.pk
            item.save()
            events.list_item_reassigned(item, user, from_assignee=before)
            moved += 1
    customers = reassign_customers({i.customer_id for i in items}, staff, user) if customers_too else 0
    return BulkAssignResult(assignee=staff, items=moved, customers=customers)


def check_collection_fields(
    *,
    outcome: str,
    list_item: ListItem | None,
    promised_date: dt.date | None,
    promised_amount: Decimal | None,
    paid_amount: Decimal | None,
    contact_day: dt.date,
) -> dict[str, str]:
    """The faults of a contact's outcome against its list item and the collection fields, by field.

    Collection outcomes belong to an ``overdue`` item, the sales outcomes to every other contact; a
    promise to pay needs its date (not before the contact's day) and an amount > 0, a partial payment
    its amount; a field that does not go with the outcome is refused rather than silently dropped.
    """
    errors: dict[str, str] = {}
    on_collection_item = list_item is not None and list_item.kind == ListKind.OVERDUE
    if on_collection_item and outcome not in COLLECTION_OUTCOMES:
        errors["outcome"] = _("%(outcome)r is not an outcome of a collection contact; one of: %(allowed)s") % {
            "outcome": outcome,
            "allowed": ", ".join(COLLECTION_OUTCOMES),
        }
    elif not on_collection_item and outcome in CollectionOutcome.values:
        errors["outcome"] = _("%(outcome)r is recorded only on an item of the collection list (overdue)") % {
            "outcome": outcome
        }
    if outcome == CollectionOutcome.PROMISE_TO_PAY:
        if promised_date is None:
            errors["promised_date"] = _("a promise to pay needs the date the customer promised")
        elif promised_date < contact_day:
            errors["promised_date"] = _("the promised date %(day)s is in the past (contact of %(contact)s)") % {
                "day": promised_date,
                "contact": contact_day,
            }
        if promised_amount is None:
            errors["promised_amount"] = _("a promise to pay needs the amount the customer promised")
        elif promised_amount <= 0:
            errors["promised_amount"] = _("the promised amount must be more than 0 (got %(amount)s)") % {
                "amount": promised_amount
            }
    else:
        if promised_date is not None:
            errors["promised_date"] = _("a promised date goes only with a promise to pay")
        if promised_amount is not None:
            errors["promised_amount"] = _("a promised amount goes only with a promise to pay")
    if outcome == CollectionOutcome.PARTIAL_PAYMENT:
        if paid_amount is None:
            errors["paid_amount"] = _("a partial payment needs the amount paid")
        elif paid_amount <= 0:
            errors["paid_amount"] = _("the amount paid must be more than 0 (got %(amount)s)") % {"amount": paid_amount}
    elif paid_amount is not None:
        errors["paid_amount"] = _("an amount paid goes only with a partial payment")
    return errors


@transaction.atomic
def log_contact(
    customer: Customer,
    user,
    *,
    channel: str,
    outcome: str,
    note: str = "",
    next_follow_up: dt.date | None = None,
    confidential: bool = False,
    list_item: ListItem | None = None,
    contacted_at: dt.datetime | None = None,
    promised_date: dt.date | None = None,
    promised_amount: Decimal | None = None,
    paid_amount: Decimal | None = None,
) -> ContactLog:
    """Record a contact; a list item it answers moves to contacted/converted/declined.

    On an item of the collection list (``overdue``) the outcome is a collection one
    (COLLECTION_OUTCOMES) with its fields: a promise to pay carries its date and amount, which the
    broken-promise rule reads when the lists are next computed (``store_list_items``).
    """
    if not Customer.objects.restrict(user, "view").filter(pk=customer.pk).exists():
        raise PermissionDenied(_("This customer is not in your scope."))
    if list_item is not None and list_item.customer_id != customer.pk:
        raise ValidationError({"list_item": _("the list item is not this customer's")})
    contacted_at = contacted_at or timezone.now()
    errors = check_collection_fields(
        outcome=outcome,
        list_item=list_item,
        promised_date=promised_date,
        promised_amount=promised_amount,
        paid_amount=paid_amount,
        contact_day=timezone.localdate(contacted_at),
    )
    if errors:
        raise ValidationError(errors)
    profile = getattr(user, "profile", None)
    entry = ContactLog(
        customer=customer,
        staff=getattr(profile, "staff", None),
        user_name=user.get_username(),
        contacted_at=contacted_at,
        channel=channel,
        outcome=outcome,
        note=note,
        next_follow_up=next_follow_up,
        confidential=confidential,
        list_item=list_item,
        promised_date=promised_date,
        promised_amount=promised_amount,
        paid_amount=paid_amount,
    )
    entry.full_clean()
    entry.save()
    if list_item is not None:
        status = {"converted": ListItemStatus.CONVERTED, "declined": ListItemStatus.DECLINED}.get(
            outcome, ListItemStatus.CONTACTED
        )
        set_list_item_status(list_item, status, user, note=f"contact {entry.pk}")
    return entry


# --- the broken-promise rule of the collection list (spec/loans.md) ------------------------------


def broken_promises(customer_nos: set[str], as_of: dt.date) -> dict[str, dt.date]:
    """Customers of ``customer_nos`` whose promise to pay is broken on ``as_of``: {customer_no: promised date}.

    Broken (spec/loans.md, docs/loans.md): the customer's *latest* promise to pay (newest contact
    with that outcome, on any of their ``overdue`` items of any date) names a date before ``as_of``,
    and the customer is still overdue on ``as_of`` (the caller passes only those). Exactly the
    spec's two conditions: another kind of contact after the promised day (no answer, a dispute, a
    partial payment) does not mend the promise; a new promise to pay replaces it, and paying the
    arrears takes the customer off the list.
    """
    if not customer_nos:
        return {}
    latest: dict[str, dt.date] = {}
    promises = (
        ContactLog.objects.filter(list_item__kind=ListKind.OVERDUE, outcome=CollectionOutcome.PROMISE_TO_PAY)
        .order_by("customer_id", "contacted_at", "pk")
        .values_list("customer_id", "promised_date")
    )
    for customer_no, promised in promises.iterator(chunk_size=20_000):
        latest[customer_no] = promised  # ordered oldest first: the last one seen is the latest
    return {c: day for c, day in latest.items() if c in customer_nos and day < as_of}


def promise_broken_first(items: list[dict], broken: dict[str, dt.date]) -> list[dict]:
    """The collection list with its broken promises on top, re-ranked 1..n.

    "The top" (docs/loans.md): every broken promise before every other item of the list; among
    themselves, and among the rest, the list's own order (overdue principal + interest descending,
    then customer_no) is kept, so the biggest broken promise comes first.
    """
    if not broken:
        return items
    ranked = sorted(items, key=lambda it: (it["customer_no"] not in broken, it["rank"]))
    return [{**it, "rank": rank} for rank, it in enumerate(ranked, start=1)]


def mark_promises_broken(as_of: dt.date, broken: dict[str, dt.date]) -> int:
    """The rule's one state change: D's collection items of ``broken`` become ``promise_broken``.

    The system's move, from any status, so not in the map a person's buttons follow (STATUS_MOVES).
    One event per item moved (by ``system``, naming the promised date); items already flagged are
    left alone, so a rerun of D writes nothing twice. Written in bulk like the rest of the lists
    (docs/adr/0002): a bank may have thousands of broken promises on one morning. Call inside the
    transaction that stores the lists.
    """
    now = timezone.now()
    moved = 0
    names = sorted(broken)
    for start in range(0, len(names), 900):
        rows = list(
            ListItem.objects.select_for_update()
            .filter(kind=ListKind.OVERDUE, as_of=as_of, customer_id__in=names[start : start + 900])
            .exclude(status=ListItemStatus.PROMISE_BROKEN)
            .order_by("pk")
            .values_list("pk", "customer_id", "status")
        )
        if not rows:
            continue
        ListItem.objects.filter(pk__in=[pk for pk, _c, _s in rows]).update(
            status=ListItemStatus.PROMISE_BROKEN, status_changed=now, last_updated=now
        )
        events.list_items_promise_broken(
            [(pk, before, f"promise to pay of {broken[customer].isoformat()} broken") for pk, customer, before in rows]
        )
        moved += len(rows)
    return moved


def current_lists() -> Q:
    """Items of each list's newest as-of date: a new month's list supersedes the last one.

    A correlated sub-query answered from the unique (kind, as_of, customer) index, so it adds no
    round trip; the newest run date of a list is bank-wide, whatever the user's scope.
    """
    newest = ListItem.objects.filter(kind=OuterRef("kind")).order_by("-as_of").values("as_of")[:1]
    return Q(as_of=Subquery(newest))


def store_list_items(items: list[dict], as_of: dt.date) -> None:
    """Replace as-of D's lists, keeping the work of items that are still on them (docs/metrics.md).

    A survivor (same list, same as-of, same customer) keeps its row (so contact logs stay linked),
    its status and status time; once someone works it (status not pending) it also keeps its
    assignee while that assignee is an active staff member or a branch queue. Rank, figures, detail
    and the other items' assignee are refreshed; items no longer selected are deleted. Call inside a
    transaction.
    """
    now = timezone.now()
    overdue = [it for it in items if it["kind"] == ListKind.OVERDUE]
    broken = broken_promises({it["customer_no"] for it in overdue}, as_of)
    if broken:
        items = [it for it in items if it["kind"] != ListKind.OVERDUE] + promise_broken_first(overdue, broken)
    active_staff = set(Staff.objects.filter(status="active").values_list("staff_no", flat=True))
    existing = {
        (kind, customer): (pk, status, assignee)
        # campaign items (kind campaign:<code>) belong to their campaign, not to a metrics run
        for pk, kind, customer, status, assignee in ListItem.objects.filter(as_of=as_of)
        .exclude(kind__startswith="campaign:")
        .values_list("pk", "kind", "customer_id", "status", "assignee")
    }
    new, update, seen = [], [], set()
    for it in items:
        key = (it["kind"], it["customer_no"])
        seen.add(key)
        aum = Decimal(int(it["aum_avg"])).scaleb(-2)
        old = existing.get(key)
        if old is None:
            new.append(
                (
                    it["kind"],
                    as_of,
                    it["rank"],
                    it["customer_no"],
                    it["branch_code"],
                    it["assignee"],
                    aum,
                    it["tier"],
                    it["detail"],
                    it.get("facts") or {},
                    ListItemStatus.PENDING,
                    now,
                    now,
                )
            )
            continue
        pk, status, assignee = old
        facts = it.get("facts") or {}
        worked = status != ListItemStatus.PENDING
        if not (worked and (assignee.startswith("branch:") or assignee in active_staff)):
            update.append(
                (it["rank"], it["branch_code"], aum, it["tier"], it["detail"], facts, now, it["assignee"], pk)
            )
        else:  # being worked by someone still active (or a branch queue): they keep it
            update.append((it["rank"], it["branch_code"], aum, it["tier"], it["detail"], facts, now, pk))
    gone = [pk for key, (pk, _, _) in existing.items() if key not in seen]
    for start in range(0, len(gone), 900):
        ListItem.objects.filter(pk__in=gone[start : start + 900]).delete()
    common = ["rank", "branch_code", "aum_avg", "tier", "detail", "facts", "last_updated"]
    update_many(ListItem, [*common, "assignee"], (u for u in update if len(u) == 9))
    update_many(ListItem, common, (u for u in update if len(u) == 8))
    insert_many(
        ListItem,
        [
            "kind",
            "as_of",
            "rank",
            "customer",
            "branch_code",
            "assignee",
            "aum_avg",
            "tier",
            "detail",
            "facts",
            "status",
            "created",
            "last_updated",
        ],
        new,
    )
    if broken:  # new and surviving items alike, each move with its event
        mark_promises_broken(as_of, broken)
