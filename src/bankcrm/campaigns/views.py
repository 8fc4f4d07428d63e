"""Campaign pages, the sale form, sale review, the lobby tablet (厅堂PAD), the mis-selling report, and the
work queue (名单制管理): a relationship manager's lists, contacts on them, a manager's reassignments."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, View
from django.views.generic.detail import SingleObjectMixin

from bankcrm.core.exceptions import TransitionNotAllowed
from bankcrm.core.forms import scoped_choices
from bankcrm.core.money import percent
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin, render_page
from bankcrm.customers.choices import ContactChannel, ContactOutcome, ProductCategory
from bankcrm.customers.forms import ReassignForm
from bankcrm.customers.models import Customer, Product
from bankcrm.customers.services import reassign_customer
from bankcrm.org.choices import StaffStatus
from bankcrm.org.models import Branch, Staff
from bankcrm.org.scope import scope_for, scope_label

from . import services, suitability
from .choices import (
    BRANCH_QUEUE_PREFIX,
    CampaignChannel,
    ExclusionReason,
    Group,
    ListItemStatus,
    ListKind,
    TaskKind,
)
from .filtersets import ListItemFilterSet
from .forms import CHOOSABLE_STATUSES, ContactForm, ReassignItemForm, SaleForm, StatusForm
from .models import Campaign, ContactLog, ListItem, RecordedSale, RefusedSale, RmTask, SuitabilityFinding


def audience_lines(campaign: Campaign) -> list[tuple[str, str]]:
    """The audience rule in words (codes never reach a page: docs/adr/0005)."""
    from bankcrm.customers.choices import Tier
    from bankcrm.customers.models import CustomerMonth

    rule = campaign.audience or {}
    lines = [(_("Snapshot as of"), rule.get("as_of", ""))]
    if rule.get("tiers"):
        lines.append((_("Tiers"), "、".join(str(Tier(t).label) for t in rule["tiers"])))
    if rule.get("flags"):
        names = [str(CustomerMonth._meta.get_field(f).verbose_name) for f in rule["flags"]]
        lines.append((_("Flags (all must be Y)"), "、".join(names)))
    if rule.get("branches"):
        lines.append((_("Branches"), "、".join(rule["branches"])))
    if rule.get("min_aum_avg"):
        lines.append((_("AUM average from"), rule["min_aum_avg"]))
    if rule.get("max_aum_avg"):
        lines.append((_("AUM average up to"), rule["max_aum_avg"]))
    if rule.get("not_holding"):
        lines.append((_("Not holding"), "、".join(str(ProductCategory(c).label) for c in rule["not_holding"])))
    return lines


def _campaign_data(post) -> dict:
    """The create form's fields as the JSON object of spec/campaigns.md."""
    audience = {"as_of": post.get("as_of", "")}
    for key in ("tiers", "flags", "branches", "not_holding"):
        values = [v for v in post.getlist(key) if v]
        if values:
            audience[key] = values
    for key in ("min_aum_avg", "max_aum_avg"):
        if post.get(key, "").strip():
            audience[key] = post[key].strip()
    data = {
        "code": post.get("code", "").strip(),
        "name": post.get("name", "").strip(),
        "products": post.getlist("products"),
        "start_date": post.get("start_date", ""),
        "end_date": post.get("end_date", ""),
        "channel": post.get("channel", ""),
        "audience": audience,
    }
    if post.get("response_days", "").strip():
        data["response_days"] = post["response_days"].strip()
    if post.get("control_pct", "").strip():
        data["control_pct"] = post["control_pct"].strip()
    return data


def _chart(results: dict) -> str:
    """Response rate, target vs control (ECharts option; the page's script renders it)."""
    groups = results["groups"]
    labels = [str(Group(g).label) for g in (Group.TARGET, Group.CONTROL)]
    values = [
        None if groups[g]["response_rate_pct"] is None else float(groups[g]["response_rate_pct"])
        for g in (Group.TARGET, Group.CONTROL)
    ]  # display only: the figures themselves stay Decimal
    option = {
        "tooltip": {},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": _("Response rate %")},
        "series": [{"type": "bar", "data": values, "label": {"show": True}}],
    }
    return json.dumps(option, ensure_ascii=False)


class CampaignListView(RestrictedViewMixin, ListView):
    model = Campaign
    template_name = "campaigns/list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("author", "approver").order_by("-start_date", "code")


class CampaignCreateView(RestrictedViewMixin, View):
    """The rule builder; htmx posts with ``preview`` get the live count and exclusions, storing nothing."""

    model = Campaign
    restrict_action = "add"

    def context(self, data=None, errors=None, evaluation=None):
        from bankcrm.customers.choices import Tier
        from bankcrm.org.models import Branch

        return {
            "data": data or {"audience": {}},
            "errors": errors or {},
            "evaluation": evaluation,
            "products": Product.objects.order_by("category", "code"),
            "channels": CampaignChannel.choices,
            "tiers": Tier.choices,
            "flags": services.AUDIENCE_FLAGS,
            "categories": ProductCategory.choices,
            "branches": Branch.objects.order_by("code"),
            "reasons": ExclusionReason.choices,
        }

    def get(self, request):
        return render_page(request, "campaigns/create.html", self.context())

    def post(self, request):
        data = _campaign_data(request.POST)
        if "preview" in request.POST:
            evaluation, errors = services.preview(data, user=request.user)
            return render_page(
                request,
                "campaigns/create.html",
                self.context(data, errors, evaluation),
                partial_template_name="campaigns/_preview.html",
            )
        try:
            campaign = services.create_campaign(data, user=request.user)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"campaign": exc.messages}
            return render_page(request, "campaigns/create.html", self.context(data, errors), status=400)
        messages.success(request, _("Campaign %(code)s saved as a draft.") % {"code": campaign.code})
        return redirect("campaigns:detail", code=campaign.code)


class CampaignDetailView(RestrictedViewMixin, View):
    model = Campaign

    def get_object(self, code):
        return get_object_or_404(Campaign.objects.restrict(self.request.user, "view"), code=code)

    def get(self, request, code):
        campaign = self.get_object(code)
        user = request.user
        can_change = user.has_perm("campaigns.change_campaign")
        context = {
            "campaign": campaign,
            "products": campaign.products.order_by("code"),
            "audience": audience_lines(campaign),
            "events": campaign.events.order_by("time", "pk"),
            "can_approve": can_change and campaign.status == "draft" and campaign.author_id != user.pk,
            "is_author": campaign.author_id == user.pk,
            "can_start": can_change and campaign.status == "approved",
            "can_close": can_change and campaign.status == "running",
            "reasons": ExclusionReason.choices,
        }
        if campaign.status in ("draft", "approved"):
            ev = services.evaluate(campaign)
            context["evaluation"] = ev
            context["warnings"] = services.small_control_warning(ev.count("control"))
        else:
            results = services.results(campaign)
            context["results"] = results
            context["chart"] = _chart(results)
        return render_page(request, "campaigns/detail.html", context)

    def post(self, request, code):
        campaign = self.get_object(code)
        if not request.user.has_perm("campaigns.change_campaign"):
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            result = services.transition(campaign, action, user=request.user)
        except (TransitionNotAllowed, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Campaign %(code)s is now %(status)s.") % {
                "code": campaign.code, "status": result.campaign.get_status_display(),
            })  # fmt: skip
            for warning in result.warnings:
                messages.warning(request, warning)
        return redirect("campaigns:detail", code=campaign.code)


def record_from_form(request, form) -> tuple[RecordedSale | None, services.SaleRefused | None]:
    """Run the service for a valid form; a refusal comes back for the page to read to the customer."""
    d = form.cleaned_data
    try:
        sale = services.record_sale(
            user=request.user,
            customer=form.customer,
            product=d["product"],
            amount=d["amount"],
            channel=d["channel"],
            sale_date=d["sale_date"],
            recording_ref=d["recording_ref"],
            warning_confirmed=d["warning_confirmed"],
        )
    except services.SaleRefused as refused:
        return None, refused
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
        return None, None
    return sale, None


class SaleCreateView(RestrictedViewMixin, View):
    model = RecordedSale
    restrict_action = "add"

    def get(self, request):
        form = SaleForm(user=request.user, initial={"customer_no": request.GET.get("customer", "")})
        return render_page(request, "campaigns/sale_form.html", {"form": form})

    def post(self, request):
        form = SaleForm(request.POST, user=request.user)
        sale = refused = None
        if form.is_valid():
            sale, refused = record_from_form(request, form)
        status = 201 if sale else (409 if refused else 400)
        return render_page(
            request,
            "campaigns/sale_form.html",
            {"form": form, "sale": sale, "refused": refused},
            partial_template_name="campaigns/_sale_result.html",
            status=200 if request.htmx else status,
        )


class SaleReviewView(RestrictedViewMixin, View):
    """Sales pending review (65+ buying R4/R5) and cooling-off sales of the user's scope."""

    model = RecordedSale

    def get(self, request):
        sales = (
            RecordedSale.objects.restrict(request.user, "view")
            .filter(status__in=("pending_review", "cooling_off"))
            .select_related("customer", "product")
            .order_by("recorded_at", "pk")
        )
        return render_page(
            request,
            "campaigns/review.html",
            {
                "sales": sales,
                "can_review": request.user.has_perm(services.REVIEW_PERMISSION),
                "can_cancel": request.user.has_perm("campaigns.change_recordedsale"),
                "now": timezone.now(),
            },
        )

    def post(self, request):
        sale = get_object_or_404(
            RecordedSale.objects.restrict(request.user, "view"), sale_id=request.POST.get("sale_id")
        )
        if not request.user.has_perm("campaigns.change_recordedsale"):
            raise PermissionDenied
        try:
            services.sale_transition(sale, request.POST.get("action", ""), user=request.user)
        except (TransitionNotAllowed, ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Sale %(id)s updated.") % {"id": sale.sale_id})
        return redirect("campaigns:review")


def sellable_today(customer: Customer, day) -> list[dict]:
    """The products this customer may buy today, with the check's outcome (suitability applied)."""
    kyc = suitability.kyc_in_force(
        [
            suitability.Kyc(a, lvl, e)
            for a, lvl, e in customer.kyc_assessments.values_list("assessed_date", "risk_level", "expires_date")
        ],
        day,
    )
    rows = []
    sellable = ("wealth", "fund", "insurance", "trust", "precious_metal", "deposit_time")
    for product in Product.objects.filter(category__in=sellable).order_by("category", "risk_level", "code"):
        refusal, exception = suitability.risk_match(
            day=day, kyc=kyc, rating=product.risk_level, category=product.category, warning_confirmed=True
        )
        rows.append(
            {
                "product": product,
                "ok": not refusal,
                "needs_warning": exception,
                "review": suitability.is_elderly_high_risk(
                    day=day, birth_date=customer.birth_date, rating=product.risk_level
                ),
            }
        )
    return rows


class LobbyView(RestrictedViewMixin, View):
    """厅堂PAD: look a walk-in customer up, see tier, flags, open campaign items, what they may buy today."""

    model = RecordedSale
    restrict_action = "add"

    def get(self, request):
        return render_page(request, "campaigns/lobby.html", {"form": SaleForm(user=request.user)})

    def lookup(self, request, term: str):
        from bankcrm.customers.filtersets import search_condition

        condition, _names = search_condition(term)
        if condition is None:
            return None
        return Customer.objects.restrict(request.user, "view").filter(condition).order_by("pk").first()

    def post(self, request):
        from bankcrm.core.accesslog import record_access

        if "q" in request.POST:  # a lookup: the term stays out of the URL
            customer = self.lookup(request, request.POST.get("q", ""))
            if customer is None:
                messages.error(request, _("No customer of your branch matches."))
                return redirect("campaigns:lobby")
            record_access("view", user=request.user, customer_no=customer.pk, path=request.path, detail="lobby")
            return render_page(request, "campaigns/lobby.html", self.card(request, customer))
        form = SaleForm(request.POST, user=request.user)
        sale = refused = None
        if form.is_valid():
            sale, refused = record_from_form(request, form)
        customer = getattr(form, "customer", None)
        if customer is not None:  # the card shows the customer: a view like the lookup's
            record_access("view", user=request.user, customer_no=customer.pk, path=request.path, detail="lobby sale")
        context = self.card(request, customer) if customer else {}
        context.update({"form": form, "sale": sale, "refused": refused})
        return render_page(request, "campaigns/lobby.html", context, status=200 if sale else (409 if refused else 400))

    def card(self, request, customer: Customer) -> dict:
        from bankcrm.customers.masking import age_on, mask_name, mask_phone
        from bankcrm.customers.models import CustomerMonth

        today = timezone.localdate()
        snap = CustomerMonth.objects.filter(customer=customer).order_by("-as_of").first()
        flags = []
        if snap:
            flags = [f for f in services.AUDIENCE_FLAGS if getattr(snap, f)]
        items = (
            ListItem.objects.restrict(request.user, "view")
            .filter(customer=customer, kind__startswith="campaign:")
            .filter(~Q(status__in=("converted", "declined")))
            .order_by("-as_of")
        )
        return {
            "customer": customer,
            "phone": mask_phone(customer.phone),
            "masked_name": mask_name(customer.name),
            "age": age_on(customer.birth_date, today),
            "snapshot": snap,
            "flags": flags,
            "items": items,
            "sellable": sellable_today(customer, today),
            "form": SaleForm(user=request.user, initial={"customer_no": customer.pk}),
            "can_contact": request.user.has_perm("campaigns.add_contactlog"),
        }


class SuitabilityReportView(RestrictedViewMixin, ListView):
    """The mis-selling report: findings on imported sales, fund exceptions and refused attempts."""

    model = SuitabilityFinding
    template_name = "campaigns/suitability.html"
    paginate_by = 100

    def get_queryset(self):
        if not self.request.user.has_perm("campaigns.view_sale"):
            raise Http404
        return super().get_queryset().select_related("sale", "sale__customer", "sale__product").order_by("sale_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["exceptions"] = (
            RecordedSale.objects.restrict(user, "view").filter(exception=True).select_related("product")[:100]
        )
        context["refused"] = RefusedSale.objects.restrict(user, "view").select_related("product")[:100]
        return context


class ConsentView(RestrictedViewMixin, View):
    """A customer's marketing consent (the customers file is the source) and when it changed."""

    model = Customer

    def get(self, request, customer_no):
        from django.contrib.contenttypes.models import ContentType

        from bankcrm.core.models import ObjectChange

        customer = get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=customer_no)
        changes = []
        # Only the consent field of this in-scope customer is read from the change log.
        for change in ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=customer.pk
        ).order_by("time", "pk"):
            before = (change.prechange_data or {}).get("marketing_consent")
            after = (change.postchange_data or {}).get("marketing_consent")
            if change.action == "create" or before != after:
                changes.append({"time": change.time, "by": change.user_name, "before": before, "after": after})
        return render_page(request, "campaigns/consent.html", {"customer": customer, "changes": changes})


# --------------------------------------------------------------------------- the work queue


def can_manage_queue(user) -> bool:
    """Reassigning work and customers (归户) is a manager's job: it needs the right to change customers.

    Relationship managers may change list items (their status) but not customers, so this
    keeps them out of reassignment without a role switch in the view.
    """
    return user.has_perm("customers.change_customer")


# --------------------------------------------------------------------------- work queue


def my_staff_no(user) -> str | None:
    profile = getattr(user, "profile", None)
    return getattr(profile, "staff_id", None)


def branch_queues(user) -> list[str]:
    """The branch queues (``branch:<code>``) of the branches in the user's scope."""
    return [
        f"{BRANCH_QUEUE_PREFIX}{code}"
        for code in Branch.objects.restrict(user, "view").order_by("code").values_list("code", flat=True)
    ]


def assignee_choices(user) -> list[tuple[str, str]]:
    """Where a manager may hand work: active staff of the branches in scope, then the branch queues."""
    staff = Staff.objects.restrict(user, "view").filter(status=StaffStatus.ACTIVE).select_related("branch")
    choices = [(s.staff_no, f"{s.staff_no} {s.name} · {s.branch.name}") for s in staff.order_by("branch", "staff_no")]
    choices += [
        (queue, _("Branch queue %(code)s") % {"code": queue[len(BRANCH_QUEUE_PREFIX) :]})
        for queue in branch_queues(user)
    ]
    return choices


def assignee_names(codes) -> dict[str, str]:
    staff_nos = [code for code in codes if not code.startswith(BRANCH_QUEUE_PREFIX)]
    names = dict(Staff.objects.filter(staff_no__in=staff_nos).values_list("staff_no", "name"))
    labels = {}
    for code in codes:
        if code.startswith(BRANCH_QUEUE_PREFIX):
            labels[code] = _("Branch queue %(code)s") % {"code": code[len(BRANCH_QUEUE_PREFIX) :]}
        else:
            labels[code] = f"{code} {names.get(code, '')}".strip()
    return labels


def annotate_follow_up(queryset, user):
    """Next follow-up from the customer's latest contact entered by this user; due ones first."""
    latest_mine = ContactLog.objects.filter(customer=OuterRef("customer_id"), user_name=user.get_username()).order_by(
        "-contacted_at", "-pk"
    )
    today = timezone.localdate()
    return queryset.annotate(
        follow_up=Subquery(latest_mine.values("next_follow_up")[:1]),
        due=Case(When(follow_up__lte=today, then=Value(True)), default=Value(False), output_field=BooleanField()),
    )


class WorkQueueMixin(RestrictedViewMixin):
    """The scoped list items of the signed-in user; the queue tab narrows them further."""

    model = ListItem

    def queue_tabs(self) -> list[str]:
        tabs = ["mine"] if my_staff_no(self.request.user) else []
        if scope_for(self.request.user).staff_no is None:
            tabs += ["branch", "all"]
        return tabs

    def current_queue(self) -> str:
        tabs = self.queue_tabs()
        wanted = self.request.GET.get("queue")
        if wanted in tabs:
            return wanted
        return tabs[0] if tabs else "mine"

    def queue_queryset(self, queryset, queue: str):
        user = self.request.user
        if queue == "mine":
            return queryset.filter(assignee=my_staff_no(user) or "")
        if queue == "branch":
            return queryset.filter(assignee__startswith=BRANCH_QUEUE_PREFIX)
        return queryset

    def item_context(self) -> dict:
        """What every item card needs, computed once per request (no per-item queries)."""
        user = self.request.user
        manager = can_manage_queue(user)
        outcome_labels = dict(ContactLog._meta.get_field("outcome").choices)
        context = {
            "channels": ContactChannel.choices,
            "outcomes": ContactOutcome.choices,
            # an overdue item offers the collection outcomes instead (services.COLLECTION_OUTCOMES)
            "collection_outcomes": [(v, outcome_labels[v]) for v in services.COLLECTION_OUTCOMES],
            "statuses": CHOOSABLE_STATUSES,
            "can_contact": user.has_perm("campaigns.add_contactlog"),
            "can_set_status": user.has_perm("campaigns.change_listitem"),
            "can_manage": manager,
            "today": timezone.localdate(),
        }
        if manager:
            context["assignee_choices"] = assignee_choices(user)
            context["rm_choices"] = [c for c in context["assignee_choices"] if not c[0].startswith(BRANCH_QUEUE_PREFIX)]
        return context


class WorkQueueView(WorkQueueMixin, HtmxTemplateMixin, ListView):
    template_name = "campaigns/workqueue.html"
    partial_template_name = "campaigns/_workqueue_items.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related("customer")
        self.queue = self.current_queue()
        queryset = self.queue_queryset(queryset, self.queue)
        self.filterset = ListItemFilterSet(self.request.GET or None, queryset=queryset)
        queryset = self.filterset.qs if self.filterset.is_bound else queryset
        queryset = self.shown_lists(queryset)
        queryset = annotate_follow_up(queryset, self.request.user)
        status_order = Case(
            *[When(status=s, then=Value(i)) for i, s in enumerate(ListItemStatus.values)], default=Value(9)
        )
        # The collection list comes first whenever it has items (issue 12), in its own order: broken
        # promises on top (their rank), then by overdue amount; the other lists follow as before.
        collection_first = Case(When(kind=ListKind.OVERDUE, then=Value(0)), default=Value(1))
        overdue_rank = Case(When(kind=ListKind.OVERDUE, then=F("rank")), default=Value(0))
        return queryset.order_by(
            collection_first,
            overdue_rank,
            F("due").desc(),
            F("follow_up").asc(nulls_last=True),
            status_order,
            "kind",
            "-as_of",
            "rank",
            "pk",
        )

    def shown_lists(self, queryset):
        """The lists the queue shows: each list's newest as-of date, earlier months only on request."""
        if self.request.GET.get("as_of"):
            return queryset
        return queryset.filter(services.current_lists())

    def progress(self) -> list[dict]:
        """Per assignee: pending / contacted / converted / declined (managers only).

        Counts exactly the items the queue shows (same filters, same current lists): a table that
        also counted superseded months read 300 items for an rm whose queue held 28 (issue 14).
        """
        items = ListItem.objects.restrict(self.request.user, "view")
        if self.filterset.is_bound:
            self.filterset.errors  # noqa: B018 - validates, so cleaned_data exists
            items = self.filterset.filter_queryset(items)
        items = self.shown_lists(items)
        counts: dict[str, dict[str, int]] = {}
        for row in items.values("assignee", "status").annotate(n=Count("id")).order_by():
            counts.setdefault(row["assignee"], {})[row["status"]] = row["n"]
        names = assignee_names(counts)
        rows = []
        for assignee in sorted(counts, key=lambda a: (a.startswith(BRANCH_QUEUE_PREFIX), a)):
            by_status = counts[assignee]
            total = sum(by_status.values())
            rows.append(
                {
                    "assignee": assignee,
                    "name": names[assignee],
                    "statuses": [by_status.get(s, 0) for s in ListItemStatus.values],
                    "total": total,
                    # a broken promise is work to do again, like a pending item
                    "done_rate": percent(
                        total
                        - by_status.get(ListItemStatus.PENDING, 0)
                        - by_status.get(ListItemStatus.PROMISE_BROKEN, 0),
                        total,
                    ),
                }
            )
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.item_context())
        context["filterset"] = self.filterset
        context["queue"] = self.queue
        context["queue_tabs"] = self.queue_tabs()
        context["scope_label"] = scope_label(self.request.user)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["status_labels"] = ListItemStatus.labels
        if self.queue != "mine" or context["can_manage"]:
            context["progress"] = self.progress()
        for item in context["object_list"]:
            item.customer_url = reverse("customers:detail", args=[item.customer_id])
        return context


class BulkAssignView(WorkQueueMixin, View):
    """Many ticked items (and, if asked, their customers) to one rm of the branch (issue 14)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not can_manage_queue(request.user):
            raise PermissionDenied(_("Only managers reassign work."))
        back = request.POST.get("next", "")
        if not back.startswith(reverse("campaigns:workqueue")):
            back = reverse("campaigns:workqueue")  # never a redirect off the site
        rm_choices = [c for c in assignee_choices(request.user) if not c[0].startswith(BRANCH_QUEUE_PREFIX)]
        form = ReassignItemForm(request.POST, assignee_choices=rm_choices)
        if not form.is_valid():
            messages.error(request, _("Choose the relationship manager to assign the selected items to."))
            return redirect(back)
        try:
            result = services.bulk_assign(
                request.POST.getlist("items"),
                form.cleaned_data["assignee"],
                request.user,
                customers_too=request.POST.get("customers_too") == "1",
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
            return redirect(back)
        messages.success(
            request,
            _("%(items)s items and %(customers)s customers assigned to %(name)s.")
            % {
                "items": result.items,
                "customers": result.customers,
                "name": f"{result.assignee.pk} {result.assignee.name}",
            },
        )
        return redirect(back)


class ListItemView(WorkQueueMixin, SingleObjectMixin, View):
    """One item: GET shows it; POST runs one action on it through the services.

    htmx requests get the item card back (the one htmx helper); plain form posts
    are redirected to the queue (post/redirect/get).
    """

    template_name = "campaigns/listitem.html"
    partial_template_name = "campaigns/_item.html"
    actions = ("contact", "status", "reassign", "reassign_customer")

    def get_item(self) -> ListItem:
        queryset = annotate_follow_up(self.get_queryset().select_related("customer"), self.request.user)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def render_item(self, item, *, errors=None, notice=None, status=200):
        item.customer_url = reverse("customers:detail", args=[item.customer_id])
        context = {**self.item_context(), "item": item, "errors": errors or [], "notice": notice}
        contacts = ContactLog.objects.restrict(self.request.user, "view").select_related("staff")
        if item.kind == ListKind.OVERDUE:
            # Each delivery's collection list is a new row per customer: the work done is the customer's
            # collection history over every date's item, so the promise and what followed stay in view.
            contacts = contacts.filter(customer_id=item.customer_id, list_item__kind=ListKind.OVERDUE)
        else:
            contacts = contacts.filter(list_item=item)
        context["contacts"] = contacts[:10]
        return render_page(
            self.request, self.template_name, context, partial_template_name=self.partial_template_name, status=status
        )

    def get(self, request, *args, **kwargs):
        return self.render_item(self.get_item())

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        action = request.POST.get("action")
        if action not in self.actions:
            return self.render_item(item, errors=[_("Unknown action.")], status=400)
        try:
            notice, errors = getattr(self, f"do_{action}")(item)
        except PermissionDenied as exc:
            return self.render_item(item, errors=[str(exc) or _("Not permitted.")], status=403)
        except ValidationError as exc:
            return self.render_item(item, errors=exc.messages, status=400)
        if errors:
            return self.render_item(item, errors=errors, status=400)
        if not getattr(request, "htmx", False):
            messages.success(request, notice)
            return redirect(request.POST.get("next") or reverse("campaigns:workqueue"))
        try:
            refreshed = self.get_item()
        except Http404:
            # Handed to someone outside this user's view: say so instead of a dead card.
            return render_page(
                request,
                self.template_name,
                {"gone": True, "notice": notice},
                partial_template_name=self.partial_template_name,
            )
        return self.render_item(refreshed, notice=notice)

    @staticmethod
    def form_errors(form) -> list[str]:
        return [
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(errs)}"
            for name, errs in form.errors.items()
        ]

    def do_contact(self, item):
        if not self.request.user.has_perm("campaigns.add_contactlog"):
            raise PermissionDenied(_("You may not log contacts."))
        form = ContactForm(self.request.POST, answers=item)  # the item answered is this one, not a choice
        if not form.is_valid():
            return None, self.form_errors(form)
        customer = get_object_or_404(Customer.objects.restrict(self.request.user, "view"), pk=item.customer_id)
        services.log_contact(customer, self.request.user, **{**form.cleaned_data, "list_item": item})
        return _("Contact logged."), []

    def do_status(self, item):
        if not self.request.user.has_perm("campaigns.change_listitem"):
            raise PermissionDenied(_("You may not change list items."))
        form = StatusForm(self.request.POST)
        if not form.is_valid():
            return None, self.form_errors(form)
        services.set_list_item_status(item, form.cleaned_data["status"], self.request.user)
        return _("Status changed."), []

    def do_reassign(self, item):
        if not can_manage_queue(self.request.user):
            raise PermissionDenied(_("Only managers reassign work."))
        form = ReassignItemForm(self.request.POST, assignee_choices=assignee_choices(self.request.user))
        if not form.is_valid():
            return None, self.form_errors(form)
        services.reassign_list_item(item, form.cleaned_data["assignee"], self.request.user)
        return _("Item reassigned."), []

    def do_reassign_customer(self, item):
        if not can_manage_queue(self.request.user):
            raise PermissionDenied(_("Only managers reassign customers."))
        form = ReassignForm(self.request.POST, user=self.request.user)  # the same form as the 360's
        if not form.is_valid():
            return None, self.form_errors(form)
        customer = get_object_or_404(Customer.objects.restrict(self.request.user, "change"), pk=item.customer_id)
        reassign_customer(customer, form.cleaned_data["rm"], self.request.user)
        return _("Customer reassigned."), []


# --------------------------------------------------------------------------- the rm's 今日 page (issue 14)


class TodayView(RestrictedViewMixin, View):
    """The relationship manager's home: what is due today, and a form for a new task or appointment."""

    model = RmTask

    def context(self, request, *, form_errors=None, form_data=None) -> dict:
        from . import tasks

        today = timezone.localdate()
        return {
            "today": today,
            "now_dt": timezone.now(),
            "follow_ups": list(tasks.follow_ups(request.user)[:50]),
            "follow_up_count": tasks.follow_ups(request.user).count(),
            "maturities": list(tasks.maturities(request.user, today=today)),
            "birthdays": tasks.birthdays(request.user, today=today),
            "due_tasks": list(tasks.due_tasks(request.user)),
            "upcoming_tasks": list(tasks.upcoming_tasks(request.user)[:20]),
            "new_items": list(tasks.new_list_items(request.user)[:50]),
            "can_add": request.user.has_perm("campaigns.add_rmtask") and tasks.staff_of(request.user) is not None,
            "kinds": TaskKind.choices,
            "form_errors": form_errors or {},
            "form_data": form_data or {},
            # the customer field suggests the rm's own customers (the one scoped-choices helper)
            "customer_choices": scoped_choices(Customer, request.user)
            .filter(rm=tasks.staff_of(request.user))
            .order_by("customer_no")
            .values_list("customer_no", "name")[:500]
            if tasks.staff_of(request.user) is not None
            else [],
        }

    def get(self, request):
        from bankcrm.core.accesslog import record_access

        context = self.context(request)
        # The birthday list is read from the birth date (a reveal field): each customer it names gets
        # an access-log line, so compliance sees who learnt whose birthday (docs/user-guide.md).
        for row in context["birthdays"]:
            record_access(
                "view", user=request.user, customer_no=row["customer"].pk, fields="birthday", path=request.path
            )
        return render_page(request, "campaigns/today.html", context)

    def post(self, request):
        from . import tasks

        try:
            tasks.create_task(request.POST.dict(), user=request.user)
        except ValidationError as exc:
            return render_page(
                request,
                "campaigns/today.html",
                self.context(request, form_errors=exc.message_dict, form_data=request.POST.dict()),
                status=400,
            )
        messages.success(request, _("Saved."))
        return redirect("campaigns:today")


class TaskDoneView(RestrictedViewMixin, View):
    """Tick one task off; another rm's task is a 404, as if it did not exist."""

    model = RmTask
    restrict_action = "change"

    def post(self, request, pk):
        from . import tasks

        get_object_or_404(RmTask.objects.restrict(request.user, "view"), pk=pk)
        try:
            tasks.mark_task_done(pk, user=request.user)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("Marked as done."))
        return redirect("campaigns:today")


class _WorkbookExportView(RestrictedViewMixin, View):
    """An xlsx of the user's own records, logged as one export line in the access log."""

    filename = ""
    label = ""

    def workbook(self, user):
        raise NotImplementedError

    def get(self, request):
        from django.http import HttpResponse

        from bankcrm.core.accesslog import record_access

        from .workbooks import XLSX

        book, rows = self.workbook(request.user)
        response = HttpResponse(content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}-{timezone.localdate():%Y%m%d}.xlsx"'
        book.save(response)
        record_access("export", user=request.user, path=request.get_full_path(), detail=f"{self.label}, {rows} rows")
        return response


class MyCustomersExportView(_WorkbookExportView):
    model = Customer
    filename = "my-customers"
    label = "my customers"

    def workbook(self, user):
        from .workbooks import customers_workbook

        return customers_workbook(user)


class MyQueueExportView(_WorkbookExportView):
    model = ListItem
    filename = "my-queue"
    label = "my work queue"

    def workbook(self, user):
        from .workbooks import queue_workbook

        return queue_workbook(user)
