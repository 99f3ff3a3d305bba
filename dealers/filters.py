"""FilterSets for regions and dealers, shared by the HQ pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealers.forms import ABOVE_DISTRICT, owner_picker, region_picker
from dealers.models import Dealer, DealerApplication, Region
from dealers.selectors import owner_choices
from dms.filters import RegionChoiceFilter
from dms.lists import SortFilter


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Region.Level.choices)
    parent = django_filters.CharFilter(label=_("Parent code"), field_name="parent__code")
    code = django_filters.CharFilter(label=_("Code"))
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Region
        fields = ["level", "parent", "code", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value) | Q(code__startswith=value))


class DealerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", help_text=_("Name, code or USCC"))
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Dealer.Status.choices)
    tier = django_filters.MultipleChoiceFilter(label=_("Tier"), choices=Dealer.Tier.choices)
    region = RegionChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.exclude(level=Region.Level.DISTRICT).select_related("parent"),
        to_field_name="code",
        method="in_region",
        help_text=_("Includes every city and district inside it."),
        widget=region_picker(ABOVE_DISTRICT),
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=owner_choices(), method="owned_by", widget=owner_picker()
    )

    sort = SortFilter(fields={"code": "code", "name": "name", "status": "status", "tier": "tier"})

    class Meta:
        model = Dealer
        fields = ["q", "status", "tier", "region", "owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(legal_name__icontains=value)
            | Q(code__iexact=value)
            | Q(uscc__iexact=value.upper())
        )

    def in_region(self, queryset, name, value):
        return queryset.filter(region__path__startswith=value.path)

    def owned_by(self, queryset, name, value):
        return queryset.filter(owner=value)


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", help_text=_("Company, USCC or contact"))
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=DealerApplication.Status.choices)

    sort = SortFilter(fields={"company": "company_name", "status": "status", "submitted": "submitted_at"})

    class Meta:
        model = DealerApplication
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(company_name__icontains=value)
            | Q(legal_name__icontains=value)
            | Q(uscc__iexact=value.upper())
            | Q(contact_name__icontains=value)
        )
