"""Onboarding pages without sign-in: the application form and the applicant's private link."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from dealers import services
from dealers.forms.public import ApplicationForm
from dealers.models import DealerApplication
from dms.forms import run_service
from dms.ratelimit import hourly_limit_allows


def _submission_allowed(request) -> bool:
    """At most DMS_APPLY_RATE_PER_HOUR public submissions per client address and hour."""
    return hourly_limit_allows(request, scope="apply", limit=settings.DMS_APPLY_RATE_PER_HOUR)


class ApplyView(FormView):
    """The public page where a company applies to become a dealer (no sign-in)."""

    template_name = "apply/apply.html"
    form_class = ApplicationForm

    def form_valid(self, form):
        if not _submission_allowed(self.request):
            return render(self.request, "apply/too_many.html", status=429)
        if form.cleaned_data.get("website"):
            # A bot filled the hidden field: answer as if all went well, record nothing.
            return render(self.request, "apply/received.html", {"application": None})
        data = form.service_data()
        created = run_service(form, services.application_submit, source=DealerApplication.Source.PUBLIC, **data)
        if created is None:
            return self.form_invalid(form)
        application, token = created
        return HttpResponseRedirect(reverse("apply:status", args=[application.pk, token]) + "?new=1")


class ApplicationStatusView(View):
    """The applicant's private page: where the application stands, and the form to complete it
    when head office asks for more information."""

    def dispatch(self, request, pk, token):
        self.application = services.application_by_token(pk=pk, token=token)
        if self.application is None:
            raise Http404
        return super().dispatch(request, pk, token)

    def get(self, request, pk, token):
        form = None
        if self.application.status == DealerApplication.Status.NEEDS_INFO:
            form = ApplicationForm(instance=self.application)
        return self.render(form)

    def post(self, request, pk, token):
        form = ApplicationForm(request.POST, instance=DealerApplication.objects.get(pk=pk))
        if form.is_valid():
            data = form.service_data()
            if run_service(form, services.application_resubmit, application=self.application, **data):
                messages.success(request, _("Thank you. Your application is back with head office."))
                return redirect("apply:status", pk=pk, token=token)
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(
            self.request,
            "apply/status.html",
            {"application": self.application, "form": form, "new": self.request.GET.get("new")},
            status=status,
        )
