"""Forms of the work queue (名单制管理): contact entry, status, reassignment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bankcrm.customers.choices import ContactChannel, ContactOutcome

from .choices import ListItemStatus


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_follow_up = forms.DateField(
        label=_("Next follow-up"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ListItemStatus.choices)


class ReassignItemForm(forms.Form):
    """Choices are the rms and branch queues in the manager's scope (built by the view)."""

    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, assignee_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = list(assignee_choices)


class ReassignCustomerForm(forms.Form):
    """归户: the customer's relationship manager; empty = nobody (goes to the unassigned list)."""

    rm = forms.ChoiceField(label=_("Relationship manager"), required=False)

    def __init__(self, *args, rm_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rm"].choices = [("", "—"), *rm_choices]
