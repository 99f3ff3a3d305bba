"""Delivery claims at head office: the queue, one claim with the goods and the photo and the decision (re-ship,
credit, reject); the claim form on a shipment's page. (Its photo is read through ``views.files``.)"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from dms.forms import FormPageMixin, page_with_forms, run_service
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from logistics import forms, selectors, services
from logistics.filters import ClaimFilterSet
from logistics.views.shipments import ShipmentActionView


class ClaimListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.claim_list
    filterset_class = ClaimFilterSet
    template_name = "logistics/claim_list.html"
    context_object_name = "claims"


class ClaimDetailView(ScopedDetailView):
    """A claim: what is missing or damaged and its value, the photo, and head office's decision or the form to
    take it."""

    allowed_roles = HQ
    selector = selectors.claim_detail_queryset
    template_name = "logistics/claim_detail.html"
    context_object_name = "claim"

    def get_context_data(self, **kwargs):
        claim = self.object
        context = {
            "can_resolve": claim.is_open and services.can_resolve(self.request.user),
            "resolve_form": kwargs.pop("resolve_form", None) or forms.ClaimResolveForm(initial={"amount": claim.value}),
        }
        return super().get_context_data(**context, **kwargs)


class ClaimResolveView(FormPageMixin, RoleRequiredMixin, View):
    allowed_roles = HQ

    def form_page_url(self, *, pk, **kwargs):
        return reverse("logistics:claim_detail", args=[pk])

    def post(self, request, pk):
        claim = get_object_or_404(selectors.claim_list(user=request.user), pk=pk)
        form = forms.ClaimResolveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = run_service(
                form,
                services.claim_resolve,
                actor=request.user,
                claim=claim,
                resolution=data["resolution"],
                reason=data["reason"],
                amount=data["amount"],
            )
            if done is not None:
                messages.success(
                    request,
                    _("Claim %(number)s decided: %(status)s.")
                    % {
                        "number": done.number,
                        "status": done.get_status_display(),
                    },
                )
                return redirect(self.form_page_url(pk=claim.pk))
        return page_with_forms(ClaimDetailView, request, pk=claim.pk, bound_forms={"resolve_form": form})


class ShipmentClaimView(ShipmentActionView):
    """Head office opens a claim for the dealer (who phoned it in) from the shipment's page."""

    form_class = forms.ClaimForm
    form_name = "claim_form"

    def make_form(self, shipment):
        return forms.ClaimForm(self.request.POST, self.request.FILES, shipment=shipment)

    def perform(self, *, shipment, form):
        claim = services.claim_open(actor=self.request.user, shipment=shipment, **form.service_data())
        self.done_message = _("Claim %(number)s opened.") % {"number": claim.number}
        return claim
