"""HQ pages of shipments: the list, one shipment with its journey and its actions (dispatch, record delivery, add
a tracking step, cancel), and planning a shipment from an order's page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from dms.errors import DomainError
from dms.forms import FormPageMixin, flash_form_errors, page_with_forms, run_service
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from logistics import forms, selectors, services
from logistics.filters import ShipmentFilterSet
from logistics.models import Shipment
from orders import services as orders
from orders.selectors import orders_in_scope

St = Shipment.Status


def may_ship(user) -> bool:
    return orders.can(user, "ship_order")


class ShipmentListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.shipment_list
    filterset_class = ShipmentFilterSet
    template_name = "logistics/shipment_list.html"
    context_object_name = "shipments"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_import_charges=may_ship(self.request.user), **kwargs)


class ShipmentDetailView(ScopedDetailView):
    """A shipment, its lines with what arrived, its journey, and what the order desk may do with it next."""

    allowed_roles = HQ
    selector = selectors.shipment_detail_queryset
    template_name = "logistics/shipment_detail.html"
    context_object_name = "shipment"

    def get_context_data(self, **kwargs):
        shipment = self.object
        shipper = may_ship(self.request.user)
        allowed = services.SHIPMENT_TRANSITIONS[shipment.status]
        now = timezone.localtime().replace(second=0, microsecond=0)
        context = {
            "can_dispatch": shipper and shipment.status == St.PLANNED,
            "can_cancel": shipper and St.CANCELLED in allowed,
            "can_deliver": shipper and St.DELIVERED in allowed,
            "can_track": shipper and shipment.status in (St.IN_TRANSIT, St.EXCEPTION),
            "can_charge": shipper and shipment.mode == Shipment.Mode.CARRIER and shipment.status in services.CHARGEABLE,
            "charge_form": kwargs.pop("charge_form", None)
            or forms.FreightChargeForm(initial={"amount": shipment.freight_charge}),
            "charge_difference": services.charge_difference(shipment),
            "last_charge": (
                selectors.last_charge(user=self.request.user, shipment=shipment)
                if shipment.freight_charge is not None
                else None
            ),
            "delivery_form": kwargs.pop("delivery_form", None) or forms.DeliveryForm(shipment=shipment),
            "tracking_form": kwargs.pop("tracking_form", None) or forms.TrackingForm(initial={"occurred_at": now}),
            "cancel_form": kwargs.pop("cancel_form", None) or forms.CancelForm(),
            "steps": list(reversed(shipment.tracking.all())),
            "claims": selectors.shipment_claims(shipment=shipment),
            "can_claim": shipper and shipment.status == St.DELIVERED,
            "claim_form": kwargs.pop("claim_form", None) or forms.ClaimForm(shipment=shipment),
        }
        return super().get_context_data(**context, **kwargs)


class ShipmentActionView(FormPageMixin, RoleRequiredMixin, View):
    """A POST-only action on one shipment; a form that fails shows the shipment's page again with the input kept."""

    allowed_roles = HQ
    form_class = forms.ActionForm
    form_name = ""
    done_message = ""

    def form_page_url(self, *, pk, **kwargs):
        return reverse("logistics:shipment_detail", args=[pk])

    def make_form(self, shipment):
        return self.form_class(self.request.POST)

    def back_url(self, shipment) -> str:
        """Where the action came from when it names a page of this site (the driver's route), else the
        shipment's page."""
        url = self.request.POST.get("next", "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return self.form_page_url(pk=shipment.pk)

    def post(self, request, pk):
        shipment = get_object_or_404(selectors.shipments_in_scope(user=request.user), pk=pk)
        form = self.make_form(shipment)
        result = None
        if form.is_valid():
            result = run_service(form, self.perform, shipment=shipment, form=form)
        back = self.back_url(shipment)
        if result is not None:
            messages.success(request, self.done_message)
            return redirect(back)
        if not self.form_name or form.non_field_errors() or back != self.form_page_url(pk=shipment.pk):
            flash_form_errors(request, form)
            return redirect(back)
        return page_with_forms(ShipmentDetailView, request, pk=shipment.pk, bound_forms={self.form_name: form})

    def perform(self, *, shipment, form):
        raise NotImplementedError


class ShipmentDispatchView(ShipmentActionView):
    done_message = gettext_lazy("Shipment dispatched: the stock has left and the invoice is issued.")

    def perform(self, *, shipment, form):
        if shipment.replaces_id:
            self.done_message = gettext_lazy("Replacement dispatched: the goods have left the free stock.")
        return services.shipment_dispatch(actor=self.request.user, shipment=shipment)


class ShipmentCancelView(ShipmentActionView):
    form_class = forms.CancelForm
    form_name = "cancel_form"
    done_message = gettext_lazy("Shipment cancelled: its quantities can be planned again.")

    def perform(self, *, shipment, form):
        return services.shipment_cancel(actor=self.request.user, shipment=shipment, reason=form.cleaned_data["reason"])


class ShipmentDeliverView(ShipmentActionView):
    form_class = forms.DeliveryForm
    form_name = "delivery_form"
    done_message = gettext_lazy("Delivery recorded.")

    def make_form(self, shipment):
        return forms.DeliveryForm(self.request.POST, self.request.FILES, shipment=shipment)

    def perform(self, *, shipment, form):
        return services.shipment_deliver(actor=self.request.user, shipment=shipment, **form.service_data())


class ShipmentTrackView(ShipmentActionView):
    form_class = forms.TrackingForm
    form_name = "tracking_form"
    done_message = gettext_lazy("Tracking step added.")

    def perform(self, *, shipment, form):
        event, _created = services.shipment_track(actor=self.request.user, shipment=shipment, **form.cleaned_data)
        return event


class ShipmentChargeView(ShipmentActionView):
    form_class = forms.FreightChargeForm
    form_name = "charge_form"
    done_message = gettext_lazy("The carrier's charge is recorded.")

    def perform(self, *, shipment, form):
        return services.freight_charge_record(actor=self.request.user, shipment=shipment, **form.cleaned_data)


class ShipmentPlanView(RoleRequiredMixin, TemplateView):
    """Plan a shipment of an order from one warehouse: the order's lines with what is left to plan there,
    prefilled with all of it, how it goes and when. One tab per warehouse that still holds some of the order."""

    allowed_roles = HQ
    may_use = staticmethod(may_ship)
    template_name = "logistics/shipment_plan.html"

    def setup_order(self):
        self.order = get_object_or_404(orders_in_scope(user=self.request.user), pk=self.kwargs["order_pk"])
        lines = {line.pk: line for line in self.order.lines.select_related("product")}
        self.left_by_warehouse = [
            (warehouse, [(lines[pk], q) for pk, q in sorted(left.items())])
            for warehouse, left in services.left_by_warehouse(order=self.order)
        ]
        chosen = self.request.GET.get("warehouse") or self.request.POST.get("warehouse")
        self.warehouse, self.left = next(
            ((w, left) for w, left in self.left_by_warehouse if w.code == chosen),
            self.left_by_warehouse[0] if self.left_by_warehouse else (None, []),
        )

    def get(self, request, *args, **kwargs):
        self.setup_order()
        form = forms.ShipmentPlanForm(left=self.left, initial=services.shipment_defaults(self.order))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.setup_order()
        form = forms.ShipmentPlanForm(request.POST, left=self.left, initial=services.shipment_defaults(self.order))
        if self.warehouse is not None and form.is_valid():
            shipment = run_service(
                form,
                services.shipment_create,
                actor=request.user,
                order=self.order,
                warehouse=self.warehouse,
                **form.service_data(),
            )
            if shipment is not None:
                self.dispatch_now(shipment, form.cleaned_data["dispatch_now"])
                return redirect("logistics:shipment_detail", shipment.pk)
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def dispatch_now(self, shipment, wanted: bool) -> None:
        """Dispatch a just planned shipment when asked; a refusal leaves it planned and says why."""
        planned = _("Shipment %(number)s planned.") % {"number": shipment.number}
        if not wanted:
            messages.success(self.request, planned)
            return
        try:
            services.shipment_dispatch(actor=self.request.user, shipment=shipment)
        except DomainError as exc:
            messages.warning(self.request, f"{planned} {exc.message}")
        else:
            messages.success(self.request, _("Shipment %(number)s dispatched.") % {"number": shipment.number})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            order=self.order,
            warehouse=self.warehouse,
            left_by_warehouse=self.left_by_warehouse,
            shippable=self.order.status in orders.SHIPPABLE,
            **kwargs,
        )
