"""FilterSets of the leads app, shared by the pages, the API and exports."""

import re
from datetime import date, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.forms import DealerChoiceField, dealer_picker
from dealers.models import Region
from dealers.selectors import dealers_in_scope
from dms.api.fields import MAX_ID
from dms.filters import RegionSubtreeFilter, StrictBooleanFilter, region_filter_picker
from dms.lists import SortFilter
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead, LeadImport, LeadSource
from orders.models import ProductLine

LEAD_NUMBER = re.compile(r"[Ll]?0*(\d{1,18})")
# Fewer digits than this would match almost every phone number.
MIN_PHONE_DIGITS = 4
MONTHS_SHOWN = 12


def sla_breached() -> Exists:
    """The lead had an offer that lapsed unanswered, or was escalated for want of a follow-up."""
    return Exists(
        Assignment.objects.filter(
            Q(status=Assignment.Status.EXPIRED) | Q(escalated_at__isnull=False), lead=OuterRef("pk")
        )
    )


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("Lead number, contact name, phone, email or company")
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Lead.Status.choices)
    source = django_filters.MultipleChoiceFilter(label=_("Source"), choices=Lead.Source.choices)
    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"), queryset=ProductLine.objects.all(), to_field_name="code"
    )
    region = RegionSubtreeFilter(field_name="region__path", help_text=_("Includes every city and district inside it."))
    dealer = django_filters.NumberFilter(
        label=_("Held by dealer"),
        method="held_by",
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Dealer id: leads offered to or accepted by this dealer now."),
        widget=dealer_picker(),
    )
    created_from = django_filters.DateFilter(label=_("Created from"), field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(label=_("Created to"), field_name="created_at", lookup_expr="date__lte")
    sla_breached = StrictBooleanFilter(
        label=_("SLA breached"),
        method="breached",
        help_text=_("An offer expired unanswered, or the lead was escalated for want of a follow-up."),
    )

    sort = SortFilter(fields={"created": "created_at", "company": "company", "status": "status", "source": "source"})

    class Meta:
        model = Lead
        fields = [
            "q",
            "status",
            "source",
            "product_line",
            "region",
            "dealer",
            "created_from",
            "created_to",
            "sla_breached",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = Q(contact_name__icontains=value) | Q(company__icontains=value) | Q(email__icontains=value)
        digits = re.sub(r"\D", "", value)
        if len(digits) >= MIN_PHONE_DIGITS:
            match |= Q(phone__contains=digits)
        number = LEAD_NUMBER.fullmatch(value)
        if number:
            match |= Q(pk=int(number[1]))
        return queryset.filter(match)

    def held_by(self, queryset, name, value):
        return queryset.filter(
            Exists(Assignment.objects.filter(lead=OuterRef("pk"), dealer_id=value, status__in=Assignment.OPEN))
        )

    def breached(self, queryset, name, value):
        return queryset.filter(sla_breached() if value == "true" else ~sla_breached())


class RegistrationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer"), field_name="customer_company", lookup_expr="icontains")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=DealRegistration.Status.choices)
    dealer = django_filters.NumberFilter(
        label=_("Dealer"), field_name="dealer_id", min_value=1, max_value=MAX_ID, widget=dealer_picker()
    )

    sort = SortFilter(
        fields={
            "customer": "customer_company",
            "status": "status",
            "expected_close": "expected_close_on",
            "submitted": "created_at",
        }
    )

    class Meta:
        model = DealRegistration
        fields = ["q", "status", "dealer"]


def default_period() -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago until today."""
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - (MONTHS_SHOWN - 1)
    return date(months // 12, months % 12 + 1, 1), today


class FunnelForm(forms.Form):
    """The funnel's period: the last twelve months unless given, from before to, at most five years."""

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


class DealerFilter(django_filters.ModelChoiceFilter):
    field_class = DealerChoiceField


def _dealers_in_scope(request):
    return dealers_in_scope(user=request.user if request else None)


class FunnelFilterSet(django_filters.FilterSet):
    """The leads the funnel counts (province, source, product line) and the report's own parameters: the
    period and the dealer."""

    start = django_filters.DateFilter(
        label=_("From"), method="report_parameter", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = django_filters.DateFilter(
        label=_("To"), method="report_parameter", widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionSubtreeFilter(
        field_name="region__path",
        label=_("Province"),
        queryset=Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"),
        empty_label=_("All provinces"),
        help_text="",
        widget=region_filter_picker((Region.Level.PROVINCE,)),
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Lead.Source.choices, empty_label=_("All sources"))
    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"),
        queryset=ProductLine.objects.order_by("position", "code"),
        to_field_name="code",
        empty_label=_("All product lines"),
    )
    dealer = DealerFilter(
        label=_("Dealer"), queryset=_dealers_in_scope, method="report_parameter", empty_label=_("All dealers")
    )

    class Meta:
        model = Lead
        fields = ["start", "end", "region", "source", "product_line", "dealer"]
        form = FunnelForm

    def report_parameter(self, queryset, name, value):
        """The report counts each stage by its own date and a dealer's figures by its offers: the period and
        the dealer do not narrow the leads."""
        return queryset


class LeadQueueFilterSet(django_filters.FilterSet):
    """Queues of leads shown as cards (head office's unassigned leads, a dealer's inbox and pipeline): they
    only sort."""

    sort = SortFilter(
        fields={"created": "created_at", "company": "company"},
        labels={"created": _("Received"), "company": _("Company")},
    )

    class Meta:
        model = Lead
        fields = []


class DealerRegistrationFilterSet(django_filters.FilterSet):
    """A dealer's own deal registrations: they only sort."""

    sort = SortFilter(
        fields={"customer": "customer_company", "status": "status", "expected_close": "expected_close_on"}
    )

    class Meta:
        model = DealRegistration
        fields = []


class RuleFilterSet(django_filters.FilterSet):
    sort = SortFilter(fields={"name": "name", "priority": "priority"})

    class Meta:
        model = AssignmentRule
        fields = []


class SourceFilterSet(django_filters.FilterSet):
    sort = SortFilter(fields={"name": "name", "code": "code"})

    class Meta:
        model = LeadSource
        fields = []


class ImportFilterSet(django_filters.FilterSet):
    sort = SortFilter(fields={"uploaded": "created_at", "status": "status"})

    class Meta:
        model = LeadImport
        fields = []
