"""HQ pages for dealers: list with filters and export, detail, create/edit, status and tier changes."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from dealers import forms, selectors, services
from dealers.document_forms import DocumentUploadForm
from dealers.filters import DealerFilterSet
from dealers.models import Dealer, DealerContact
from dms.exports import ExportMixin
from dms.forms import flash_form_errors, run_service
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView

EXPORT_COLUMNS = [  # lazy: the header follows the language of whoever exports
    ("code", gettext_lazy("Dealer code")),
    ("name", gettext_lazy("Name")),
    ("legal_name", gettext_lazy("Legal name")),
    ("uscc", gettext_lazy("Unified social credit code")),
    ("status", gettext_lazy("Status")),
    ("tier", gettext_lazy("Tier")),
    ("province", gettext_lazy("Province")),
    ("region", gettext_lazy("Home region")),
    ("owner", gettext_lazy("Owner")),
    ("payment_terms_days", gettext_lazy("Payment terms (days)")),
    ("lead_capacity", gettext_lazy("Capacity for open leads")),
    ("joined_on", gettext_lazy("Joined on")),
]


class DealerListView(ExportMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.dealer_list
    filterset_class = DealerFilterSet
    template_name = "dealers/dealer_list.html"
    context_object_name = "dealers"
    export_name = "dealers"
    export_title = gettext_lazy("Dealers")
    export_columns = [label for _key, label in EXPORT_COLUMNS]

    def export_row(self, dealer: Dealer) -> list:
        region = dealer.region
        province = region if region.level == "province" else region.parent
        return [
            dealer.code,
            dealer.name,
            dealer.legal_name,
            dealer.uscc,
            dealer.get_status_display(),
            dealer.get_tier_display(),
            province.name if province else "",
            region.name,
            str(dealer.owner) if dealer.owner else "",
            dealer.payment_terms_days,
            dealer.lead_capacity,
            dealer.joined_on.isoformat() if dealer.joined_on else "",
        ]


class DealerDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.dealer_detail_queryset
    template_name = "dealers/dealer_detail.html"
    context_object_name = "dealer"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status_form"] = forms.StatusChangeForm(
            initial={"status": ""},
        )
        allowed = services.STATUS_TRANSITIONS[self.object.status]
        context["status_form"].fields["status"].choices = [
            (s, label) for s, label in Dealer.Status.choices if s in allowed
        ]
        context["tier_form"] = forms.TierChangeForm(initial={"tier": self.object.tier})
        context["contact_form"] = forms.ContactForm()
        context["overview"] = selectors.document_overview(dealer=self.object)
        context["upload_form"] = DocumentUploadForm()
        return context


class DealerCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = forms.DealerCreateForm
    template_name = "dealers/dealer_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["served_regions"] = list(data["served_regions"])
        dealer = run_service(form, services.dealer_create, actor=self.request.user, **data)
        if dealer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Dealer %(dealer)s created.") % {"dealer": dealer})
        return HttpResponseRedirect(reverse("dealers:detail", args=[dealer.pk]))


class DealerEditView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = forms.DealerForm
    template_name = "dealers/dealer_form.html"

    @cached_property
    def dealer(self):
        return get_object_or_404(selectors.dealer_detail_queryset(user=self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Dealer.objects.get(pk=self.dealer.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(dealer=self.dealer, **kwargs)

    def form_valid(self, form):
        data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE_FIELDS}
        served = form.cleaned_data["served_regions"] if "served_regions" in form.changed_data else None
        data["code"] = form.cleaned_data["code"] or self.dealer.code
        dealer = run_service(
            form, services.dealer_update, actor=self.request.user, dealer=self.dealer, served_regions=served, **data
        )
        if dealer is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Dealer %(dealer)s saved.") % {"dealer": dealer})
        return HttpResponseRedirect(reverse("dealers:detail", args=[dealer.pk]))


class DealerActionView(RoleRequiredMixin, View):
    """POST-only actions on one dealer; a rule broken shows as a message on the dealer page."""

    allowed_roles = HQ
    form_class = None

    def post(self, request, pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        form = self.form_class(request.POST)
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect("dealers:detail", pk=pk)
        if run_service(form, self.perform, dealer=dealer, **form.cleaned_data) is None:
            flash_form_errors(request, form)
        else:
            messages.success(request, self.done_message)
        return redirect("dealers:detail", pk=pk)


class DealerStatusView(DealerActionView):
    form_class = forms.StatusChangeForm
    done_message = _("Status changed.")

    def perform(self, *, dealer, status, reason):
        return services.dealer_change_status(actor=self.request.user, dealer=dealer, status=status, reason=reason)


class DealerTierView(DealerActionView):
    form_class = forms.TierChangeForm
    done_message = _("Tier changed.")

    def perform(self, *, dealer, tier, reason):
        return services.dealer_change_tier(actor=self.request.user, dealer=dealer, tier=tier, reason=reason)


class ContactAddView(DealerActionView):
    form_class = forms.ContactForm
    done_message = _("Contact added.")

    def perform(self, *, dealer, **fields):
        return services.contact_add(actor=self.request.user, dealer=dealer, **fields)


class ContactRemoveView(RoleRequiredMixin, View):
    allowed_roles = HQ

    def post(self, request, pk, contact_pk):
        dealer = get_object_or_404(selectors.dealer_list(user=request.user), pk=pk)
        contact = get_object_or_404(DealerContact, pk=contact_pk, dealer=dealer)
        services.contact_remove(actor=request.user, contact=contact)
        messages.success(request, _("Contact removed."))
        return redirect("dealers:detail", pk=pk)
