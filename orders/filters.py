"""FilterSets of the orders app, shared by the HQ pages, the portal, the API and exports."""

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.filters import RegionSubtreeFilter, StrictBooleanFilter
from dms.lists import SortFilter
from dms.widgets import TypeaheadSelect
from orders.models import Invoice, Order, Payment, Product, ProductLine, StockLevel, Warehouse

# Chosen by typing in the pages; the API and exports take the id.
DEALER_PICKER = TypeaheadSelect("dealers:picker_dealers")


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", help_text=_("SKU or name"))
    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"), queryset=ProductLine.objects.all(), to_field_name="code"
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    sort = SortFilter(fields={"sku": "sku", "name": "name", "price": "base_price"})

    class Meta:
        model = Product
        fields = ["q", "product_line", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(sku__istartswith=value) | Q(name__icontains=value) | Q(name_en__icontains=value))


class OrderFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", help_text=_("Order number or dealer"))
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Order.Status.choices)
    dealer = django_filters.NumberFilter(
        label=_("Dealer"), field_name="dealer_id", min_value=1, max_value=2**63 - 1, widget=DEALER_PICKER
    )
    region = RegionSubtreeFilter()
    created_from = django_filters.DateFilter(label=_("Created from"), field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(label=_("Created to"), field_name="created_at", lookup_expr="date__lte")
    amount_min = django_filters.NumberFilter(
        label=_("Amount from"), field_name="gross_amount", lookup_expr="gte", min_value=0, max_value=10**12
    )
    amount_max = django_filters.NumberFilter(
        label=_("Amount to"), field_name="gross_amount", lookup_expr="lte", min_value=0, max_value=10**12
    )

    sort = SortFilter(
        fields={
            "number": "number",
            "status": "status",
            "amount": "gross_amount",
            "submitted": "submitted_at",
            "created": "created_at",
        }
    )

    class Meta:
        model = Order
        fields = ["q", "status", "dealer", "region", "created_from", "created_to", "amount_min", "amount_max"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value) | Q(dealer__name__icontains=value) | Q(dealer__code__iexact=value)
        )


class StockFilterSet(django_filters.FilterSet):
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all(), to_field_name="code"
    )
    # ``product`` takes what the listed field holds, the product's id, chosen by typing its SKU or name; the
    # start of a code people type is ``sku``.
    product = django_filters.NumberFilter(
        label=_("Product"),
        field_name="product_id",
        min_value=1,
        max_value=2**63 - 1,
        widget=TypeaheadSelect("orders:picker_products"),
    )
    sku = django_filters.CharFilter(
        label=_("SKU"), field_name="product__sku", lookup_expr="istartswith", help_text=_("The start of the SKU")
    )
    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"),
        queryset=ProductLine.objects.all(),
        to_field_name="code",
        field_name="product__product_line",
    )
    low = django_filters.NumberFilter(
        label=_("Available at most"), method="available_at_most", min_value=0, max_value=10**9
    )

    sort = SortFilter(fields={"on_hand": "on_hand", "updated": "updated_at"})

    class Meta:
        model = StockLevel
        fields = ["warehouse", "product", "sku", "product_line", "low"]

    def available_at_most(self, queryset, name, value):
        return queryset.filter(on_hand__lte=F("reserved") + int(value))


class InvoiceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", help_text=_("Invoice or order number"))
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Invoice.Status.choices)
    dealer = django_filters.NumberFilter(
        label=_("Dealer"), field_name="dealer_id", min_value=1, max_value=2**63 - 1, widget=DEALER_PICKER
    )
    region = RegionSubtreeFilter()
    overdue = StrictBooleanFilter(label=_("Overdue"), method="is_overdue")
    issued_from = django_filters.DateFilter(label=_("Issued from"), field_name="issued_on", lookup_expr="gte")
    issued_to = django_filters.DateFilter(label=_("Issued to"), field_name="issued_on", lookup_expr="lte")

    sort = SortFilter(
        fields={
            "number": "number",
            "issued": "issued_on",
            "due": "due_on",
            "amount": "gross_amount",
            "status": "status",
        }
    )

    class Meta:
        model = Invoice
        fields = ["q", "status", "dealer", "region", "overdue", "issued_from", "issued_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(order__number__icontains=value))

    def is_overdue(self, queryset, name, value):
        overdue = ~Q(status=Invoice.Status.PAID) & Q(due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)


class PaymentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="reference", lookup_expr="icontains")
    dealer = django_filters.NumberFilter(
        label=_("Dealer"), field_name="dealer_id", min_value=1, max_value=2**63 - 1, widget=DEALER_PICKER
    )
    region = RegionSubtreeFilter()
    method = django_filters.ChoiceFilter(label=_("Method"), choices=Payment.Method.choices)
    received_from = django_filters.DateFilter(label=_("Received from"), field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(label=_("Received to"), field_name="received_on", lookup_expr="lte")
    unallocated = StrictBooleanFilter(label=_("Not fully allocated"), method="has_unallocated")

    sort = SortFilter(fields={"received": "received_on", "amount": "amount"})

    class Meta:
        model = Payment
        fields = ["q", "dealer", "region", "method", "received_from", "received_to", "unallocated"]

    def has_unallocated(self, queryset, name, value):
        return queryset.filter(unallocated_amount__gt=0) if value == "true" else queryset.filter(unallocated_amount=0)


class ApprovalQueueFilterSet(django_filters.FilterSet):
    """The approval queue lists orders as cards: it only sorts."""

    sort = SortFilter(
        fields={"submitted": "submitted_at", "amount": "gross_amount", "number": "number"},
        labels={"submitted": _("Submitted"), "amount": _("Amount"), "number": _("Order number")},
    )

    class Meta:
        model = Order
        fields = []
