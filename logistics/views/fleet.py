"""HQ pages: the carriers with their rate cards and a freight calculator, and the vehicles of each
warehouse. Records are added and changed in the admin, as the catalogue is."""

from dms.errors import DomainError
from dms.forms import style_form
from dms.views import HQ, ScopedDetailView, ScopedListView
from logistics import forms as logistics_forms
from logistics import selectors, services
from logistics.filters import CarrierFilterSet, VehicleFilterSet
from orders import services as orders
from orders.models import Warehouse


class FleetMixin:
    allowed_roles = HQ
    may_use = staticmethod(selectors.can_see_fleet)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_manage=selectors.can_manage_fleet(user), can_import_charges=orders.can(user, "ship_order"), **kwargs
        )


class CarrierListView(FleetMixin, ScopedListView):
    selector = selectors.carrier_list
    filterset_class = CarrierFilterSet
    template_name = "logistics/carrier_list.html"
    context_object_name = "carriers"


class CarrierDetailView(FleetMixin, ScopedDetailView):
    """A carrier's rate cards, and what it would charge for a shipment described in the form."""

    selector = selectors.carrier_list
    template_name = "logistics/carrier_detail.html"
    context_object_name = "carrier"

    def get_context_data(self, **kwargs):
        carrier = self.object
        form = logistics_forms.QuoteForm(self.request.GET or None)
        style_form(form)
        quote = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                quote = services.freight_quote(
                    carrier=carrier,
                    origin_id=data["warehouse"].pk,
                    region=data["region"],
                    weight_kg=data["weight_kg"],
                    volume_m3=data["volume_m3"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
        # One origin warehouse's cards at a time: a carrier has a card per warehouse and destination.
        cards = selectors.rate_card_list(user=self.request.user).filter(carrier=carrier)
        origins = list(Warehouse.objects.filter(pk__in=cards.values("origin")).order_by("priority", "code"))
        origin = next((w for w in origins if w.code == self.request.GET.get("origin")), origins[0] if origins else None)
        rate_cards = cards.filter(origin=origin) if origin else cards.none()
        return super().get_context_data(
            form=form, quote=quote, rate_cards=rate_cards, origins=origins, origin=origin, **kwargs
        )


class VehicleListView(FleetMixin, ScopedListView):
    selector = selectors.vehicle_list
    filterset_class = VehicleFilterSet
    template_name = "logistics/vehicle_list.html"
    context_object_name = "vehicles"
