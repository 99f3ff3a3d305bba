"""Head office's lead forms: the lead desk (manual entry, assignment by hand, deal registration decisions)
and the setup pages (imports, assignment rules, lead sources). Shape only; the rules live in
leads.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.forms import REGION_CHOICES, DealerChoiceField, RegionChoiceField, dealer_picker, region_picker
from dealers.models import Dealer, Region
from dealers.validators import validate_phone
from dms.bulk import BulkForm
from dms.forms import BootstrapFormMixin
from dms.widgets import TypeaheadSelect
from leads import importing
from leads.forms.public import CONSENT_PURPOSE
from leads.models import MAX_WEIGHT, AssignmentRule, Lead
from leads.services import MAX_PRIORITY, MAX_PROTECTION_DAYS
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
CHOOSE_DEALER = _("Choose a dealer.")
UNITS = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}


class AssignFields(forms.Form):
    """The dealer a lead goes to and, when the dealer is full, the reason to exceed its capacity."""

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

    def offer(self, dealers) -> None:
        """Offer only ``dealers`` (those authorised for the lead), each with the open leads it holds, searched in
        the page; any dealer in scope is still accepted, and the service refuses one that is not authorised."""
        field = self.fields["dealer"]
        field.widget = TypeaheadSelect(attrs=field.widget.attrs)
        field.choices = [("", field.empty_label)] + [(dealer.pk, dealer_option(dealer)) for dealer in dealers]


class AssignForm(BootstrapFormMixin, AssignFields):
    """Give a lead to a dealer by hand. The page offers the dealers authorised for the lead; any dealer the
    user may see is accepted here, and the service refuses one that is not authorised."""

    def __init__(self, *args, scope, **kwargs):
        """``scope``: the dealers the user may see (``dealers_in_scope``); a page ``offer``s those authorised."""
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = scope


class BulkAssignForm(BulkForm, AssignFields):
    """Give every ticked lead to one dealer, each through the same checks as assigning it by hand."""

    def __init__(self, *args, scope, **kwargs):
        """``scope``: the dealers the user may see (``dealers_in_scope``), found by typing until a page
        ``offer``s its own short list."""
        super().__init__(*args, **kwargs)
        field = self.fields["dealer"]
        field.queryset = scope
        field.empty_label = _("Give the selected leads to…")
        field.widget = dealer_picker()
        field.widget.choices = field.choices
        field.widget.attrs = {
            "class": "form-select form-select-sm",
            "data-testid": "bulk-dealer",
            "data-picker-placeholder": field.empty_label,
        }


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
        validators=[validate_phone],
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
        widget=region_picker(),
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


class LeadImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            _("CSV (UTF-8 or GB18030) or .xlsx, up to %(megabytes)d MB and %(rows)d rows.") % importing.limits()
        )


class RuleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    region = RegionChoiceField(
        label=_("Region"),
        queryset=Region.objects.exclude(level=Region.Level.COUNTRY).select_related("parent").order_by("path"),
        required=False,
        empty_label=_("Everywhere"),
        help_text=_("The rule applies to leads in this region and everything inside it."),
        widget=region_picker(),
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.order_by("position", "code"),
        required=False,
        empty_label=_("Every product line"),
    )
    strategy = forms.ChoiceField(
        label=_("Strategy"),
        choices=AssignmentRule.Strategy.choices,
        help_text=_(
            "Weighted ranks the candidates by the weights below; round robin takes the dealer that waited "
            "longest; manual leaves the leads to head office."
        ),
    )
    accept_within = forms.IntegerField(label=_("Time to accept"), min_value=1, max_value=30 * 24 * 60)
    accept_unit = forms.ChoiceField(label=_("Unit"), choices=UNITS)
    weight_tier = forms.IntegerField(label=_("Tier"), min_value=0, max_value=MAX_WEIGHT)
    weight_distance = forms.IntegerField(label=_("Distance"), min_value=0, max_value=MAX_WEIGHT)
    weight_load = forms.IntegerField(label=_("Free capacity"), min_value=0, max_value=MAX_WEIGHT)
    weight_fairness = forms.IntegerField(label=_("Time since last lead"), min_value=0, max_value=MAX_WEIGHT)
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=MAX_PRIORITY,
        help_text=_("Among equally specific rules, the lower number wins."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    WEIGHTS = ("weight_tier", "weight_distance", "weight_load", "weight_fairness")

    @classmethod
    def initial_for(cls, rule: AssignmentRule) -> dict:
        minutes = rule.accept_minutes
        unit = next(unit for unit in ("days", "hours", "minutes") if minutes % UNIT_MINUTES[unit] == 0)
        return {
            "name": rule.name,
            "region": rule.region_id,
            "product_line": rule.product_line_id,
            "strategy": rule.strategy,
            "accept_within": minutes // UNIT_MINUTES[unit],
            "accept_unit": unit,
            **{field: getattr(rule, field) for field in (*cls.WEIGHTS, "priority", "is_active")},
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["accept_minutes"] = data.pop("accept_within") * UNIT_MINUTES[data.pop("accept_unit")]
        return data


class SourceForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The website, as people know it."))
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, such as brand-shop; shown in reports."),
    )
