"""Forms for dealer applications: the public form, HQ entry, and the review actions."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from dealers.forms import REGION_CHOICES, RegionChoiceField
from dealers.models import DealerApplication
from dealers.selectors import owner_choices
from dms.forms import BootstrapFormMixin


class RegionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return RegionChoiceField.label_from_instance(self, obj)


class ApplicationForm(BootstrapFormMixin, forms.ModelForm):
    regions_wanted = RegionsField(
        label=_("Regions wanted"),
        queryset=REGION_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The provinces or cities you want to sell in; the first is your home region."),
    )
    # A field people never see: anything typed into it marks the submission as a bot's.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = DealerApplication
        fields = [
            "company_name",
            "legal_name",
            "uscc",
            "registered_capital",
            "founded_year",
            "regions_wanted",
            "product_lines_wanted",
            "warehouse_area",
            "sales_team_size",
            "years_in_industry",
            "current_brands",
            "channels",
            "annual_revenue_band",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]

    # Bounds the database can store; the model's own validators are not run by this form.
    LIMITS = {
        "founded_year": (1900, 2100),
        "warehouse_area": (0, 2_000_000_000),
        "sales_team_size": (0, 2_000_000_000),
        "years_in_industry": (0, 200),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})

    def _post_clean(self):
        """Business rules (USCC, phone, duplicates) are the service's; the form checks shape only."""


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
        label=_("Owner"), queryset=owner_choices(), required=False, help_text=_("Empty: the reviewer.")
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
