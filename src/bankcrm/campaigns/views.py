"""The work queue (名单制管理): a relationship manager's lists, contacts on them, and a manager's
reassignments — scoped through ``RestrictedViewMixin``, every change through ``services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Count, F, OuterRef, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, View
from django.views.generic.detail import SingleObjectMixin

from bankcrm.core.money import percent
from bankcrm.core.views import HtmxTemplateMixin, RestrictedViewMixin, render_page
from bankcrm.customers.choices import ContactChannel, ContactOutcome
from bankcrm.customers.forms import ReassignForm
from bankcrm.customers.models import Customer
from bankcrm.customers.services import reassign_customer
from bankcrm.org.choices import StaffStatus
from bankcrm.org.models import Branch, Staff
from bankcrm.org.scope import scope_for, scope_label

from . import services
from .choices import BRANCH_QUEUE_PREFIX, ListItemStatus
from .filtersets import ListItemFilterSet
from .forms import ContactForm, ReassignItemForm, StatusForm
from .models import ContactLog, ListItem


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
        context = {
            "channels": ContactChannel.choices,
            "outcomes": ContactOutcome.choices,
            "statuses": ListItemStatus.choices,
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
        if not self.request.GET.get("as_of"):
            queryset = queryset.filter(services.current_lists())  # earlier months' lists only on request
        queryset = annotate_follow_up(queryset, self.request.user)
        status_order = Case(
            *[When(status=s, then=Value(i)) for i, s in enumerate(ListItemStatus.values)], default=Value(9)
        )
        return queryset.order_by(
            F("due").desc(), F("follow_up").asc(nulls_last=True), status_order, "kind", "-as_of", "rank", "pk"
        )

    def progress(self) -> list[dict]:
        """Per assignee: pending / contacted / converted / declined (managers only)."""
        items = ListItem.objects.restrict(self.request.user, "view")
        if self.filterset.is_bound:
            self.filterset.errors  # noqa: B018 - validates, so cleaned_data exists
            items = self.filterset.filter_queryset(items)
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
                    "done_rate": percent(total - by_status.get(ListItemStatus.PENDING, 0), total),
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
        context["contacts"] = (
            ContactLog.objects.restrict(self.request.user, "view").filter(list_item=item).select_related("staff")[:10]
        )
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
        form = ContactForm(self.request.POST)  # the item answered is this one, not a choice
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
