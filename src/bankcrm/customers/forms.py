from django import forms
from django.utils.translation import gettext_lazy as _

from bankcrm.analytics.choices import ListItemStatus
from bankcrm.analytics.models import ListItem
from bankcrm.org.choices import StaffStatus
from bankcrm.org.models import Staff

from .models import ContactLog

OPEN_LIST_STATUSES = (ListItemStatus.PENDING, ListItemStatus.CONTACTED)

REVEAL_CHOICES = [("id_number", _("ID number")), ("phone", _("Mobile")), ("birth_date", _("Birth date"))]


class ContactForm(forms.ModelForm):
    list_item = forms.ModelChoiceField(queryset=ListItem.objects.none(), required=False, label=_("Answers list item"))

    class Meta:
        model = ContactLog
        fields = ["channel", "outcome", "note", "next_follow_up", "confidential", "list_item"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "next_follow_up": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, customer=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customer is not None:
            self.fields["list_item"].queryset = ListItem.objects.restrict(user, "view").filter(
                customer=customer, status__in=OPEN_LIST_STATUSES
            )
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


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=2,
        max_length=200,
        help_text=_("Why you need the full value. Kept in the access log for compliance."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    fields = forms.MultipleChoiceField(
        label=_("Show"),
        choices=REVEAL_CHOICES,
        initial=["id_number", "phone"],
        widget=forms.CheckboxSelectMultiple,
    )


class ReassignForm(forms.Form):
    rm = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        required=False,
        label=_("Relationship manager"),
        empty_label=_("— nobody (branch queue) —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rm"].queryset = (
            Staff.objects.restrict(user, "view").filter(status=StaffStatus.ACTIVE).order_by("staff_no")
        )
