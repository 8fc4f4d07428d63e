"""Forms of the work queue (名单制管理): the one contact form (360 and queue), status, reassignment.

Giving a customer to another rm (归户) uses customers' ReassignForm, on the 360 and in the queue.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ListItemStatus
from .models import ContactLog, ListItem

OPEN_LIST_STATUSES = (ListItemStatus.PENDING, ListItemStatus.CONTACTED)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ListItemStatus.choices)


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
