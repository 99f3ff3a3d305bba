"""The public enquiry form (no sign-in): shape only; the rules live in leads.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.forms import RegionChoiceField
from dealers.models import Region
from dealers.validators import validate_phone
from dms.forms import BootstrapFormMixin
from dms.widgets import TypeaheadSelect
from orders.models import ProductLine

# What the customer agrees to; stored with the lead, in the words they were shown.
CONSENT_PURPOSE = _(
    "I agree that the brand and its authorised dealer may contact me by phone or email about this enquiry."
)


class EnquiryForm(BootstrapFormMixin, forms.Form):
    """The public enquiry page."""

    contact_name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        validators=[validate_phone],
        help_text=_("A mobile number, or a landline with its area code."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    region = RegionChoiceField(
        label=_("Province and city"),
        queryset=Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY])
        .select_related("parent")
        .order_by("path"),
        widget=TypeaheadSelect(),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.filter(is_active=True).order_by("position", "code")
    )
    message = forms.CharField(
        label=_("What do you need?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(label=CONSENT_PURPOSE, required=True)
    # A field people never see: anything typed into it marks the submission as a bot's.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("website", None)
        data["consent_purpose"] = str(CONSENT_PURPOSE)
        return data
