"""The public application form (no sign-in), also used by HQ to enter an application received another way."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from dealers.forms import REGION_CHOICES, RegionChoiceField
from dealers.models import DealerApplication
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

    def service_data(self) -> dict:
        """The cleaned data as the application services take it: without the hidden bot trap."""
        data = dict(self.cleaned_data)
        data.pop("website", None)
        return data
