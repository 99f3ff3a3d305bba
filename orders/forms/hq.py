"""Forms of the head-office pages: the order desk, stock, payments, credit and reports. Shape only: the rules
live in orders.services."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealers import selectors as dealer_selectors
from dealers.forms import ABOVE_DISTRICT, DealerChoiceField, RegionChoiceField, dealer_picker, region_picker
from dealers.models import Dealer, Region
from dms.bulk import BulkForm
from dms.forms import BootstrapFormMixin
from orders import selectors, services
from orders.models import Payment
from orders.services import MAX_QUANTITY

QUANTITY_MESSAGE = _("Enter a quantity of at least 1.")


class OrderCreateForm(BootstrapFormMixin, forms.Form):
    dealer = DealerChoiceField(
        label=_("Dealer"), queryset=None, widget=dealer_picker(statuses=(Dealer.Status.ACTIVE, Dealer.Status.PROBATION))
    )
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ship_to_address = forms.CharField(
        label=_("Ship-to address"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to ship to the dealer's address."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = selectors.dealers_with_orders(user=user)


class ActionForm(forms.Form):
    """An action that takes no input."""


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason.")},
    )


class ApproveForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields["reason"].help_text = _(
            "Required to reject, and to approve past the credit limit or with overdue invoices."
        )


class BulkDecisionForm(BulkForm):
    """Approve or reject the orders ticked in the approval queue; one reason serves every rejected order."""

    reason = forms.CharField(
        label=_("Reason to reject"),
        max_length=1000,
        required=False,
        help_text=_("Orders past the credit limit or with overdue invoices are approved one by one, on their page."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason to reject the selected orders."))
        return cleaned


class AddLineForm(BootstrapFormMixin, forms.Form):
    sku = forms.CharField(
        label=_("SKU"),
        max_length=40,
        widget=forms.TextInput(attrs={"list": "orderable-products", "autocomplete": "off"}),
        error_messages={"required": _("Enter a SKU.")},
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), QUANTITY_MESSAGE),
    )

    def clean_sku(self):
        return self.cleaned_data["sku"].strip()


FILE_HELP = _("CSV (UTF-8 or GB18030) or .xlsx, up to 5 MB and 5,000 rows.")

# Aging before this date is not meaningful (and far earlier dates cannot be computed).
EARLIEST_REPORT_DATE = datetime.date(2000, 1, 1)


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.local_name}"


class StockAdjustForm(BootstrapFormMixin, forms.Form):
    warehouse = WarehouseChoiceField(label=_("Warehouse"), queryset=None)
    sku = forms.CharField(label=_("SKU"), max_length=40)
    delta = forms.IntegerField(
        label=pgettext_lazy("stock movement", "Change"),
        min_value=-services.MAX_ADJUSTMENT,
        max_value=services.MAX_ADJUSTMENT,
        help_text=_("Units to add (received) or, with a minus sign, to remove."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = selectors.warehouse_list(user=user).filter(is_active=True)


class ImportFileForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class StockImportForm(ImportFileForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        initial=_("Stock count"),
        help_text=_("Recorded on every stock movement of this import."),
    )


class PaymentForm(BootstrapFormMixin, forms.Form):
    dealer = DealerChoiceField(label=_("Dealer"), queryset=None)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, help_text=_("The bank or ERP reference; unique per dealer.")
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Payment.RECEIVED_METHODS, initial=Payment.Method.BANK_TRANSFER
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealer_selectors.dealer_list(user=user)


class CreditLimitForm(BootstrapFormMixin, forms.Form):
    credit_limit = forms.DecimalField(label=_("Credit limit"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DefaultWarehouseForm(BootstrapFormMixin, forms.Form):
    warehouse = WarehouseChoiceField(
        label=_("Default warehouse"),
        queryset=None,
        required=False,
        help_text=_("Orders reserve stock here first; leave empty to follow the warehouses' priority."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = selectors.warehouse_list(user=user).filter(is_active=True)


class AgingFilterForm(forms.Form):
    region = RegionChoiceField(
        label=_("Region"),
        queryset=Region.objects.exclude(level=Region.Level.DISTRICT),
        to_field_name="code",
        required=False,
        help_text=_("Includes every city and district inside it."),
        widget=region_picker(ABOVE_DISTRICT),
    )
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The report date cannot be in the future."))
        if day and day < EARLIEST_REPORT_DATE:
            raise forms.ValidationError(
                _("The report date cannot be before %(day)s.") % {"day": EARLIEST_REPORT_DATE.isoformat()}
            )
        return day
