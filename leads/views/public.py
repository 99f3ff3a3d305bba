"""The brand's public enquiry page: no sign-in, a honeypot and a limit per client address."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from dms.forms import run_service
from dms.ratelimit import hourly_limit_allows
from leads import services
from leads.forms.public import EnquiryForm


def _submission_allowed(request) -> bool:
    """At most DMS_ENQUIRY_RATE_PER_HOUR public submissions per client address and hour."""
    return hourly_limit_allows(request, scope="enquiry", limit=settings.DMS_ENQUIRY_RATE_PER_HOUR)


class EnquiryView(FormView):
    """A customer asks about a product line; the lead goes to the dealer best placed to serve them."""

    template_name = "leads/enquiry.html"
    form_class = EnquiryForm

    def form_valid(self, form):
        if not _submission_allowed(self.request):
            return render(self.request, "leads/enquiry_too_many.html", status=429)
        if form.cleaned_data.get("website"):
            # A bot filled the hidden field: answer as if all went well, record nothing.
            return HttpResponseRedirect(reverse("enquiry:thanks"))
        created = run_service(form, services.lead_create, actor=None, source="web", **form.service_data())
        if created is None:
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("enquiry:thanks"))


class EnquiryThanksView(TemplateView):
    """The same answer for every enquiry, whether or not the customer was already known."""

    template_name = "leads/enquiry_thanks.html"
