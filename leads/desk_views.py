"""Head office's lead desk: the lead list and export, the unassigned queue, the lead page with its routing
decision and timeline, manual entry and assignment, the funnel, and deal registrations (报备)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from dealers.models import Region
from dealers.selectors import dealers_in_scope
from dms.exports import ExportMixin, spreadsheet
from dms.filters import YES_NO
from dms.forms import StatusSelect, flash_form_errors, run_service, style_form
from dms.templatetags.money import cny
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from leads import desk_forms, reports, selectors, services
from leads.filters import LeadFilterSet, RegistrationFilterSet
from leads.models import Assignment, AssignmentRule, DealRegistration, Lead
from leads.routing import DefaultRule

A, L = Assignment.Status, Lead.Status
SMALL_SELECT = {"class": "form-select form-select-sm"}
POINTS = (
    ("tier", gettext_lazy("Tier")),
    ("distance", gettext_lazy("Distance")),
    ("load", gettext_lazy("Free capacity")),
    ("fairness", gettext_lazy("Time since last lead")),
)
EXPORT_COLUMNS = [
    gettext_lazy("Lead number"),
    gettext_lazy("Created"),
    gettext_lazy("Contact name"),
    gettext_lazy("Phone"),
    gettext_lazy("Email"),
    gettext_lazy("Company"),
    gettext_lazy("Region code"),
    gettext_lazy("Region"),
    gettext_lazy("Product line"),
    gettext_lazy("Source"),
    gettext_lazy("Status"),
    gettext_lazy("Dealer code"),
    gettext_lazy("Dealer"),
    gettext_lazy("Accept by"),
    gettext_lazy("Estimated value"),
    gettext_lazy("Amount won"),
    gettext_lazy("Times received"),
]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _dealer_select(user, *, empty) -> forms.Select:
    dealers = dealers_in_scope(user=user).values_list("pk", "code", "name")
    return forms.Select(
        choices=[("", empty), *((pk, f"{code} {name}") for pk, code, name in dealers)], attrs=SMALL_SELECT
    )


def _safe_next(request, default: str) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def holder(lead: Lead) -> Assignment | None:
    """The open assignment of a lead from ``selectors.lead_desk_list``."""
    return lead.open_assignments[0] if lead.open_assignments else None


# Leads ------------------------------------------------------------------------------------------


class LeadListView(ExportMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.lead_desk_list
    filterset_class = LeadFilterSet
    template_name = "leads/desk/lead_list.html"
    context_object_name = "leads"
    export_name = "leads"
    export_title = gettext_lazy("Leads")
    export_columns = EXPORT_COLUMNS

    def get_queryset(self):
        qs = super().get_queryset()
        fields = self.filterset.form.fields
        for name in ("created_from", "created_to"):
            fields[name].widget.input_type = "date"
        fields["dealer"].widget = _dealer_select(self.request.user, empty=_("All dealers"))
        fields["status"].widget = StatusSelect(
            choices=[("", _("All statuses")), *Lead.Status.choices], attrs=SMALL_SELECT
        )
        fields["source"].widget = StatusSelect(
            choices=[("", _("All sources")), *Lead.Source.choices], attrs=SMALL_SELECT
        )
        fields["region"].empty_label = _("All regions")
        fields["product_line"].empty_label = _("All product lines")
        # The field's choices are re-set so that its widget shows the new empty label.
        fields["sla_breached"].empty_label = _("Either")
        fields["sla_breached"].choices = YES_NO
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)

    def export_row(self, lead: Lead) -> list:
        current = holder(lead)
        visible = lead.contact_visible
        return [
            lead.number,
            _local(lead.created_at),
            lead.contact_name if visible else "",
            lead.phone if visible else "",
            lead.email if visible else "",
            lead.company if visible else "",
            lead.region.code,
            lead.region.local_name,
            lead.product_line.local_name,
            lead.get_source_display(),
            lead.get_status_display(),
            current.dealer.code if current else "",
            current.dealer.name if current else "",
            _local(current.deadline) if current and current.status == A.OFFERED else "",
            lead.estimated_value,
            lead.won_amount,
            lead.touches,
        ]


class UnassignedQueueView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.unassigned_queue
    template_name = "leads/desk/unassigned.html"
    context_object_name = "leads"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        leads = list(context["leads"])
        choices = selectors.assignable_dealers(user=user, leads=leads)
        scope = dealers_in_scope(user=user)
        context["items"] = [
            {
                "lead": lead,
                "dealers": choices[lead.pk],
                "form": desk_forms.AssignForm(scope=scope, dealers=choices[lead.pk], auto_id=f"assign-{lead.pk}-%s"),
            }
            for lead in leads
        ]
        context["next"] = self.request.get_full_path()
        return context


def _region_code(path: str) -> str:
    parts = [part for part in (path or "").split("/") if part]
    return parts[-1] if parts else ""


def _why(candidates: list[dict], strategy: str) -> str:
    """Why the winner won, in a sentence."""
    first = candidates[0]
    if "protected_by" in first:
        return _(
            "The customer is protected for this dealer by deal registration R%(number)06d: the lead goes to it "
            "whatever the ranking."
        ) % {"number": first["protected_by"]}
    if len(candidates) == 1:
        return _("It was the only candidate.")
    runner = candidates[1]
    if strategy == AssignmentRule.Strategy.ROUND_ROBIN:
        last = parse_datetime(first["last_assigned"]) if first.get("last_assigned") else None
        return _("Round robin: it had waited longest for a lead (last one: %(when)s).") % {
            "when": _local(last) if last else _("never")
        }
    if first.get("score") == runner.get("score"):
        return _("Tied on %(score)s points with %(next)s: the lower dealer code wins.") % {
            "score": first.get("score"),
            "next": runner.get("code"),
        }
    return _("Highest score: %(score)s points, %(margin)s ahead of %(next)s.") % {
        "score": first.get("score"),
        "margin": round(first.get("score", 0) - runner.get("score", 0), 2),
        "next": runner.get("code"),
    }


def _rule_name(assignment: Assignment) -> str:
    """The rule's current name, or the default rule's in the reader's language."""
    return assignment.rule.name if assignment.rule is not None else str(DefaultRule.name)


def routing_decision(assignment: Assignment, *, dealers: dict, regions: dict) -> dict:
    """The stored decision of an assignment (``routing.Decision.as_data``) as the lead page shows it."""
    data = assignment.decision or {}
    if data.get("manual") or not data.get("candidates"):
        return {"assignment": assignment, "manual": True}
    strategy = data.get("strategy", "")
    candidates = data["candidates"]
    rows = []
    for candidate in candidates:
        last = candidate.get("last_assigned")
        points = candidate.get("points") or {}
        rows.append(
            {
                "code": candidate.get("code", ""),
                "dealer": dealers.get(candidate.get("dealer")),
                "tier": candidate.get("tier", ""),
                "km": candidate.get("km"),
                "load": candidate.get("load"),
                "capacity": candidate.get("capacity"),
                "last_assigned": parse_datetime(last) if last else None,
                "points": [points.get(key) for key, _label in POINTS],
                "score": candidate.get("score"),
                "protected_by": candidate.get("protected_by"),
                "winner": candidate.get("dealer") == assignment.dealer_id,
            }
        )
    return {
        "assignment": assignment,
        "manual": False,
        "rule": _rule_name(assignment),
        "strategy": AssignmentRule.Strategy(strategy).label if strategy in AssignmentRule.Strategy.values else strategy,
        "level": regions.get(_region_code(candidates[0].get("level", ""))),
        "candidates": rows,
        "protected_by": candidates[0].get("protected_by"),
        "why": _why(candidates, strategy),
        "round_robin": strategy == AssignmentRule.Strategy.ROUND_ROBIN,
    }


RESPONSES = {
    A.ACCEPTED: ("bi-check-circle", "success", gettext_lazy("Accepted by %(dealer)s")),
    A.DECLINED: ("bi-x-circle", "danger", gettext_lazy("Declined by %(dealer)s")),
    A.EXPIRED: ("bi-hourglass-bottom", "danger", gettext_lazy("Not accepted in time by %(dealer)s: recalled")),
    A.WITHDRAWN: ("bi-arrow-return-left", "secondary", gettext_lazy("Taken back from %(dealer)s")),
}


def lead_timeline(lead: Lead, assignments: list[Assignment]) -> list[dict]:
    """What happened to the lead, newest first: intake, repeat enquiries, offers and answers, reminders,
    escalations, follow-ups and the outcome."""

    def entry(at, icon, tone, title, detail="", by=None):
        return {"at": at, "icon": icon, "tone": tone, "title": title, "detail": detail, "by": by}

    entries = [
        entry(
            lead.created_at,
            "bi-inbox",
            "primary",
            _("Received (%(source)s)") % {"source": lead.get_source_display()},
            lead.message,
            lead.created_by,
        )
    ]
    for touch in lead.touch_log.all():
        entries.append(
            entry(
                touch.created_at,
                "bi-arrow-repeat",
                "info",
                _("The customer asked again (%(source)s)") % {"source": touch.get_source_display()},
                touch.message,
            )
        )
    for assignment in assignments:
        dealer = {"dealer": f"{assignment.dealer.code} {assignment.dealer.name}"}
        if assignment.assigned_by_id:
            title = _("Assigned by hand to %(dealer)s") % dealer
        else:
            title = _("Offered to %(dealer)s") % dealer
        detail = _("Accept by %(deadline)s") % {"deadline": _local(assignment.deadline)}
        if assignment.override_reason:
            detail += " · " + _("Over capacity: %(reason)s") % {"reason": assignment.override_reason}
        entries.append(entry(assignment.assigned_at, "bi-send", "secondary", title, detail, assignment.assigned_by))
        if assignment.responded_at and assignment.status in RESPONSES:
            icon, tone, text = RESPONSES[assignment.status]
            entries.append(entry(assignment.responded_at, icon, tone, text % dealer, assignment.response_reason))
        if assignment.reminded_at:
            entries.append(
                entry(
                    assignment.reminded_at,
                    "bi-bell",
                    "warning",
                    _("%(dealer)s was reminded to follow up") % dealer,
                )
            )
        if assignment.escalated_at:
            entries.append(
                entry(
                    assignment.escalated_at,
                    "bi-exclamation-triangle",
                    "danger",
                    _("Escalated to the owner of %(dealer)s: no follow-up") % dealer,
                )
            )
    for follow_up in lead.follow_ups.all():
        detail = follow_up.note
        if follow_up.next_action_on:
            detail = " · ".join(
                filter(None, [detail, _("Next action on %(day)s") % {"day": follow_up.next_action_on.isoformat()}])
            )
        entries.append(
            entry(
                follow_up.created_at,
                "bi-telephone",
                "info",
                _("%(kind)s by %(dealer)s")
                % {"kind": follow_up.get_kind_display().capitalize(), "dealer": follow_up.dealer.name},
                detail,
                follow_up.author,
            )
        )
    if lead.closed_at and lead.status == L.WON:
        detail = lead.won_order.number if lead.won_order_id else ""
        entries.append(
            entry(
                lead.closed_at, "bi-trophy", "success", _("Won: %(amount)s") % {"amount": cny(lead.won_amount)}, detail
            )
        )
    elif lead.closed_at and lead.status == L.LOST:
        entries.append(entry(lead.closed_at, "bi-slash-circle", "danger", _("Lost"), lead.lost_reason))
    return sorted(entries, key=lambda item: item["at"], reverse=True)


class LeadDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.lead_desk_detail
    template_name = "leads/desk/lead_detail.html"
    context_object_name = "lead"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead, user = self.object, self.request.user
        assignments = list(lead.assignments.all())
        current = next((a for a in assignments if a.status in Assignment.OPEN), None)
        decided = [a for a in reversed(assignments) if (a.decision or {}).get("candidates")]
        dealer_ids = {c.get("dealer") for a in decided for c in a.decision["candidates"]}
        level_codes = {_region_code(a.decision["candidates"][0].get("level", "")) for a in decided}
        dealers = selectors.dealers_by_id(user=user, ids=dealer_ids) if dealer_ids else {}
        regions = Region.objects.filter(code__in=level_codes - {""}).in_bulk(field_name="code") if decided else {}
        closed = lead.status in (L.WON, L.LOST)
        context.update(
            current=current,
            assignments=assignments,
            decisions=[routing_decision(a, dealers=dealers, regions=regions) for a in reversed(assignments)],
            points=[label for _key, label in POINTS],
            timeline=lead_timeline(lead, assignments),
            closed=closed,
            now=timezone.now(),
        )
        if not closed:
            choices = selectors.assignable_dealers(user=user, leads=[lead])[lead.pk]
            if current is not None:
                choices = [dealer for dealer in choices if dealer.pk != current.dealer_id]
            context["assign_form"] = desk_forms.AssignForm(scope=dealers_in_scope(user=user), dealers=choices)
            context["assignable"] = choices
        return context


class LeadAssignView(RoleRequiredMixin, View):
    """Give a lead to a dealer by hand, from the lead page or the unassigned queue; a refusal comes back
    as a message on the page the form came from."""

    allowed_roles = HQ

    def post(self, request, pk):
        lead = get_object_or_404(selectors.lead_list(user=request.user), pk=pk)
        back = _safe_next(request, reverse("leads:detail", args=[lead.pk]))
        form = desk_forms.AssignForm(request.POST, scope=dealers_in_scope(user=request.user))
        assignment = None
        if form.is_valid():
            assignment = run_service(
                form,
                services.lead_assign_manually,
                actor=request.user,
                lead=lead,
                dealer=form.cleaned_data["dealer"],
                override_reason=form.cleaned_data["override_reason"],
            )
        if assignment is None:
            flash_form_errors(request, form)
        else:
            messages.success(
                request,
                _("%(lead)s assigned to %(dealer)s; it has until %(deadline)s to accept.")
                % {
                    "lead": lead.number,
                    "dealer": assignment.dealer.name,
                    "deadline": _local(assignment.deadline),
                },
            )
        return redirect(back)


class LeadCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = desk_forms.LeadEntryForm
    template_name = "leads/desk/lead_form.html"

    def form_valid(self, form):
        user = self.request.user
        result = run_service(form, services.lead_create, actor=user, **form.service_data())
        if result is None:
            return self.form_invalid(form)
        lead, created = result
        if created:
            messages.success(
                self.request, _("Lead %(number)s created: it is being assigned to a dealer.") % {"number": lead.number}
            )
        else:
            messages.info(
                self.request,
                _("This customer asked within the last days already: the enquiry was added to lead %(number)s.")
                % {"number": lead.number},
            )
        if not selectors.lead_list(user=user).filter(pk=lead.pk).exists():
            # A lead outside the user's territory: say where it went without opening it.
            return redirect("leads:list")
        return redirect("leads:detail", pk=lead.pk)


# The funnel -------------------------------------------------------------------------------------


class FunnelView(RoleRequiredMixin, TemplateView):
    allowed_roles = HQ
    template_name = "leads/desk/funnel.html"

    @cached_property
    def filter_form(self):
        form = desk_forms.FunnelFilterForm(self.request.GET or None, user=self.request.user)
        return style_form(form, small=True)

    def get(self, request, *args, **kwargs):
        form = self.filter_form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
        else:
            start, end = desk_forms.default_period()
            data = {"start": start, "end": end}
        leads = selectors.lead_list(user=request.user)
        if data.get("region"):
            leads = leads.filter(region__path__startswith=data["region"].path)
        if data.get("source"):
            leads = leads.filter(source=data["source"])
        if data.get("product_line"):
            leads = leads.filter(product_line=data["product_line"])
        report = reports.lead_report(leads=leads, start=data["start"], end=data["end"], dealer=data.get("dealer"))
        if request.GET.get("export") == "xlsx":
            return self.export(report)
        query = request.GET.copy()
        query.pop("export", None)
        return self.render_to_response(
            self.get_context_data(
                form=form, report=report, chart=report.chart(), query_string=query.urlencode(), top=reports.TOP_DEALERS
            )
        )

    def export(self, report: reports.LeadReport) -> HttpResponse:
        counts = [
            _("Received"),
            _("Assigned"),
            _("Accepted"),
            _("Contacted"),
            _("Qualified"),
            _("Won"),
            _("Lost"),
            _("Accepted of assigned (%)"),
            _("Won of accepted (%)"),
            _("Won of received (%)"),
            _("Amount won"),
        ]

        def numbers(line):
            return [
                line.received,
                line.assigned,
                line.accepted,
                line.contacted,
                line.qualified,
                line.won,
                line.lost,
                line.accept_rate,
                line.win_rate,
                line.conversion,
                line.won_amount,
            ]

        offers = report.offers
        summary = [
            *[[label, n] for _key, label, n in report.totals.stages],
            [_("Lost"), report.totals.lost],
            [_("Offers declined"), offers.declined],
            [_("Offers expired"), offers.expired],
            [_("Accepted of assigned (%)"), report.totals.accept_rate],
            [_("Won of accepted (%)"), report.totals.win_rate],
            [_("Won of received (%)"), report.totals.conversion],
            [_("Median time to accept (hours)"), offers.accept_median_hours],
            [_("Average time to accept (hours)"), offers.accept_avg_hours],
            [_("Follow-up reminders"), offers.reminded],
            [_("Escalations"), offers.escalated],
            [_("Leads with an SLA breach"), offers.breached_leads],
            [_("Period"), f"{report.start.isoformat()} – {report.end.isoformat()}"],
        ]
        dealer_rows = [
            [
                line.code,
                line.name,
                line.received,
                line.accepted,
                line.won,
                line.declined,
                line.expired,
                line.accept_rate,
                line.conversion,
            ]
            for line in report.dealers
        ]
        dealer_header = [
            _("Dealer code"),
            _("Dealer"),
            _("Received"),
            _("Accepted"),
            _("Won"),
            _("Declined"),
            _("Expired"),
            _("Accepted of received (%)"),
            _("Won of received (%)"),
        ]
        return spreadsheet(
            "xlsx",
            f"lead-funnel-{report.start:%Y%m%d}-{report.end:%Y%m%d}",
            [
                (_("Summary"), [_("Figure"), _("Value")], summary),
                (_("By province"), [_("Province"), *counts], [[ln.label, *numbers(ln)] for ln in report.provinces]),
                (_("By dealer"), dealer_header, dealer_rows),
                (_("By source"), [_("Source"), *counts], [[ln.label, *numbers(ln)] for ln in report.sources]),
                (_("By month"), [_("Month"), *counts], [[ln.label, *numbers(ln)] for ln in report.months]),
            ],
        )


# Deal registrations -----------------------------------------------------------------------------


class RegistrationListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.registration_list
    filterset_class = RegistrationFilterSet
    template_name = "leads/desk/registration_list.html"
    context_object_name = "registrations"

    def get_queryset(self):
        qs = super().get_queryset()
        fields = self.filterset.form.fields
        fields["dealer"].widget = _dealer_select(self.request.user, empty=_("All dealers"))
        fields["status"].widget = StatusSelect(
            choices=[("", _("All statuses")), *DealRegistration.Status.choices], attrs=SMALL_SELECT
        )
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["waiting"] = (
            selectors.registration_list(user=self.request.user).filter(status=DealRegistration.Status.SUBMITTED).count()
        )
        return context


class RegistrationDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.registration_list
    template_name = "leads/desk/registration_detail.html"
    context_object_name = "registration"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration = self.object
        context.update(
            clashes=selectors.registration_clashes(user=self.request.user, registration=registration),
            can_decide=registration.status == DealRegistration.Status.SUBMITTED,
            approve_form=desk_forms.ApproveRegistrationForm(auto_id="approve-%s"),
            reject_form=desk_forms.RejectRegistrationForm(auto_id="reject-%s"),
        )
        return context


class RegistrationActionView(RoleRequiredMixin, View):
    abstract = True
    allowed_roles = HQ
    form_class = None

    def post(self, request, pk):
        registration = get_object_or_404(selectors.registration_list(user=request.user), pk=pk)
        form = self.form_class(request.POST)
        result = None
        if form.is_valid():
            result = run_service(form, self.perform, registration=registration, **form.cleaned_data)
        if result is None:
            flash_form_errors(request, form)
        else:
            messages.success(request, self.done(result))
        return redirect("leads:registration_detail", pk=registration.pk)


class RegistrationApproveView(RegistrationActionView):
    form_class = desk_forms.ApproveRegistrationForm

    def perform(self, *, registration, days):
        return services.registration_approve(actor=self.request.user, registration=registration, days=days)

    def done(self, registration) -> str:
        return _("Registration approved: %(company)s is protected for %(dealer)s until %(day)s.") % {
            "company": registration.customer_company,
            "dealer": registration.dealer.name,
            "day": registration.protected_until.isoformat(),
        }


class RegistrationRejectView(RegistrationActionView):
    form_class = desk_forms.RejectRegistrationForm

    def perform(self, *, registration, reason):
        return services.registration_reject(actor=self.request.user, registration=registration, reason=reason)

    def done(self, registration) -> str:
        return _("Registration rejected.")
