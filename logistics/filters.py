"""FilterSets of carriers, rate cards, vehicles and shipments, shared by the HQ pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.filters import StrictBooleanFilter
from dms.lists import SortFilter
from logistics.models import Carrier, DeliveryClaim, RateCard, Shipment, Vehicle
from orders.models import Warehouse


class CarrierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    is_active = StrictBooleanFilter(label=_("Active"))
    sort = SortFilter(fields={"code": "code"})

    class Meta:
        model = Carrier
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value)) if value.strip() else queryset


class RateCardFilterSet(django_filters.FilterSet):
    carrier = django_filters.ModelChoiceFilter(label=_("Carrier"), queryset=Carrier.objects.all(), to_field_name="code")
    origin = django_filters.ModelChoiceFilter(
        label=_("Origin warehouse"), queryset=Warehouse.objects.all(), to_field_name="code"
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = RateCard
        fields = []


class VehicleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all(), to_field_name="code"
    )
    is_active = StrictBooleanFilter(label=_("Active"))
    sort = SortFilter(fields={"plate": "plate"})

    class Meta:
        model = Vehicle
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(plate__icontains=value) | Q(kind__icontains=value)) if value.strip() else queryset


class ShipmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", max_length=100, help_text=_("Shipment, order or tracking number")
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Shipment.Status.choices)
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=Shipment.Mode.choices)
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all(), to_field_name="code"
    )
    carrier = django_filters.ModelChoiceFilter(label=_("Carrier"), queryset=Carrier.objects.all(), to_field_name="code")
    dealer = django_filters.NumberFilter(label=_("Dealer"), field_name="dealer_id", min_value=1, max_value=2**63 - 1)
    order = django_filters.NumberFilter(
        label=pgettext_lazy("sales order", "Order"), field_name="order_id", min_value=1, max_value=2**63 - 1
    )
    requested_from = django_filters.DateFilter(
        label=_("Requested from"), field_name="requested_date", lookup_expr="gte"
    )
    requested_to = django_filters.DateFilter(label=_("Requested to"), field_name="requested_date", lookup_expr="lte")
    sort = SortFilter(fields={"created": "created_at"})

    class Meta:
        model = Shipment
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(order__number__icontains=value) | Q(tracking_number__iexact=value)
        )


class ClaimFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", max_length=100, help_text=_("Claim, shipment or order number")
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=DeliveryClaim.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DeliveryClaim.Kind.choices)
    dealer = django_filters.NumberFilter(label=_("Dealer"), field_name="dealer_id", min_value=1, max_value=2**63 - 1)
    sort = SortFilter(fields={"opened": "opened_at"})

    class Meta:
        model = DeliveryClaim
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__istartswith=value) | Q(shipment__number__istartswith=value) | Q(order__number__istartswith=value)
        )
