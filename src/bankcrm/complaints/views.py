"""Pages of the complaint desk: queue, registration (with live deadline preview), timeline, reports."""

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bankcrm.core.accesslog import record_access
from bankcrm.core.exceptions import TransitionNotAllowed
from bankcrm.core.forms import find_in_scope
from bankcrm.core.querysets import still_in_scope
from bankcrm.core.views import render_page
from bankcrm.customers.masking import mask_phone, search_detail
from bankcrm.customers.models import Customer
from bankcrm.org.models import Branch
from bankcrm.org.scope import branch_descendants

from . import attachments, policies, reports, services
from .choices import Action, Category, ClockState, Status, Tier
from .filtersets import ComplaintFilterSet, with_next_due
from .forms import AssignForm, DetailsForm, RegisterForm, TransitionForm
from .letters import render_letter
from .models import Attachment, Complaint, LetterTemplate


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
    if (data.get("q") or "").strip():  # a search by a customer's name or phone is a search of personal data
        record_access("search", user=request.user, path=request.path, detail=search_detail(data))
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
    can_handle = request.user.has_perm("complaints.change_complaint")
    allowed = services.allowed_actions(complaint.status)
    context = {
        "complaint": complaint,
        "customer": _customer_card(complaint, request.user),
        "deadlines": deadlines,
        "events": complaint.events.order_by("time", "pk"),
        # Reassigning has its own form (a list of handlers), not the action form's fields.
        "allowed": [(a, Action(a).label) for a in allowed if a != Action.ASSIGN],
        "can_handle": can_handle,
        "can_edit": can_handle and complaint.status != Status.CLOSED,
        "form": TransitionForm(),
        "letter_templates": LetterTemplate.objects.filter(active=True) if can_handle else [],
        "attachments": complaint.attachments.all(),
        "attachment_kinds": Attachment.Kind.choices,
        "attachment_types": ", ".join(attachments.allowed_types()),
        "attachment_max_mb": f"{attachments.max_bytes() / 1048576:.0f}",
        "assign_form": (
            AssignForm(complaint=complaint, user=request.user) if can_handle and Action.ASSIGN in allowed else None
        ),
    }
    return render_page(request, "complaints/detail.html", context)


def _customer_card(complaint, user) -> dict | None:
    """Name, masked phone and the 360 link of the complaint's customer, if the user may see that customer.

    A complaint can be in a desk's scope while its customer is not (registered at another branch):
    then only the customer number shows, as before.
    """
    if not complaint.customer_id:
        return None
    customer = find_in_scope(Customer, user, complaint.customer_id)
    if customer is None:
        return {"customer_no": complaint.customer_id, "visible": False}
    return {
        "customer_no": customer.customer_no,
        "visible": True,
        "name": customer.name,
        "phone": mask_phone(customer.phone),
    }


def _handled_complaint(request, reference) -> Complaint:
    complaint = get_object_or_404(Complaint.objects.restrict(request.user, "view"), reference=reference)
    if not request.user.has_perm("complaints.change_complaint"):
        raise PermissionDenied(_("Handling complaints needs the complaint handler's permission."))
    return complaint


@login_required
@require_POST
def assign(request, reference):
    complaint = _handled_complaint(request, reference)
    form = AssignForm(request.POST, complaint=complaint, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("complaints:detail", reference=reference)
    try:
        services.assign(
            complaint, user=request.user, assignee=form.cleaned_data["assignee"], note=form.cleaned_data["note"]
        )
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(
            request,
            _("%(ref)s assigned to %(name)s.") % {"ref": complaint.reference, "name": form.cleaned_data["assignee"]},
        )
        if not still_in_scope(complaint, request.user):
            return redirect("complaints:queue")
    return redirect("complaints:detail", reference=reference)


@login_required
def edit(request, reference):
    complaint = _handled_complaint(request, reference)
    if complaint.status == Status.CLOSED:
        messages.error(request, _("%(ref)s is closed: its details can no longer be changed.") % {"ref": reference})
        return redirect("complaints:detail", reference=reference)
    initial = {
        "category": complaint.category,
        "amount_in_dispute": complaint.amount_in_dispute,
        "customer_no": complaint.customer_id or "",
    }
    form = DetailsForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_details(
                complaint, user=request.user, category=d["category"], amount_in_dispute=d["amount_in_dispute"],
                clear_amount=d["amount_in_dispute"] is None, customer=d["customer"],
                clear_customer=d["customer"] is None,
            )  # fmt: skip
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("complaints:detail", reference=reference)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Details of %(ref)s saved.") % {"ref": reference})
            return redirect("complaints:detail", reference=reference)
    return render_page(request, "complaints/edit.html", {"complaint": complaint, "form": form})


@login_required
@require_POST
def attach(request, reference):
    complaint = _handled_complaint(request, reference)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("complaints:detail", reference=reference)
    try:
        attachments.add_attachment(
            complaint, user=request.user, file=upload, kind=request.POST.get("kind") or Attachment.Kind.EVIDENCE
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(request, _("%(name)s attached.") % {"name": upload.name})
    return redirect("complaints:detail", reference=reference)


@login_required
def attachment_download(request, reference, pk):
    """The file itself, only through here: scope checked, and the download in the access log."""
    complaint = get_object_or_404(Complaint.objects.restrict(request.user, "view"), reference=reference)
    attachment = get_object_or_404(complaint.attachments.all(), pk=pk)
    record_access(
        "export",
        user=request.user,
        customer_no=complaint.customer_id or "",
        path=request.path,
        detail=f"attachment {attachment.pk} {attachment.original_name}"[:300],
    )
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def letter(request, reference, template_id):
    """The response letter for this complaint: a print view (HTML) or ``?format=txt`` to download.

    The letter carries the customer's name, so opening it is a view of personal data and the
    download an export, both in the access log.
    """
    complaint = get_object_or_404(
        Complaint.objects.restrict(request.user, "view").select_related("branch", "customer", "assignee"),
        reference=reference,
    )
    if not request.user.has_perm("complaints.change_complaint"):
        raise PermissionDenied(_("Handling complaints needs the complaint handler's permission."))
    template = get_object_or_404(LetterTemplate.objects.filter(active=True), pk=template_id)
    rendered = render_letter(template, complaint, user=request.user)
    download = request.GET.get("format") == "txt"
    record_access(
        "export" if download else "view",
        user=request.user,
        customer_no=complaint.customer_id or "",
        path=request.get_full_path(),
        detail=f"letter {template.pk} {complaint.reference}",
    )
    if download:
        text = f"{rendered['subject']}\n\n{rendered['body']}" if rendered["subject"] else rendered["body"]
        response = HttpResponse(text.replace("\n", "\r\n"), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{complaint.reference}-letter.txt"'
        return response
    return render_page(request, "complaints/letter.html", {"complaint": complaint, "letter": rendered})


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
def monthly_return(request):
    """The regulator's monthly complaint return as Excel: ``?month=YYYY-MM`` (default last month)."""
    today = timezone.localdate()
    default = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    raw = (request.GET.get("month") or "").strip()
    try:
        month = dt.date.fromisoformat(f"{raw}-01") if raw else default
    except ValueError:
        return HttpResponse(
            _("month: give it as YYYY-MM (e.g. %(example)s), not %(value)s")
            % {"example": default.strftime("%Y-%m"), "value": raw},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    complaints = reports.complaints_for(request.user)
    code = (request.GET.get("branch") or "").strip()
    if code:
        complaints = complaints.filter(branch__in=sorted(branch_descendants(code)))
    body = reports.monthly_return_excel(reports.monthly_return(complaints, month), scope_label=code)
    record_access("export", user=request.user, path=request.get_full_path(), detail=f"complaint return {month:%Y-%m}")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="complaint-return-{month:%Y-%m}.xlsx"'
    return response


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
        "last_month": f"{(today.replace(day=1) - dt.timedelta(days=1)):%Y-%m}",
    }
    return render_page(request, "complaints/report.html", context)
