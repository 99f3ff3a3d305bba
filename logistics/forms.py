"""HTML forms of logistics: plan a shipment from what an order has left in a warehouse, record what arrived, add a
step of the journey, cancel with a reason, record what the carrier charged; price a shipment with a carrier's
rate cards; plan a warehouse's day. Choose the months and grouping of the delivery KPIs. Shape only: the rules are
the services'."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dealers.models import Region
from dms.forms import BootstrapFormMixin
from logistics import kpis
from logistics.models import Carrier, DeliveryClaim, Shipment, TrackingEvent
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
    photo = forms.FileField(
        label=_("Photo of the signed delivery note"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf", "capture": "environment"}
        ),
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
            "photo": data["photo"] or None,
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


class FreightChargeForm(BootstrapFormMixin, forms.Form):
    """What the carrier charged for the shipment, and the bill it came from."""

    amount = forms.DecimalField(
        label=_("Amount charged"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"), localize=False
    )
    reference = forms.CharField(label=_("Carrier's invoice number"), max_length=100, required=False)
    invoiced_on = forms.DateField(
        label=_("Invoice date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


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


def _month_field(label):
    return forms.RegexField(
        label=label,
        regex=r"^[12]\d{3}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )


def _first_day(month: str | None):
    return datetime.date.fromisoformat(f"{month}-01") if month else None


class KpiPeriodForm(forms.Form):
    """The months of delivery a KPI report covers, ``from`` and ``to`` (``YYYY-MM``) as the API names them: the
    last twelve months unless given, at most five years. Cleaned, it holds ``first_month`` and ``last_month``."""

    field_order = ["group", "from", "to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Python keeps the word "from" for itself: the two fields cannot be declared in the class body.
        self.fields["from"] = _month_field(_("From month"))
        self.fields["to"] = _month_field(_("To month"))
        self.order_fields(self.field_order)
        # An empty form shows the months it reports.
        first, last = kpis.default_months()
        self.fields["from"].initial, self.fields["to"].initial = f"{first:%Y-%m}", f"{last:%Y-%m}"

    def clean(self):
        data = super().clean()
        first, last = _first_day(data.get("from")), _first_day(data.get("to"))
        default_first, this_month = kpis.default_months()
        if first is None and last is None:
            first, last = default_first, this_month
        elif last is None:
            last = max(first, this_month)
        elif first is None:
            first = kpis.add_months(last, 1 - kpis.MONTHS_SHOWN)
        # A period that does not hold is the fault of the month given last (the API reports it by field).
        field = "to" if data.get("to") else "from"
        if first > last:
            self.add_error(field, forms.ValidationError(_("The last month is before the first."), code="reversed"))
        elif kpis.months_between(first, last) > kpis.MAX_MONTHS:
            message = _("Choose at most %(months)d months.") % {"months": kpis.MAX_MONTHS}
            self.add_error(field, forms.ValidationError(message, code="too_long"))
        else:
            data["first_month"], data["last_month"] = first, last
        return data


class ShipmentKpiForm(KpiPeriodForm):
    """Head office's KPI report: the period, how to group the shipments, and which warehouse and mode."""

    group = forms.ChoiceField(label=_("Group by"), choices=kpis.GROUPS, required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All warehouses"),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", _("All modes")), *Shipment.Mode.choices], required=False)

    field_order = ["group", "from", "to", "warehouse", "mode"]

    def clean_group(self):
        return self.cleaned_data["group"] or "month"


class ClaimForm(BootstrapFormMixin, forms.Form):
    """Goods of a delivered shipment missing or damaged: how many of each line, what happened, a photo."""

    kind = forms.ChoiceField(label=_("What is wrong"), choices=DeliveryClaim.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A photo of the damage or of the delivery note: JPEG, PNG or PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf", "capture": "environment"}
        ),
    )

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.shipment_lines = list(shipment.lines.all())
        for line in self.shipment_lines:
            self.fields[f"claimed_{line.pk}"] = forms.IntegerField(
                label=f"{line.product.sku} {line.product.local_name}",
                min_value=0,
                max_value=line.quantity,
                initial=0,
                required=False,
                widget=QUANTITY,
            )

    def line_fields(self):
        return [(line, self[f"claimed_{line.pk}"]) for line in self.shipment_lines]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"claimed_{line.pk}") for line in self.shipment_lines):
            raise forms.ValidationError(_("Name at least one product and quantity."), code="empty")
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "lines": [
                (line.product_id, data[f"claimed_{line.pk}"])
                for line in self.shipment_lines
                if data.get(f"claimed_{line.pk}")
            ],
            "description": data["description"],
            "photo": data["photo"] or None,
        }


class ClaimResolveForm(BootstrapFormMixin, forms.Form):
    resolution = forms.ChoiceField(
        label=_("Decision"),
        choices=DeliveryClaim.Resolution.choices,
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Credit amount"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("For a credit: at most the value of the goods; all of it when left empty."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("The dealer reads it.")
    )
