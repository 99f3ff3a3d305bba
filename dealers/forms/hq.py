"""HQ console forms for dealers, onboarding review, documents and imports: shape only; the rules live in
services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.forms import REGION_CHOICES, RegionChoiceField, RegionMultipleChoiceField, owner_picker, region_picker
from dealers.models import Dealer, DealerContact
from dealers.selectors import owner_choices
from dealers.validators import validate_phone, validate_uscc
from dms.forms import BootstrapFormMixin
from dms.validators import validate_single_line_text


class DealerForm(BootstrapFormMixin, forms.ModelForm):
    region = RegionChoiceField(label=_("Home region"), queryset=REGION_CHOICES, widget=region_picker())
    served_regions = RegionMultipleChoiceField(
        label=_("Served regions"),
        queryset=REGION_CHOICES,
        required=False,
        widget=region_picker(multiple=True),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=owner_choices(), required=False, widget=owner_picker())

    class Meta:
        model = Dealer
        fields = [
            "name",
            "legal_name",
            "uscc",
            "code",
            "region",
            "served_regions",
            "address",
            "latitude",
            "longitude",
            "owner",
            "payment_terms_days",
            "lead_capacity",
            "joined_on",
        ]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"code": _("Leave empty to number the dealer automatically.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        # The service's format check, run with the other fields so that every error shows at once.
        self.fields["uscc"].validators.append(validate_uscc)

    def validate_unique(self):
        """Uniqueness is the service's rule (with its own message); the form checks shape only."""


class DealerCreateForm(DealerForm):
    tier = forms.ChoiceField(label=_("Tier"), choices=Dealer.Tier.choices, initial=Dealer.Tier.C)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, label) for s, label in Dealer.Status.choices if s in ("prospect", "onboarding", "active")],
    )


class StatusChangeForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Dealer.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class TierChangeForm(BootstrapFormMixin, forms.Form):
    tier = forms.ChoiceField(label=_("New tier"), choices=Dealer.Tier.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DealerContact
        fields = ["name", "title", "phone", "email", "is_primary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service's format check, run with the other fields so that every error shows at once.
        self.fields["phone"].validators.append(validate_phone)

    def _post_clean(self):
        """The primary-contact rule is checked by the service."""


class ScoreForm(forms.Form):
    """One score and note per active criterion, for the signed-in reviewer."""

    def __init__(self, *args, criteria=(), initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        for criterion in criteria:
            score, note = initial_scores.get(criterion.pk, (None, ""))
            self.fields[f"score_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.display_name,
                choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
                coerce=int,
                required=False,
                initial=score,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"note_{criterion.code}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                initial=note,
                validators=[validate_single_line_text],
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
        self.criteria = list(criteria)

    def scores(self) -> list[dict]:
        return [
            {
                "criterion": c.code,
                "score": self.cleaned_data[f"score_{c.code}"],
                "note": self.cleaned_data[f"note_{c.code}"],
            }
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.code}") not in (None, "")
        ]


class ApproveForm(BootstrapFormMixin, forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=owner_choices(),
        required=False,
        help_text=_("Empty: the reviewer."),
        widget=owner_picker(),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the score is below the approval threshold."),
    )


class MessageForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Message to the applicant"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentRejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DealerImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("CSV (UTF-8 or GB18030) or .xlsx, up to 5 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
