"""Forms of the report pages: bad input gets a message naming the field, in the user's language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PeriodType, RedLineCode
from .indicators import INDICATORS, indicator_label
from .periods import BadPeriod, parse_period


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Report"), choices=PeriodType.choices, required=False)
    as_of = forms.DateField(label=_("Data date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    rank_by = forms.ChoiceField(label=_("Rank by"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rank_by"].choices = [(c, indicator_label(c)) for c in INDICATORS]

    def clean_unit(self):
        unit = self.cleaned_data.get("unit") or ""
        kind = unit.partition(":")[0]
        if unit and unit != "bank" and kind not in ("branch", "rm"):
            raise forms.ValidationError(_("A unit is bank, branch:<code> or rm:<staff no.>."))
        return unit


class ScorecardForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=12, help_text=_("2026, 2026Q4, 2026-11, 2026-11X2, 2026W47"))

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"]).code
        except BadPeriod as exc:
            raise forms.ValidationError(_("Not a period: %(value)s") % {"value": self.cleaned_data["period"]}) from exc


class RedLineForm(forms.Form):
    staff_no = forms.CharField(label=_("Staff no."), max_length=20)
    code = forms.ChoiceField(label=_("Violation"), choices=RedLineCode.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
