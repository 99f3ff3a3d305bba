"""Forms of head office's lead desk: shape only; the rules live in leads.services."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.forms import REGION_CHOICES, RegionChoiceField
from dealers.models import Dealer, Region
from dealers.selectors import dealers_in_scope
from dms.forms import BootstrapFormMixin
from leads.forms import CONSENT_PURPOSE
from leads.models import Lead
from orders.models import ProductLine

# Channels head office types in by hand; web, API and import leads arrive through their own doors.
DESK_SOURCES = [
    (source.value, source.label)
    for source in (
        Lead.Source.HOTLINE,
        Lead.Source.EXHIBITION,
        Lead.Source.CAMPAIGN,
        Lead.Source.REFERRAL,
        Lead.Source.MANUAL,
    )
]
MONTHS_SHOWN = 12
MAX_PROTECTION_DAYS = 3650
CHOOSE_DEALER = _("Choose a dealer.")


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class AssignForm(BootstrapFormMixin, forms.Form):
    """Give a lead to a dealer by hand. The page offers the dealers authorised for the lead; any dealer the
    user may see is accepted here, and the service refuses one that is not authorised."""

    dealer = DealerChoiceField(
        label=_("Dealer"),
        queryset=Dealer.objects.none(),
        error_messages={"required": CHOOSE_DEALER, "invalid_choice": CHOOSE_DEALER},
    )
    override_reason = forms.CharField(
        label=_("Reason to exceed its capacity"),
        max_length=500,
        required=False,
        help_text=_("Only needed when the dealer already holds as many open leads as its capacity."),
    )

    def __init__(self, *args, scope, dealers=None, **kwargs):
        """``scope``: the dealers the user may see (``dealers_in_scope``); ``dealers``: those to offer."""
        super().__init__(*args, **kwargs)
        field = self.fields["dealer"]
        field.queryset = scope
        if dealers is not None:
            # The page's choices: the authorised dealers, with the open leads each holds.
            field.choices = [("", "---------")] + [(dealer.pk, dealer_option(dealer)) for dealer in dealers]


def dealer_option(dealer) -> str:
    label = f"{dealer.code} {dealer.name} · {dealer.open_leads}/{dealer.lead_capacity}"
    if dealer.open_leads >= dealer.lead_capacity:
        return f"{label} ({_('full')})"
    return label


class LeadEntryForm(BootstrapFormMixin, forms.Form):
    """A lead head office takes by phone, at an exhibition or from a referral."""

    source = forms.ChoiceField(label=_("Source"), choices=DESK_SOURCES, initial=Lead.Source.HOTLINE)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("A mobile number, or a landline with its area code."),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    region = RegionChoiceField(
        label=_("Region"),
        queryset=REGION_CHOICES,
        required=False,
        help_text=_("The province, city or district the customer is in."),
    )
    region_code = forms.CharField(
        label=_("Or region code"),
        max_length=12,
        required=False,
        help_text=_("A GB/T 2260 code such as 330106; it wins over the list."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.filter(is_active=True).order_by("position", "code")
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value (CNY)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    message = forms.CharField(
        label=_("What the customer needs"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent = forms.BooleanField(label=_("The customer agrees to be contacted"), required=False)
    consent_purpose = forms.CharField(
        label=_("Purpose of contact the customer agreed to"),
        max_length=200,
        required=False,
        initial=CONSENT_PURPOSE,
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )

    def clean(self):
        data = super().clean()
        code = (data.get("region_code") or "").strip()
        if code:
            region = Region.objects.exclude(level=Region.Level.COUNTRY).filter(code=code).first()
            if region is None:
                self.add_error("region_code", _("No region has the code %(code)s.") % {"code": code})
            else:
                data["region"] = region
        elif data.get("region") is None and "region" not in self.errors:
            self.add_error("region", _("Choose the customer's region, or type its code."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both coordinates, or neither."))
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("region_code", None)
        if not data.get("consent"):
            data["consent_purpose"] = ""
        return data


def default_period() -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago until today."""
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - (MONTHS_SHOWN - 1)
    return date(months // 12, months % 12 + 1, 1), today


class FunnelFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All provinces"),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *Lead.Source.choices], required=False
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All product lines"),
    )
    dealer = DealerChoiceField(
        label=_("Dealer"), queryset=Dealer.objects.none(), required=False, empty_label=_("All dealers")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealers_in_scope(user=user)

    def clean(self):
        data = super().clean()
        start, end = default_period()
        data["start"] = data.get("start") or start
        data["end"] = data.get("end") or end
        if data["start"] > data["end"]:
            raise ValidationError(_("The start of the period must not be after its end."))
        if data["end"] - data["start"] > timedelta(days=366 * 5):
            raise ValidationError(_("Choose a period of at most five years."))
        return data


class ApproveRegistrationForm(BootstrapFormMixin, forms.Form):
    days = forms.IntegerField(
        label=_("Days of protection"),
        min_value=1,
        max_value=MAX_PROTECTION_DAYS,
        required=False,
        help_text=_("Leave empty for the standard period."),
    )


class RejectRegistrationForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason.")},
    )
