"""HTML forms of logistics: plan a shipment from what an order has left in a warehouse, record what arrived, add a
step of the journey, cancel with a reason; price a shipment with a carrier's rate cards; plan a warehouse's day.
Shape only: the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import Region
from dms.forms import BootstrapFormMixin
from logistics.models import Carrier, Shipment, TrackingEvent
from orders.models import Warehouse

QUANTITY = forms.NumberInput(attrs={"class": "form-control text-end", "inputmode": "numeric"})


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ShipmentPlanForm(BootstrapFormMixin, forms.Form):
    """One quantity per order line with something left in the warehouse (prefilled with all of it), how it goes,
    and when the dealer wants it."""

    mode = forms.ChoiceField(label=_("Mode"), choices=Shipment.Mode.choices, initial=Shipment.Mode.OWN_FLEET)
    carrier = forms.ModelChoiceField(
        label=_("Carrier"), queryset=Carrier.objects.filter(is_active=True).order_by("code"), required=False
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    requested_date = forms.DateField(
        label=_("Requested date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_opens = forms.TimeField(label=_("Receiving opens"), widget=_time_input())
    window_closes = forms.TimeField(label=_("Receiving closes"), widget=_time_input())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    dispatch_now = forms.BooleanField(
        label=_("Dispatch now"), required=False, help_text=_("The goods leave at once and the invoice is issued.")
    )

    def __init__(self, *args, left, **kwargs):
        """``left``: (order line, quantity left to plan) in the warehouse."""
        super().__init__(*args, **kwargs)
        self.left = left
        for line, quantity in left:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.product.sku} {line.product.local_name}",
                min_value=0,
                max_value=quantity,
                initial=quantity,
                widget=QUANTITY,
            )

    def line_fields(self):
        return [(line, quantity, self[f"line_{line.pk}"]) for line, quantity in self.left]

    def clean(self):
        data = super().clean()
        if self.left and not any(data.get(f"line_{line.pk}") for line, _quantity in self.left):
            raise forms.ValidationError(_("Ship at least one unit."), code="empty")
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "lines": [(line.product_id, data[f"line_{line.pk}"]) for line, _q in self.left if data[f"line_{line.pk}"]],
            "mode": data["mode"],
            "carrier": data["carrier"] if data["mode"] == Shipment.Mode.CARRIER else None,
            "tracking_number": data["tracking_number"],
            "requested_date": data["requested_date"],
            "window_opens": data["window_opens"],
            "window_closes": data["window_closes"],
            "note": data["note"],
        }


class DeliveryForm(BootstrapFormMixin, forms.Form):
    """What arrived of each line (prefilled with everything shipped), who took it and a note."""

    received_by = forms.CharField(label=_("Received by"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was short or damaged, if anything."),
    )
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.shipment_lines = list(shipment.lines.all())
        for line in self.shipment_lines:
            self.fields[f"received_{line.pk}"] = forms.IntegerField(
                label=f"{line.product.sku} {line.product.local_name}",
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
                widget=QUANTITY,
            )

    def line_fields(self):
        return [(line, self[f"received_{line.pk}"]) for line in self.shipment_lines]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "received": {line.product_id: data[f"received_{line.pk}"] for line in self.shipment_lines},
            "received_by": data["received_by"],
            "note": data["note"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
        }


class TrackingForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in TrackingEvent.Kind.choices if c[0] != TrackingEvent.Kind.DISPATCHED]
    )
    occurred_at = forms.DateTimeField(
        label=_("Happened"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class ActionForm(forms.Form):
    """An action that takes no input."""


class QuoteForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("From warehouse"), queryset=Warehouse.objects.filter(is_active=True))
    region = forms.ModelChoiceField(
        label=_("To region"), queryset=Region.objects.exclude(level=Region.Level.DISTRICT), to_field_name="code"
    )
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), min_value=0, max_digits=12, decimal_places=3)
    volume_m3 = forms.DecimalField(label=_("Volume (m³)"), min_value=0, max_digits=10, decimal_places=4)


class PlanRequestForm(BootstrapFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True, latitude__isnull=False).order_by("priority", "code"),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
