"""Forms and filters of the dealer portal's ordering pages (shape only: the rules live in the services)."""

import calendar
from datetime import date, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.forms import BootstrapFormMixin
from dms.lists import SortFilter
from orders import selectors
from orders.filters import OrderFilterSet, ProductFilterSet
from orders.models import Order
from orders.services import MAX_QUANTITY

# A pasted list longer than this is not a list of order lines.
MAX_PASTE_CHARS = 20_000
# The longest period one statement covers.
MAX_STATEMENT_DAYS = 366
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _authorised_lines(request):
    return selectors.product_line_list(user=getattr(request, "user", None))


class CatalogueFilterSet(ProductFilterSet):
    """The dealer's catalogue: search and the product lines it is authorised for (all are active)."""

    product_line = django_filters.ModelChoiceFilter(
        label=_("Product line"), queryset=_authorised_lines, to_field_name="code", empty_label=_("All product lines")
    )
    is_active = None
    # Dealers see their own prices, not the base price: the catalogue sorts by SKU and name only.
    sort = SortFilter(fields={"sku": "sku", "name": "name"}, labels={"sku": _("SKU"), "name": _("Name")})

    class Meta(ProductFilterSet.Meta):
        fields = ["q", "product_line"]


class PortalOrderFilterSet(OrderFilterSet):
    """The dealer's own orders: search by number and one status at a time."""

    q = django_filters.CharFilter(label=_("Search"), field_name="number", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Order.Status.choices, empty_label=_("All"))
    created_from = django_filters.DateFilter(
        label=_("Created from"), field_name="created_at", lookup_expr="date__gte", widget=DATE_INPUT
    )
    created_to = django_filters.DateFilter(
        label=_("Created to"), field_name="created_at", lookup_expr="date__lte", widget=DATE_INPUT
    )
    dealer = None
    region = None
    amount_min = None
    amount_max = None

    class Meta(OrderFilterSet.Meta):
        fields = ["q", "status", "created_from", "created_to"]


def _quantity_field(**kwargs):
    return forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, **kwargs)


class AddToCartForm(forms.Form):
    """A product of the user's catalogue and a quantity; a product outside it is not a valid choice."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    quantity = _quantity_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = selectors.product_list(user=user)


class CartLineForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY)


class CartRemoveForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class QuickOrderForm(BootstrapFormMixin, forms.Form):
    sku = forms.CharField(
        label=_("SKU"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("SKU")})
    )
    quantity = _quantity_field(widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("Qty")}))


class PasteLinesForm(BootstrapFormMixin, forms.Form):
    lines = forms.CharField(
        label=_("Lines"),
        max_length=MAX_PASTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "K-100\t10\nK-200, 4", "spellcheck": "false"}),
        help_text=_("One line per product: the SKU, then the quantity, separated by a tab, a comma or a space."),
    )


class UploadLinesForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "A header row naming the columns SKU and Quantity (数量), then one row per product. "
            "CSV (UTF-8 or GB18030) or .xlsx."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class CartDetailsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Order
        fields = ["requested_delivery_date", "ship_to_address", "note"]
        widgets = {
            "requested_delivery_date": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_delivery_date"].widget.attrs["min"] = timezone.localdate().isoformat()


class CancelOrderForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput)


class StatementPeriodForm(BootstrapFormMixin, forms.Form):
    """A month, or a from/to range; neither means this month up to today."""

    month = forms.RegexField(
        label=_("Month"),
        regex=r"^[12]\d{3}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Choose a month.")},
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start or end:
            start = start or (end or timezone.localdate()).replace(day=1)
            end = end or timezone.localdate()
        else:
            start, end = month_range(data.get("month") or "")
        if start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if (end - start).days >= MAX_STATEMENT_DAYS:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        data["start"], data["end"] = start, end
        return data


def month_range(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM`` (this month when empty); a month not over yet ends today."""
    today = timezone.localdate()
    year, number = (int(part) for part in month.split("-")) if month else (today.year, today.month)
    start = date(year, number, 1)
    end = start + timedelta(days=calendar.monthrange(year, number)[1] - 1)
    return start, today if start <= today < end else end
