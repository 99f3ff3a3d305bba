"""Onboarding pages: the public application form and the applicant's private link; HQ review with
the selection scorecard."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from dealers import selectors, services
from dealers.application_forms import ApplicationForm, ApproveForm, MessageForm, RejectForm, ScoreForm
from dealers.filters import ApplicationFilterSet
from dealers.models import DealerApplication, SelectionCriterion
from dms.errors import DomainError
from dms.forms import run_service
from dms.ratelimit import hourly_limit_allows
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView


def _submission_allowed(request) -> bool:
    """At most DMS_APPLY_RATE_PER_HOUR public submissions per client address and hour."""
    return hourly_limit_allows(request, scope="apply", limit=settings.DMS_APPLY_RATE_PER_HOUR)


def _form_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("website", None)
    return data


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
        data = _form_data(form)
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
            data = _form_data(form)
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


class ApplicationListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.application_list
    filterset_class = ApplicationFilterSet
    template_name = "dealers/application_list.html"
    context_object_name = "applications"


class ApplicationDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.application_list
    template_name = "dealers/application_detail.html"
    context_object_name = "application"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        criteria = list(SelectionCriterion.objects.filter(is_active=True))
        mine = {
            s.criterion_id: (s.score, s.note) for s in application.scores.all() if s.reviewer_id == self.request.user.pk
        }
        context.update(
            {
                "card": services.application_scorecard(application),
                "score_form": ScoreForm(criteria=criteria, initial_scores=mine),
                "approve_form": ApproveForm(),
                "message_form": MessageForm(),
                "reject_form": RejectForm(),
                "approve_at": settings.DMS_SELECTION_APPROVE_AT,
                "recommend_at": settings.DMS_SELECTION_RECOMMEND_AT,
                "invitation_link": self.request.session.pop(f"dms:invite:{application.pk}", None),
            }
        )
        return context


class ApplicationCreateView(RoleRequiredMixin, FormView):
    """A channel manager enters an application received another way."""

    allowed_roles = HQ
    template_name = "dealers/application_form.html"
    form_class = ApplicationForm

    def form_valid(self, form):
        created = run_service(
            form,
            services.application_submit,
            actor=self.request.user,
            source=DealerApplication.Source.HQ,
            **_form_data(form),
        )
        if created is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Application %(number)s recorded.") % {"number": created[0].number})
        return HttpResponseRedirect(reverse("dealers:application_detail", args=[created[0].pk]))


class ApplicationActionView(RoleRequiredMixin, View):
    """POST-only review actions; a broken rule shows as a message on the application page."""

    allowed_roles = HQ
    action = None

    def post(self, request, pk):
        application = get_object_or_404(selectors.application_list(user=request.user), pk=pk)
        try:
            message = getattr(self, self.action)(request, application)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if message:
                messages.success(request, message)
        return redirect("dealers:application_detail", pk=pk)

    def _valid(self, form_class, request):
        form = form_class(request.POST)
        if not form.is_valid():
            raise services.RuleViolation(
                " ".join(str(e) for errors in form.errors.values() for e in errors), code="invalid"
            )
        return form.cleaned_data

    def start_review(self, request, application):
        services.application_start_review(actor=request.user, application=application)
        return _("Review started.")

    def score(self, request, application):
        form = ScoreForm(request.POST, criteria=SelectionCriterion.objects.filter(is_active=True))
        if not form.is_valid():
            raise services.RuleViolation(_("A score is a whole number from 1 to 5."), code="invalid_score")
        card = services.application_score(actor=request.user, application=application, scores=form.scores())
        if card.total is None:
            return _("Scores saved.")
        return _("Scores saved. Weighted total: %(total)s") % {"total": card.total}

    def request_info(self, request, application):
        data = self._valid(MessageForm, request)
        _application, token = services.application_request_info(
            actor=request.user, application=application, message=data["message"]
        )
        return _("Sent back to the applicant, who can answer at %(url)s") % {
            "url": services.application_access_url(application, token)
        }

    def reject(self, request, application):
        data = self._valid(RejectForm, request)
        services.application_reject(actor=request.user, application=application, reason=data["reason"])
        return _("Application rejected.")

    def approve(self, request, application):
        data = self._valid(ApproveForm, request)
        _application, dealer, user, link = services.application_approve(
            actor=request.user, application=application, owner=data["owner"], reason=data["reason"]
        )
        request.session[f"dms:invite:{application.pk}"] = link
        return _("Approved: dealer %(dealer)s created; %(user)s is invited to set a password.") % {
            "dealer": dealer,
            "user": user.username,
        }
