import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankcrm.core.forms import find_in_scope, scoped_choices
from bankcrm.customers.models import Customer, Product
from bankcrm.org.models import Branch, Staff

from . import policies, services
from .choices import TRANSITION_ACTIONS, Category, Channel, Policy, RootCause, Satisfaction, Severity


class RegisterForm(forms.Form):
    """Counter and phone staff register a complaint; the deadlines show as they type (htmx preview)."""

    customer_no = forms.CharField(label=_("customer no."), required=False)
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.all(), required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    policy = forms.ChoiceField(label=_("deadline policy"), choices=Policy.choices, initial=Policy.CN)
    payment_service = forms.BooleanField(label=_("payment-services complaint (uk)"), required=False)
    received_at = forms.DateTimeField(
        label=_("received at (local time of the policy)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.all(), required=False)
    staff_no = forms.CharField(label=_("staff involved (staff no.)"), required=False)
    amount_in_dispute = forms.DecimalField(label=_("amount in dispute"), required=False, min_value=0, decimal_places=2)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.LOW)
    vulnerable = forms.BooleanField(
        label=_("customer aged 65 or more (derived from the birth date when known)"), required=False
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            # Only branches in the user's scope (an rm has none: the customer's branch is used).
            self.fields["branch"].queryset = scoped_choices(Branch, user)
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"id_{name}")

    def received_moment(self, cleaned=None) -> dt.datetime | None:
        """The form's time is the policy desk's wall-clock time (a counter clerk's local time)."""
        data = cleaned if cleaned is not None else self.cleaned_data
        value, policy = data.get("received_at"), data.get("policy") or Policy.CN
        if value is None:
            return None
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_current_timezone())
        return value.replace(tzinfo=policies.POLICIES[policy].tz)

    def clean(self):
        data = super().clean()
        customer = None
        if no := (data.get("customer_no") or "").strip():
            customer = find_in_scope(Customer, self.user, no)
            if customer is None:
                self.add_error("customer_no", _("no customer %(no)s in your scope") % {"no": no})
        data["customer"] = customer
        if data.get("branch") is None:
            profile = getattr(self.user, "profile", None)
            data["branch"] = customer.branch if customer else getattr(profile, "branch", None)
            if data["branch"] is None:
                self.add_error("branch", _("choose the branch the complaint belongs to"))
        data["staff_involved"] = None
        if staff_no := (data.get("staff_no") or "").strip():
            data["staff_involved"] = Staff.objects.filter(pk=staff_no).first()
            if data["staff_involved"] is None:
                self.add_error("staff_no", _("unknown staff member %(no)s") % {"no": staff_no})
        moment = self.received_moment(data)
        if moment is not None and (message := services.receipt_time_error(moment, timezone.now())):
            self.add_error("received_at", message)
        data["received_moment"] = moment
        return data

    def preview(self) -> list[dict]:
        """Deadlines for the data typed so far (no validation errors shown while typing)."""
        policy = self.data.get("policy") or Policy.CN
        if policy not in policies.POLICIES:
            return []
        field = self.fields["received_at"]
        try:
            value = field.clean(self.data.get("received_at") or None)
        except forms.ValidationError:
            value = None
        moment = self.received_moment({"received_at": value, "policy": policy}) or timezone.now()
        payment = self.data.get("payment_service") in ("on", "true", "1", "True")
        return policies.preview(policy, moment, payment_service=payment)


class TransitionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
            field.widget.attrs.setdefault("id", f"id_{name}")

    action = forms.ChoiceField(choices=[(a.value, a.label) for a in TRANSITION_ACTIONS])
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("reason"), required=False)
    root_cause = forms.ChoiceField(label=_("root cause"), choices=[("", "—"), *RootCause.choices], required=False)
    remedy = forms.CharField(label=_("remedy"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    compensation = forms.DecimalField(label=_("compensation paid"), required=False, min_value=0, decimal_places=2)
    satisfaction = forms.ChoiceField(
        label=_("satisfaction survey"), choices=[("", _("no answer")), *Satisfaction.choices], required=False
    )


def _bootstrap(form: forms.Form) -> None:
    for name, field in form.fields.items():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
        field.widget.attrs.setdefault("id", f"id_{name}")


class AssignForm(forms.Form):
    """Hand a complaint to another handler: only those ``services.assignable_handlers`` offers."""

    assignee = forms.ChoiceField(label=_("assign to"))
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, complaint, user, **kwargs):
        super().__init__(*args, **kwargs)
        handlers = services.assignable_handlers(complaint, user)
        self.fields["assignee"].choices = [(u.get_username(), handler_label(u)) for u in handlers]
        self.fields["assignee"].initial = complaint.assignee.get_username() if complaint.assignee else None
        _bootstrap(self)
        self.fields["assignee"].widget.attrs["id"] = "id_assignee"
        self.fields["note"].widget.attrs["id"] = "id_assign_note"


def handler_label(user) -> str:
    """``desk2 (王芳)``: the login, and the staff member's name when the login stands for one."""
    staff = getattr(getattr(user, "profile", None), "staff", None)
    name = getattr(staff, "name", "") or user.get_full_name()
    return f"{user.get_username()} ({name})" if name else user.get_username()


class DetailsForm(forms.Form):
    """Correct what was registered: category, amount in dispute, customer (spec/complaints.md fields)."""

    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    amount_in_dispute = forms.DecimalField(
        label=_("amount in dispute"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    customer_no = forms.CharField(label=_("customer no."), required=False, max_length=30)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        data["customer"] = None
        if no := (data.get("customer_no") or "").strip():
            data["customer"] = find_in_scope(Customer, self.user, no)
            if data["customer"] is None:
                self.add_error("customer_no", _("no customer %(no)s in your scope") % {"no": no})
        return data
