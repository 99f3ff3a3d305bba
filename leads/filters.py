"""FilterSets of the leads app, shared by the pages, the API and exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from leads.models import Lead
from orders.filters import RegionSubtreeFilter
from orders.models import ProductLine


class LeadFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Lead.Status.choices)
    source = django_filters.MultipleChoiceFilter(label=_("Source"), choices=Lead.Source.choices)
    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"), queryset=ProductLine.objects.all(), to_field_name="code"
    )
    region = RegionSubtreeFilter(field_name="region__path", help_text=_("Includes every city and district inside it."))
    created_from = django_filters.DateFilter(label=_("Created from"), field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(label=_("Created to"), field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Lead
        fields = ["status", "source", "product_line", "region", "created_from", "created_to"]
