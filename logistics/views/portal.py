"""Dealer portal: a dealer records what arrived of its own shipment (proof of delivery) and reports goods missing
or damaged, from the order's page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from dms.forms import flash_form_errors, run_service
from dms.views import DEALER, RoleRequiredMixin
from logistics import forms, selectors, services


class ShipmentReceiveView(RoleRequiredMixin, View):
    allowed_roles = DEALER

    def post(self, request, pk):
        shipment = get_object_or_404(selectors.shipments_in_scope(user=request.user), pk=pk)
        form = forms.DeliveryForm(request.POST, request.FILES, shipment=shipment)
        if form.is_valid():
            done = run_service(
                form, services.shipment_deliver, actor=request.user, shipment=shipment, **form.service_data()
            )
            if done is not None:
                short = sum(line.shortage for line in done.lines.all())
                if short:
                    messages.warning(
                        request,
                        _("Receipt of %(number)s recorded, %(short)s units short: head office is told.")
                        % {"number": done.number, "short": short},
                    )
                else:
                    messages.success(
                        request, _("Thank you: receipt of %(number)s is recorded.") % {"number": done.number}
                    )
                return redirect(f"{_order_url(shipment)}#shipment-{shipment.pk}")
        flash_form_errors(request, form)
        return redirect(f"{_order_url(shipment)}#shipment-{shipment.pk}")


class ShipmentClaimView(RoleRequiredMixin, View):
    allowed_roles = DEALER

    def post(self, request, pk):
        shipment = get_object_or_404(selectors.shipment_list(user=request.user), pk=pk)
        form = forms.ClaimForm(request.POST, request.FILES, shipment=shipment)
        if form.is_valid():
            claim = run_service(form, services.claim_open, actor=request.user, shipment=shipment, **form.service_data())
            if claim is not None:
                messages.success(
                    request,
                    _("Claim %(number)s sent to head office; you are told when it is decided.")
                    % {"number": claim.number},
                )
                return redirect(f"{_order_url(shipment)}#shipment-{shipment.pk}")
        flash_form_errors(request, form)
        return redirect(f"{_order_url(shipment)}#shipment-{shipment.pk}")


def _order_url(shipment) -> str:
    return reverse("portal:order_detail", args=[shipment.order_id])
