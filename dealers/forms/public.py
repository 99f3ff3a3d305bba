"""The public application form (no sign-in), also used by HQ to enter an application received another way."""

from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.forms import REGION_CHOICES, RegionChoiceField
from dealers.models import DealerApplication
from dealers.validators import validate_phone, validate_uscc
from dms.forms import BootstrapFormMixin
from dms.widgets import TypeaheadSelectMultiple, TypeaheadTags

# Registered companies in mainland China go back to the late Qing dynasty; no applicant is older.
FIRST_FOUNDING_YEAR = 1900


def active_product_lines() -> list[tuple[str, str]]:
    """The product lines an applicant may ask for: the active ones, kept by their Chinese name, shown in the
    reader's language. The catalogue belongs to orders, which depends on dealers, so the model is
    reached through the app registry rather than imported."""
    lines = apps.get_model("orders", "ProductLine").objects.filter(is_active=True).order_by("position", "code")
    return [(line.name, line.local_name) for line in lines]


class RegionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return RegionChoiceField.label_from_instance(self, obj)


class ApplicationForm(BootstrapFormMixin, forms.ModelForm):
    regions_wanted = RegionsField(
        label=_("Regions wanted"),
        queryset=REGION_CHOICES,
        widget=TypeaheadSelectMultiple(),
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
        widgets = {"product_lines_wanted": TypeaheadTags(suggestions=active_product_lines)}

    # Bounds a real company's figures stay within (and the database can store); the model's own validators are
    # not run by this form. The founding year ends at the current year, computed per form.
    LIMITS = {
        "registered_capital": (0, 10**12 - 1),
        "founded_year": (FIRST_FOUNDING_YEAR, None),
        "warehouse_area": (0, 2_000_000_000),
        "sales_team_size": (0, 2_000_000_000),
        "years_in_industry": (0, 200),
    }
    # The identifier checks the service makes, run with the other fields so that every error shows at once.
    VALIDATORS = {"uscc": validate_uscc, "contact_phone": validate_phone}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            if high is None:
                high = timezone.localdate().year
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            # One bound of each kind: the model field's own (such as "≥ 0" of a positive integer) is replaced.
            field.validators = [
                v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))
            ] + [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})
        for name, validator in self.VALIDATORS.items():
            self.fields[name].validators.append(validator)

    def _post_clean(self):
        """Duplicates are the service's rule; the form checks shape and the identifiers' format."""

    def service_data(self) -> dict:
        """The cleaned data as the application services take it: without the hidden bot trap."""
        data = dict(self.cleaned_data)
        data.pop("website", None)
        return data
