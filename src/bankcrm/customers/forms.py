from django import forms
from django.utils.translation import gettext_lazy as _

from bankcrm.core.forms import scoped_choices
from bankcrm.org.choices import StaffStatus
from bankcrm.org.models import Staff

REVEAL_CHOICES = [("id_number", _("ID number")), ("phone", _("Mobile")), ("birth_date", _("Birth date"))]


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
        self.fields["rm"].queryset = scoped_choices(Staff, user).filter(status=StaffStatus.ACTIVE).order_by("staff_no")


class KycAssessmentForm(forms.Form):
    """The score of the bank's risk questionnaire; the level follows from the bands ([kyc] bands)."""

    score = forms.IntegerField(
        label=_("Questionnaire score"),
        min_value=0,
        help_text=_("The total of the customer's answers; the risk level C1–C5 follows from the bank's bands."),
        error_messages={
            "required": _("Enter the questionnaire score."),
            "invalid": _("The questionnaire score must be a whole number."),
            "min_value": _("The questionnaire score must be a whole number of 0 or more."),
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )


class CustomerTagForm(forms.Form):
    name = forms.CharField(
        label=_("Tag"),
        max_length=30,
        error_messages={"required": _("Enter a tag."), "max_length": _("A tag has at most 30 characters.")},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "autocomplete": "off"}),
    )
