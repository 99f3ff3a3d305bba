"""Forms of the head-office order desk: shape only; the rules live in orders.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dms.forms import BootstrapFormMixin
from orders import selectors
from orders.services import MAX_QUANTITY

QUANTITY_MESSAGE = _("Enter a quantity of at least 1.")


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class OrderCreateForm(BootstrapFormMixin, forms.Form):
    dealer = DealerChoiceField(label=_("Dealer"), queryset=None)
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
