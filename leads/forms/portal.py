"""Forms of the dealer portal's lead pages (shape only: the rules live in the services)."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dealers.validators import normalize_uscc, validate_phone, validate_uscc
from dms.forms import BootstrapFormMixin
from leads.models import FollowUp
from orders import selectors as order_selectors
from orders.models import ProductLine

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "max_value": 10**12 - 1}


class ReasonForm(BootstrapFormMixin, forms.Form):
    """Declining an offer, or marking a lead lost: a reason is needed."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Give a reason.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(value, capfirst(label)) for value, label in FollowUp.Kind.choices]
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_action_on = forms.DateField(label=_("Next action on"), required=False, widget=DATE_INPUT)


class WonForm(BootstrapFormMixin, forms.Form):
    """The amount won and, optionally, the number of one of the dealer's own orders that came of it."""

    amount = forms.DecimalField(label=_("Amount won (¥)"), **MONEY)
    order = forms.CharField(
        label=_("Order number"),
        max_length=24,
        required=False,
        help_text=_("Optional: one of your orders for this customer."),
        widget=forms.TextInput(attrs={"list": "own-orders", "autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_order(self):
        number = self.cleaned_data["order"].strip()
        if not number:
            return None
        order = order_selectors.order_list(user=self.user).filter(number__iexact=number).first()
        if order is None:
            raise forms.ValidationError(_("No such order, or it is not yours."))
        return order


class RegistrationForm(BootstrapFormMixin, forms.Form):
    """A deal registration (报备): the customer, the product line and the expected deal."""

    customer_company = forms.CharField(label=_("Customer company"), max_length=200)
    customer_uscc = forms.CharField(
        label=_("Customer's unified social credit code"),
        max_length=18,
        required=False,
        validators=[validate_uscc],
        help_text=_("Give the code or a phone number, so that head office can tell the customer apart."),
    )
    customer_phone = forms.CharField(
        label=_("Customer phone"),
        max_length=32,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    product_line = forms.ModelChoiceField(label=_("Product line"), queryset=ProductLine.objects.none())
    expected_value = forms.DecimalField(label=_("Expected value (¥)"), **MONEY)
    expected_close_on = forms.DateField(label=_("Expected close date"), widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = ProductLine.objects.filter(
            pk__in=order_selectors.authorized_line_ids(dealer=user.dealer), is_active=True
        ).order_by("position", "code")

    def clean_customer_uscc(self):
        return normalize_uscc(self.cleaned_data["customer_uscc"])
