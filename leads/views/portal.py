"""Dealer portal pages of the leads app: the inbox of offered leads, the pipeline of accepted leads, the
lead page with its follow-ups, the dealer's own conversion figures and its deal registrations. Every read
goes through the selectors, so a dealer only ever sees the leads offered to or held by its own dealer."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from dms.caching import scoped_aggregate
from dms.errors import DomainError, PermissionDeniedError
from dms.forms import FormPageMixin, page_with_forms, run_service
from dms.templatetags.money import cny
from dms.views import DEALER, RoleRequiredMixin, ScopedDetailView, ScopedListView
from leads import selectors, services
from leads.filters import DealerRegistrationFilterSet, LeadQueueFilterSet
from leads.forms.portal import FollowUpForm, ReasonForm, RegistrationForm, WonForm
from leads.models import Assignment, Lead
from orders import selectors as order_selectors
from orders.models import Order

A = Assignment.Status
L = Lead.Status
# Orders offered as suggestions when a lead is marked won: the newest ones that went ahead.
ORDER_SUGGESTIONS = 20


def duration_text(value: timedelta | None) -> str:
    """A time span as people read it: 3 d 4 h, 2 h 5 min, 12 min."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("under a minute")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


# The inbox ----------------------------------------------------------------------------------------


class InboxView(ScopedListView):
    """The leads offered to the dealer now, with the time left to accept each."""

    allowed_roles = DEALER
    selector = selectors.lead_inbox
    template_name = "leads/portal/inbox.html"
    filterset_class = LeadQueueFilterSet
    context_object_name = "leads"

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


# The pipeline -------------------------------------------------------------------------------------


class PipelineView(ScopedListView):
    """The dealer's accepted leads, one status at a time, with the next action of each."""

    allowed_roles = DEALER
    selector = selectors.lead_pipeline
    template_name = "leads/portal/pipeline.html"
    filterset_class = LeadQueueFilterSet
    context_object_name = "leads"

    def get(self, request, *args, **kwargs):
        self.counts = selectors.pipeline_counts(user=request.user)
        tab = request.GET.get("status", "")
        if tab not in self.counts:
            tab = next((s for s in selectors.PIPELINE_OPEN if self.counts[s]), L.ACCEPTED)
        self.tab = tab
        return super().get(request, *args, **kwargs)

    def get_ordering(self):
        if self.tab in selectors.PIPELINE_OPEN:
            return ("followed_up", "next_action_on", "accepted_at", "pk")
        return ("-closed_at", "-pk")

    def get_queryset(self):
        return super().get_queryset().filter(status=self.tab)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            tab=self.tab,
            is_open=self.tab in selectors.PIPELINE_OPEN,
            tabs=[(status, L(status).label, self.counts[status]) for status in selectors.PIPELINE],
            today=timezone.localdate(),
            query_string=f"status={self.tab}",
        )
        return context


# Conversion figures -------------------------------------------------------------------------------


class LeadStatsView(RoleRequiredMixin, TemplateView):
    """The dealer's own conversion figures: this month and the last 12 months, kept a minute per dealer (they
    read every offer and outcome of the year)."""

    allowed_roles = DEALER
    template_name = "leads/portal/stats.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        figures = scoped_aggregate("lead-figures", user, lambda: selectors.dealer_lead_figures(user=user))
        periods = []
        for key, title in (("month", _("This month")), ("year", _("Last 12 months"))):
            row = figures[key]
            periods.append(
                {
                    "key": key,
                    "title": title,
                    "start": row["start"],
                    "counts": [
                        ("received", _("Offers received"), row["received"]),
                        ("accepted", _("Accepted"), row["accepted"]),
                        ("declined", _("Declined"), row["declined"]),
                        ("expired", _("Expired"), row["expired"]),
                        ("won", _("Won"), row["won"]),
                        ("lost", _("Lost"), row["lost"]),
                    ],
                    "won_amount": row["won_amount"],
                    "acceptance_rate": percent(row["acceptance_rate"]),
                    "win_rate": percent(row["win_rate"]),
                    "time_to_accept": duration_text(row["time_to_accept"]),
                }
            )
        return super().get_context_data(periods=periods, **kwargs)


# The lead page and its actions --------------------------------------------------------------------


class LeadDetailView(ScopedDetailView):
    allowed_roles = DEALER
    selector = selectors.dealer_lead_detail
    template_name = "leads/portal/lead_detail.html"
    context_object_name = "lead"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead, user = self.object, self.request.user
        held = lead.holding == A.ACCEPTED
        in_progress = held and lead.status in selectors.PIPELINE_OPEN
        follow_ups = lead.my_follow_ups
        context.update(
            now=timezone.now(),
            today=timezone.localdate(),
            offered=lead.holding == A.OFFERED,
            in_progress=in_progress,
            can_qualify=held and lead.status in (L.ACCEPTED, L.CONTACTED),
            follow_ups=follow_ups,
            next_action_on=follow_ups[0].next_action_on if follow_ups else None,
            silent=in_progress and not any(f.created_at >= lead.accepted_at for f in follow_ups),
            decline_form=kwargs.get("decline_form") or ReasonForm(auto_id="decline-%s"),
        )
        if in_progress:
            context.update(
                follow_up_form=kwargs.get("follow_up_form") or FollowUpForm(auto_id="follow-up-%s"),
                won_form=kwargs.get("won_form") or WonForm(user=user, auto_id="won-%s"),
                lost_form=kwargs.get("lost_form") or ReasonForm(auto_id="lost-%s"),
                own_orders=order_selectors.order_list(user=user)
                .exclude(status__in=[Order.Status.DRAFT, Order.Status.CANCELLED, Order.Status.REJECTED])
                .values_list("number", "created_at", "gross_amount")[:ORDER_SUGGESTIONS],
            )
        return context


def _back(request, lead: Lead):
    """To the page the form came from (the inbox sends ``next``), else the lead's page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("portal:lead_detail", lead.pk)


class LeadActionView(FormPageMixin, RoleRequiredMixin, View):
    """Base of the actions on a lead: a lead never offered to the dealer is not found; a refusal is a message.
    An action with a form that fails shows the lead's page again with that form, its input and its errors."""

    abstract = True

    def post(self, request, pk):
        lead = get_object_or_404(selectors.dealer_leads(user=request.user), pk=pk)
        try:
            failed = self.act(request, lead)
        except PermissionDeniedError:
            if lead.holding == A.OFFERED:
                messages.error(request, _("Accept the lead first."))
            else:
                messages.error(request, _("Your dealer no longer holds this lead."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if failed is not None:
                return page_with_forms(LeadDetailView, request, pk=lead.pk, bound_forms=failed)
        return _back(request, lead)

    def form_page_url(self, *, pk):
        return reverse("portal:lead_detail", args=[pk])

    def act(self, request, lead: Lead) -> dict | None:
        """Do the action; return ``{context name: form}`` when its form failed."""
        raise NotImplementedError

    @staticmethod
    def attempt(form, service, /, **kwargs):
        """Call ``service``; a broken rule about one of the form's fields goes beside that field and None is
        returned. Any other refusal is raised, to be shown as a message."""
        try:
            return service(**kwargs)
        except DomainError as exc:
            if exc.field not in form.fields:
                raise
            form.add_error(exc.field, str(exc.message))
            return None

    def offer(self, request, lead: Lead) -> Assignment | None:
        """The open offer of the lead to the user's dealer, or None with a message saying so."""
        assignment = None
        if lead.holding == A.OFFERED:
            assignment = selectors.dealer_open_assignment(user=request.user, lead=lead)
        if assignment is None:
            messages.error(request, _("This lead is no longer offered to your dealer."))
            return None
        return assignment


class LeadAcceptView(LeadActionView):
    allowed_roles = DEALER

    def act(self, request, lead):
        assignment = self.offer(request, lead)
        if assignment is not None:
            services.assignment_accept(actor=request.user, assignment=assignment)
            messages.success(
                request,
                _("You accepted lead %(number)s: it is in your pipeline; follow it up soon.") % {"number": lead.number},
            )


class LeadDeclineView(LeadActionView):
    allowed_roles = DEALER

    def act(self, request, lead):
        assignment = self.offer(request, lead)
        if assignment is None:
            return None
        form = ReasonForm(request.POST, auto_id="decline-%s")
        if not form.is_valid():
            return {"decline_form": form}
        reason = form.cleaned_data["reason"]
        if self.attempt(form, services.assignment_decline, actor=request.user, assignment=assignment, reason=reason):
            messages.success(request, _("You declined lead %(number)s.") % {"number": lead.number})
            return None
        return {"decline_form": form}


class LeadFollowUpView(LeadActionView):
    allowed_roles = DEALER

    def act(self, request, lead):
        form = FollowUpForm(request.POST, auto_id="follow-up-%s")
        if form.is_valid() and self.attempt(
            form, services.follow_up_add, actor=request.user, lead=lead, **form.cleaned_data
        ):
            messages.success(request, _("Follow-up logged."))
            return None
        return {"follow_up_form": form}


class LeadQualifyView(LeadActionView):
    allowed_roles = DEALER

    def act(self, request, lead):
        services.lead_qualify(actor=request.user, lead=lead)
        messages.success(request, _("Lead %(number)s is qualified.") % {"number": lead.number})


class LeadWonView(LeadActionView):
    allowed_roles = DEALER

    def act(self, request, lead):
        form = WonForm(request.POST, user=request.user, auto_id="won-%s")
        if form.is_valid() and self.attempt(
            form, services.lead_mark_won, actor=request.user, lead=lead, **form.cleaned_data
        ):
            amount = form.cleaned_data["amount"]
            messages.success(
                request, _("Lead %(number)s is won: %(amount)s.") % {"number": lead.number, "amount": cny(amount)}
            )
            return None
        return {"won_form": form}


class LeadLostView(LeadActionView):
    allowed_roles = DEALER

    def act(self, request, lead):
        form = ReasonForm(request.POST, auto_id="lost-%s")
        if form.is_valid() and self.attempt(
            form, services.lead_mark_lost, actor=request.user, lead=lead, reason=form.cleaned_data["reason"]
        ):
            messages.success(request, _("Lead %(number)s is marked lost.") % {"number": lead.number})
            return None
        return {"lost_form": form}


# Deal registrations -------------------------------------------------------------------------------


class RegistrationListView(ScopedListView):
    allowed_roles = DEALER
    selector = selectors.registration_list
    template_name = "leads/portal/registration_list.html"
    filterset_class = DealerRegistrationFilterSet
    context_object_name = "registrations"

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)


class RegistrationCreateView(RoleRequiredMixin, FormView):
    allowed_roles = DEALER
    form_class = RegistrationForm
    template_name = "leads/portal/registration_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        registration = run_service(form, services.registration_submit, actor=self.request.user, **form.cleaned_data)
        if registration is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Deal %(customer)s is registered: head office will decide on its protection.")
            % {"customer": registration.customer_company},
        )
        return redirect("portal:registration_detail", registration.pk)


class RegistrationDetailView(ScopedDetailView):
    allowed_roles = DEALER
    selector = selectors.registration_list
    template_name = "leads/portal/registration_detail.html"
    context_object_name = "registration"

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)
