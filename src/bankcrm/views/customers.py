"""Customer pages: search and the customer 360 — scoped through ``RestrictedViewMixin``, masked,
and every 360 view written to the access log."""

import json
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, View
from django_filters.views import FilterView

from bankcrm.campaigns.forms import ContactForm
from bankcrm.campaigns.services import log_contact
from bankcrm.core.accesslog import record_access
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin, render_page
from bankcrm.customer360 import aum_chart_option, build_360, change_history, monthly_chart_option
from bankcrm.customer_search import CustomerFilterSet, with_latest_tier
from bankcrm.customers import services
from bankcrm.customers.forms import CustomerTagForm, KycAssessmentForm, ReassignForm, RevealForm
from bankcrm.customers.masking import mask_id_number, mask_phone, search_detail
from bankcrm.customers.models import Customer

SEARCH_TOKENS = "customer_search_tokens"
KEPT_SEARCHES = 20


def remember_search(session, term: str) -> str:
    """A short random token standing for the search term in the URL; the term stays in the session."""
    tokens = dict(session.get(SEARCH_TOKENS, {}))
    token = secrets.token_urlsafe(9)
    tokens[token] = term
    session[SEARCH_TOKENS] = dict(list(tokens.items())[-KEPT_SEARCHES:])
    return token


class CustomerListView(RestrictedViewMixin, HtmxTemplateMixin, FilterView):
    """Search. The page's form POSTs the term and the URL carries only a token (``?s=…``); ``?q=``
    still works for links and bookmarks of names and customer numbers."""

    model = Customer
    filterset_class = CustomerFilterSet
    template_name = "customers/customer_list.html"
    partial_template_name = "customers/_customer_table.html"
    paginate_by = 50

    def get_queryset(self):
        return with_latest_tier(super().get_queryset().select_related("branch", "rm"), self.request)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        token = self.request.GET.get("s")
        if token:
            data = self.request.GET.copy()
            data.pop("s")
            data["q"] = self.request.session.get(SEARCH_TOKENS, {}).get(token, "")
            kwargs["data"] = data
        return kwargs

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        searched = self.filterset.data if self.filterset.is_bound else {}
        if (searched.get("q") or "").strip():
            record_access("search", user=request.user, path=request.path, detail=search_detail(searched))
        return response

    def post(self, request, *args, **kwargs):
        params = {key: request.POST[key] for key in ("branch", "tier", "rm", "tag") if request.POST.get(key)}
        if request.POST.get("q", "").strip():
            params["s"] = remember_search(request.session, request.POST["q"].strip())
        url = f"{reverse('customers:list')}?{urlencode(params)}" if params else reverse("customers:list")
        if not request.htmx:
            return redirect(url)
        request.GET = QueryDict(urlencode(params))
        response = self.get(request, *args, **kwargs)
        response["HX-Push-Url"] = url
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for customer in context["object_list"]:
            customer.id_number_masked = mask_id_number(customer.id_number)
            customer.phone_masked = mask_phone(customer.phone)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        user = self.request.user
        if user.has_perm("customers.change_customer"):  # a branch head's bulk 归户 (issue 14)
            context["bulk_form"] = ReassignForm(user=user)
        return context


class CustomerBulkAssignView(RestrictedViewMixin, View):
    """Ticked customers of the list to one relationship manager of the branch (issue 14)."""

    model = Customer
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("customers.change_customer"):
            raise PermissionDenied(_("You may not reassign customers."))
        back = request.POST.get("next", "")
        if not back.startswith(reverse("customers:list")):
            back = reverse("customers:list")  # never a redirect off the site
        form = ReassignForm(request.POST, user=request.user)
        if not form.is_valid() or form.cleaned_data["rm"] is None:
            messages.error(request, _("Choose the relationship manager to give the selected customers to."))
            return redirect(back)
        staff = form.cleaned_data["rm"]
        try:
            moved = services.reassign_customers(request.POST.getlist("customers"), staff, request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
            return redirect(back)
        messages.success(
            request, _("%(n)s customers given to %(name)s.") % {"n": moved, "name": f"{staff.pk} {staff.name}"}
        )
        return redirect(back)


class CustomerObjectMixin(RestrictedViewMixin):
    """One customer looked up through the scoping door: out of scope is a 404 like a missing one."""

    model = Customer
    slug_field = "customer_no"
    slug_url_kwarg = "customer_no"
    pk_url_kwarg = "customer_no"
    context_object_name = "customer"

    def get_queryset(self):
        return super().get_queryset().select_related("branch", "rm")


def detail_context(request, customer, **extra) -> dict:
    view = build_360(customer, request.user)
    user = request.user
    context = {
        "customer": customer,
        "c360": view,
        "monthly_chart": json.dumps(monthly_chart_option(view.months)) if view.months else "",
        "can_reveal": user.has_perm("customers.reveal_customer"),
        "can_contact": user.has_perm("campaigns.add_contactlog"),
        "can_reassign": user.has_perm("customers.change_customer")
        and Customer.objects.restrict(user, "change").filter(pk=customer.pk).exists(),
        "reveal_form": RevealForm(),
        "contact_form": ContactForm(customer=customer, user=user),
    }
    if context["can_reassign"]:
        context["reassign_form"] = ReassignForm(user=user, initial={"rm": customer.rm_id})
    # the customer is in the user's scope already (the page is scoped): the permission decides
    context["can_assess_kyc"] = user.has_perm("customers.add_kycassessment")
    if context["can_assess_kyc"]:
        context.setdefault("kyc_form", KycAssessmentForm())
    context["tags"] = list(customer.tags.all())
    context["household"] = household(customer, user)
    context["can_tag"] = user.has_perm("customers.add_customertag")
    if context["can_tag"]:
        context.setdefault("tag_form", CustomerTagForm())
    # the change log is an audit trail: compliance and admins only; for everyone else the section is absent
    if user.has_perm("core.view_objectchange"):
        context["change_history"] = change_history(customer)
    context.update(extra)
    return context


HOUSEHOLD_MAX = 20


def household(customer, user) -> list:
    """Customers at the same address (normalized, exact; indexed) that the user may see, masked as in
    the list. A customer without an address has no household (blank would match every blank)."""
    if not customer.address_key:
        return []
    others = list(
        Customer.objects.restrict(user, "view")
        .filter(address_key=customer.address_key)
        .exclude(pk=customer.pk)
        .select_related("rm")
        .order_by("customer_no")[:HOUSEHOLD_MAX]
    )
    for other in others:
        other.phone_masked = mask_phone(other.phone)
        other.id_number_masked = mask_id_number(other.id_number)
    return others


class CustomerDetailView(CustomerObjectMixin, DetailView):
    template_name = "customers/customer_detail.html"

    def get(self, request, *args, **kwargs):
        customer = self.get_object()
        response = render_page(request, self.template_name, detail_context(request, customer))
        record_access("view", user=request.user, customer_no=customer.pk, path=request.path)
        return response


class CustomerAumDailyView(CustomerObjectMixin, DetailView):
    """The 90-day daily AUM chart, loaded by htmx after the 360 renders (it scans 90 partitions)."""

    template_name = "customers/_aum_daily.html"

    def get(self, request, *args, **kwargs):
        customer = self.get_object()
        option = aum_chart_option(customer, days=90)
        return render_page(request, self.template_name, {"chart": json.dumps(option) if option else ""})


class CustomerRevealView(CustomerObjectMixin, DetailView):
    """Show the full ID number / mobile: a separate permission, a reason, and a line in the access log."""

    template_name = "customers/reveal.html"
    partial_template_name = "customers/_identity.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("customers.reveal_customer"):
            raise PermissionDenied(_("You may not see personal data unmasked."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        customer = self.get_object()
        return render_page(request, self.template_name, {"customer": customer, "reveal_form": RevealForm()})

    def post(self, request, *args, **kwargs):
        customer = self.get_object()
        form = RevealForm(request.POST)
        if not form.is_valid():
            context = {
                "customer": customer,
                "reveal_form": form,
                "id_number_masked": mask_id_number(customer.id_number),
                "phone_masked": mask_phone(customer.phone),
                "can_reveal": True,
            }
            return render_page(
                request, self.template_name, context, partial_template_name=self.partial_template_name, status=400
            )
        revealed = services.reveal_personal_data(
            customer,
            request.user,
            fields=form.cleaned_data["fields"],
            reason=form.cleaned_data["reason"],
            path=request.path,
        )
        context = {
            "customer": customer,
            "revealed": revealed,
            "id_number_masked": mask_id_number(customer.id_number),
            "phone_masked": mask_phone(customer.phone),
        }
        return render_page(request, self.template_name, context, partial_template_name=self.partial_template_name)


class CustomerContactView(CustomerObjectMixin, DetailView):
    """Log a contact from the 360 (customers.services.log_contact)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("campaigns.add_contactlog"):
            raise PermissionDenied(_("You may not log contacts."))
        customer = self.get_object()
        form = ContactForm(request.POST, customer=customer, user=request.user)
        if form.is_valid():
            try:
                log_contact(customer, request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if not request.htmx:
                    messages.success(request, _("Contact saved."))
                    return redirect("customers:detail", customer_no=customer.pk)
                form = ContactForm(customer=customer, user=request.user)
        status = 400 if form.errors else 200
        if not request.htmx and form.errors:
            return render_page(
                request,
                "customers/customer_detail.html",
                detail_context(request, customer, contact_form=form),
                status=status,
            )
        view = build_360(customer, request.user)
        return render_page(
            request,
            "customers/_contacts.html",
            {"customer": customer, "c360": view, "contact_form": form, "can_contact": True},
            status=status,
        )


class CustomerReassignView(CustomerObjectMixin, DetailView):
    """归户: a branch manager gives the customer to another rm of their branch (htmx form on the 360)."""

    http_method_names = ["post"]
    restrict_action = "change"

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("customers.change_customer"):
            raise PermissionDenied(_("You may not reassign customers."))
        customer = self.get_object()
        form = ReassignForm(request.POST, user=request.user)
        status = 200
        if form.is_valid():
            try:
                customer = services.reassign_customer(customer, form.cleaned_data["rm"], request.user)
            except ValidationError as exc:
                form.add_error("rm", exc.messages[0] if exc.messages else str(exc))
                status = 400
            except PermissionDenied as exc:
                form.add_error("rm", str(exc))
                status = 400
            else:
                customer = Customer.objects.select_related("branch", "rm").get(pk=customer.pk)
                form = ReassignForm(user=request.user, initial={"rm": customer.rm_id})
                if not request.htmx:
                    messages.success(request, _("Customer reassigned."))
                    return redirect("customers:detail", customer_no=customer.pk)
        else:
            status = 400
        return render_page(
            request,
            "customers/_owner.html",
            {"customer": customer, "reassign_form": form, "can_reassign": True, "saved": status == 200},
            status=status,
        )


class CustomerKycView(CustomerObjectMixin, DetailView):
    """Record a new KYC assessment from the questionnaire score (services.record_kyc_assessment)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("customers.add_kycassessment"):
            raise PermissionDenied(_("You may not record KYC assessments."))
        customer = self.get_object()
        form = KycAssessmentForm(request.POST)
        if form.is_valid():
            try:
                assessment = services.record_kyc_assessment(customer, request.user, score=form.cleaned_data["score"])
            except ValidationError as exc:
                form.add_error("score", exc.messages[0] if exc.messages else str(exc))
            else:
                messages.success(
                    request,
                    _("KYC assessment saved: %(level)s, valid until %(date)s.")
                    % {"level": assessment.get_risk_level_display(), "date": assessment.expires_date.isoformat()},
                )
                return redirect(reverse("customers:detail", kwargs={"customer_no": customer.pk}) + "#kyc")
        return render_page(
            request,
            "customers/customer_detail.html",
            detail_context(request, customer, kyc_form=form),
            status=400,
        )


class CustomerTagView(CustomerObjectMixin, DetailView):
    """Add a tag (``name``) to the customer or take one off (``remove``) — services.add/remove_customer_tag."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("customers.add_customertag"):
            raise PermissionDenied(_("You may not tag customers."))
        customer = self.get_object()
        back = reverse("customers:detail", kwargs={"customer_no": customer.pk}) + "#tags"
        if "remove" in request.POST:
            services.remove_customer_tag(customer, request.user, request.POST["remove"])
            return redirect(back)
        form = CustomerTagForm(request.POST)
        if form.is_valid():
            try:
                services.add_customer_tag(customer, request.user, form.cleaned_data["name"])
            except ValidationError as exc:
                form.add_error("name", exc.messages[0] if exc.messages else str(exc))
            else:
                return redirect(back)
        return render_page(
            request, "customers/customer_detail.html", detail_context(request, customer, tag_form=form), status=400
        )
