"""Pages of the complaint desk: queue, registration (with live deadline preview), timeline, reports."""

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bankcrm.core.accesslog import record_access
from bankcrm.core.exceptions import TransitionNotAllowed
from bankcrm.core.querysets import still_in_scope
from bankcrm.core.views import render_page
from bankcrm.org.models import Branch
from bankcrm.org.scope import branch_descendants

from . import policies, reports, services
from .choices import Action, Category, ClockState, Status, Tier
from .filtersets import ComplaintFilterSet, with_next_due
from .forms import RegisterForm, TransitionForm
from .models import Complaint


def _decorate(complaint, now):
    """Colour and countdown of the nearest unmet obligation (a breach first) for the queue."""
    unmet = [d for d in complaint.deadlines.all() if d.binding and d.met_at is None and d.state != ClockState.STOPPED]
    complaint.breached_count = sum(1 for d in unmet if d.live_state(now) == ClockState.BREACHED)
    nearest = min(unmet, key=lambda d: d.due_at, default=None)
    complaint.nearest = nearest
    complaint.days_left = None
    complaint.colour = "secondary"
    if nearest is not None:
        complaint.days_left = (nearest.due_date - policies.local_date(complaint.policy, now)).days
        complaint.days_overdue = -complaint.days_left
        if complaint.breached_count:
            complaint.colour = "danger"
        elif complaint.days_left <= services.warn_days():
            complaint.colour = "warning"
        else:
            complaint.colour = "success"
    return complaint


@login_required
def queue(request):
    if not request.user.has_perm("complaints.view_complaint"):
        raise PermissionDenied  # an empty queue would read as "no complaints"
    base = with_next_due(
        Complaint.objects.restrict(request.user, "view").select_related("branch", "assignee", "customer")
    ).prefetch_related("deadlines")
    data = request.GET.copy()
    if "open" not in data:
        data["open"] = "true"
    filterset = ComplaintFilterSet(data, queryset=base, request=request)
    qs = filterset.qs.order_by(F("next_due").asc(nulls_last=True), "-received_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for complaint in page:
        _decorate(complaint, now)
    context = {"filter": filterset, "page": page, "statuses": Status.choices, "tiers": Tier.choices,
               "categories": Category.choices, "query": data}  # fmt: skip
    return render_page(request, "complaints/queue.html", context, partial_template_name="complaints/_queue_table.html")


@login_required
def register(request):
    if not request.user.has_perm("complaints.add_complaint"):
        raise PermissionDenied
    if request.method == "POST":
        form = RegisterForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                complaint = services.register_complaint(
                    user=request.user, branch=d["branch"], channel=d["channel"], category=d["category"],
                    description=d["description"], policy=d["policy"], payment_service=d["payment_service"],
                    received_at=d["received_moment"], customer=d["customer"], product=d["product"],
                    staff_involved=d["staff_involved"], amount_in_dispute=d["amount_in_dispute"],
                    severity=d["severity"], vulnerable=d["vulnerable"],
                )  # fmt: skip
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Complaint %(ref)s registered.") % {"ref": complaint.reference})
                if still_in_scope(complaint, request.user):
                    return redirect("complaints:detail", reference=complaint.reference)
                return redirect("complaints:register")
    else:
        form = RegisterForm(request.GET or None, user=request.user)
    source = request.POST if request.method == "POST" else request.GET
    preview_form = RegisterForm(source, user=request.user)
    context = {"form": form, "preview": preview_form.preview()}
    return render_page(request, "complaints/register.html", context, partial_template_name="complaints/_preview.html")


@login_required
def detail(request, reference):
    complaint = get_object_or_404(
        Complaint.objects.restrict(request.user, "view").select_related("branch", "customer", "product", "assignee"),
        reference=reference,
    )
    if complaint.customer_id:  # the complaint's story is the customer's personal data
        record_access(
            "view",
            user=request.user,
            customer_no=complaint.customer_id,
            path=request.path,
            detail=complaint.reference,
        )
    now = timezone.now()
    deadlines = list(complaint.deadlines.order_by("due_at", "pk"))
    for d in deadlines:
        d.live = d.live_state(now)
        d.live_label = ClockState(d.live).label
    context = {
        "complaint": complaint,
        "deadlines": deadlines,
        "events": complaint.events.order_by("time", "pk"),
        "allowed": [(a, Action(a).label) for a in services.allowed_actions(complaint.status)],
        "can_handle": request.user.has_perm("complaints.change_complaint"),
        "form": TransitionForm(),
    }
    return render_page(request, "complaints/detail.html", context)


@login_required
@require_POST
def transition(request, reference):
    complaint = get_object_or_404(Complaint.objects.restrict(request.user, "view"), reference=reference)
    if not request.user.has_perm("complaints.change_complaint"):
        raise PermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{_field_label(form, field)}: {' '.join(errors)}")
        return redirect("complaints:detail", reference=reference)
    d = form.cleaned_data
    try:
        services.transition(
            complaint, d["action"], user=request.user, note=d["note"], reason=d["reason"],
            root_cause=d["root_cause"], satisfaction=d["satisfaction"], remedy=d["remedy"],
            compensation=d["compensation"],
        )  # fmt: skip
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        # The service's messages already name what is missing, in the user's language.
        for errors in exc.message_dict.values():
            messages.error(request, " ".join(errors))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Not permitted."))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(d["action"]).label})
    return redirect("complaints:detail", reference=reference)


def _field_label(form, field: str) -> str:
    """The field as the form labels it (never the internal field name)."""
    if field in form.fields and form.fields[field].label:
        return str(form.fields[field].label)
    return str(_("Action")) if field == "action" else field


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def report(request):
    today = timezone.localdate()
    start = _parse_date(request.GET.get("start"), today.replace(day=1))
    end = _parse_date(request.GET.get("end"), today)
    complaints = reports.complaints_for(request.user)
    branch_codes = None
    if code := (request.GET.get("branch") or "").strip():
        branch_codes = branch_descendants(code)
        complaints = complaints.filter(branch__in=sorted(branch_codes))
    if category := request.GET.get("category"):
        complaints = complaints.filter(category=category)
    if tier := request.GET.get("tier"):
        complaints = complaints.filter(tier=tier)
    customers = reports.customers_for(request.user, branch_codes)
    figures = reports.compute(complaints, customers, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        body = reports.excel(figures, start=start, end=end, scope_label=code or "")
        record_access(
            "export", user=request.user, path=request.get_full_path(), detail=f"complaint report {start}..{end}"
        )
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="complaints-{start}-{end}.xlsx"'
        return response
    context = {
        "figures": figures,
        "start": start,
        "end": end,
        "branches": Branch.objects.all(),
        "categories": Category.choices,
        "tiers": Tier.choices,
        "query": request.GET,
        "chart": json.dumps(reports.pareto_chart(figures), ensure_ascii=False),
        "export_query": request.GET.urlencode(),
    }
    return render_page(request, "complaints/report.html", context)
