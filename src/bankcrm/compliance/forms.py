"""Page forms of the compliance desk: findings and their moves, screening cases, checklists, citations.

Records a form offers or looks up (finding codes, staff, reviewers, regulations) come through
``core.forms`` — the user's scope — and the service then does the rule checks, so the page and
the API refuse the same things with the same messages.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankcrm.core.forms import find_in_scope, scoped_choices
from bankcrm.org.choices import StaffStatus, UserRole
from bankcrm.org.models import Staff, UserProfile

from .choices import Answer, CaseStatus, Population, Severity
from .models import ChecklistQuestion, FindingCode, Regulation


class _Styled:
    def _style(self):
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.RadioSelect):
                continue
            field.widget.attrs.setdefault("class", css)


class FindingForm(_Styled, forms.Form):
    code = forms.ModelChoiceField(label=_("Finding code"), queryset=FindingCode.objects.none())
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    description = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.ModelChoiceField(label=_("Responsible staff"), queryset=Staff.objects.none())
    due_date = forms.DateField(
        label=_("Rectification due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = scoped_choices(FindingCode, user).order_by("code")
        self.fields["responsible"].queryset = (
            scoped_choices(Staff, user).filter(status=StaffStatus.ACTIVE).select_related("branch").order_by("staff_no")
        )
        self._style()

    def clean_due_date(self):
        day = self.cleaned_data["due_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("the rectification due date %(day)s is in the past") % {"day": day})
        return day


class FindingMoveForm(_Styled, forms.Form):
    action = forms.ChoiceField(
        choices=[("rectify", _("Rectified")), ("verify", _("Verify")), ("reopen", _("Reopen"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class CaseMoveForm(_Styled, forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class CaseNoteForm(_Styled, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000)


class CaseReviewerForm(_Styled, forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=UserProfile.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            scoped_choices(UserProfile, user)
            .filter(role__in=(UserRole.COMPLIANCE, UserRole.ADMIN), user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        self.fields["reviewer"].label_from_instance = lambda profile: profile.user.get_username()
        self._style()


class CiteForm(_Styled, forms.Form):
    reg_id = forms.CharField(label=_("Regulation id"), max_length=60)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._style()

    def clean_reg_id(self):
        reg_id = self.cleaned_data["reg_id"].strip()
        regulation = find_in_scope(Regulation, self.user, reg_id)
        if regulation is None:
            raise forms.ValidationError(_("no regulation with id %(id)s in the library") % {"id": reg_id})
        self.regulation = regulation
        return reg_id


class ChecklistForm(forms.Form):
    """One answer (yes / no / not applicable) and a note per question of the item's checklist."""

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for question, answer in checklist:
            name = f"q{question.pk}"
            self.fields[f"{name}_answer"] = forms.ChoiceField(
                label=question.text, choices=Answer.choices, required=False, widget=forms.RadioSelect,
                initial=answer.answer if answer else None,
            )  # fmt: skip
            self.fields[f"{name}_note"] = forms.CharField(
                label=_("Note"), max_length=2000, required=False, initial=answer.note if answer else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )  # fmt: skip
            self.rows.append((question, answer, self[f"{name}_answer"], self[f"{name}_note"]))

    def answers(self) -> dict[int, tuple[str, str]]:
        """The questions answered in this submission (an unanswered question is left as it was)."""
        out = {}
        for question, _answer, _a, _n in self.rows:
            value = self.cleaned_data.get(f"q{question.pk}_answer")
            if value:
                out[question.pk] = (value, self.cleaned_data.get(f"q{question.pk}_note", ""))
        return out


class ChecklistQuestionForm(_Styled, forms.ModelForm):
    population = forms.ChoiceField(label=_("Population"), choices=Population.choices)

    class Meta:
        model = ChecklistQuestion
        fields = ["population", "position", "text", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["active"].widget.attrs["class"] = "form-check-input"
