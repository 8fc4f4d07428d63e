"""Forms of campaigns and sales, and of the work queue (名单制管理): the one contact form (360 and
queue), status, reassignment. Giving a customer to another rm (归户) uses customers' ReassignForm.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankcrm.core.forms import find_in_scope, scoped_choices
from bankcrm.customers.models import Customer, Product

from .choices import CollectionOutcome, ListItemStatus, ListKind, SaleChannel
from .models import ContactLog, ListItem
from .services import check_collection_fields


class SaleForm(forms.Form):
    """The counter / lobby-tablet sale form; the same checks as POST /api/sales/ before the service runs."""

    customer_no = forms.CharField(label=_("Customer no."), max_length=30)
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.order_by("category", "code"))
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=18, decimal_places=2)
    channel = forms.ChoiceField(label=_("Channel"), choices=SaleChannel.choices, initial=SaleChannel.PAD)
    sale_date = forms.DateField(label=_("Sale date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    recording_ref = forms.CharField(label=_("Recording reference (双录)"), max_length=60, required=False)
    warning_confirmed = forms.BooleanField(
        label=_("The customer signed the written special risk warning (funds only)"), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["sale_date"].initial = timezone.localdate()
        for name, field in self.fields.items():
            css = "form-check-input" if name == "warning_confirmed" else "form-control"
            if isinstance(field, forms.ChoiceField):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean_customer_no(self):
        no = self.cleaned_data["customer_no"].strip()
        customer = find_in_scope(Customer, self.user, no)
        if customer is None:  # out of scope is unknown
            raise forms.ValidationError(_("unknown customer %(no)s") % {"no": no})
        if customer.status != "active":
            raise forms.ValidationError(_("customer %(no)s is closed") % {"no": no})
        self.customer = customer
        return no

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("the amount must be more than 0"))
        return amount

    def clean_sale_date(self):
        day = self.cleaned_data["sale_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("the sale date %(day)s is in the future") % {"day": day})
        return day


# promise_broken is open work too: the rule put it back on top for someone to follow up
OPEN_LIST_STATUSES = (ListItemStatus.PENDING, ListItemStatus.CONTACTED, ListItemStatus.PROMISE_BROKEN)
# the statuses a person may choose; promise_broken is set only by the broken-promise rule
CHOOSABLE_STATUSES = [(v, label) for v, label in ListItemStatus.choices if v != ListItemStatus.PROMISE_BROKEN]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CHOOSABLE_STATUSES)


class ReassignItemForm(forms.Form):
    """Choices are the rms and branch queues in the manager's scope (built by the view)."""

    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, assignee_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = list(assignee_choices)


class ContactForm(forms.ModelForm):
    list_item = forms.ModelChoiceField(queryset=ListItem.objects.none(), required=False, label=_("Answers list item"))

    class Meta:
        model = ContactLog
        fields = [
            "channel",
            "outcome",
            "note",
            "next_follow_up",
            "confidential",
            "list_item",
            "promised_date",
            "promised_amount",
            "paid_amount",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "next_follow_up": forms.DateInput(attrs={"type": "date"}),
            "promised_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, customer=None, user=None, answers: ListItem | None = None, **kwargs):
        """``answers``: the item the contact is logged on when the page fixes it (the work queue's card)."""
        super().__init__(*args, **kwargs)
        self.answers = answers
        if customer is not None:
            self.fields["list_item"].queryset = scoped_choices(ListItem, user).filter(
                customer=customer, status__in=OPEN_LIST_STATUSES
            )
            # collection outcomes only when there is a collection item to log them on
            if not self.fields["list_item"].queryset.filter(kind=ListKind.OVERDUE).exists():
                self.fields["outcome"].choices = [
                    c for c in self.fields["outcome"].choices if c[0] not in CollectionOutcome.values
                ]
        # the list's label in the user's language, not ListItem.__str__ (codes, kept for logs)
        self.fields["list_item"].label_from_instance = lambda item: (
            f"{item.get_kind_display()} · {item.as_of:%Y-%m-%d} · #{item.rank}"
        )
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if name == "confidential"
                else "form-select"
                if name
                in (
                    "channel",
                    "outcome",
                    "list_item",
                )
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        """The outcome against its list item and the collection fields: the service's own check."""
        data = super().clean()
        if "outcome" not in data:
            return data
        contacted_at = self.instance.contacted_at or timezone.now()
        errors = check_collection_fields(
            outcome=data["outcome"],
            list_item=self.answers or data.get("list_item"),
            promised_date=data.get("promised_date"),
            promised_amount=data.get("promised_amount"),
            paid_amount=data.get("paid_amount"),
            contact_day=timezone.localdate(contacted_at),
        )
        for name, message in errors.items():
            if name in data or name in self.fields:
                self.add_error(name, message)
        return data
