"""Head office's lead pages: the lead desk (the lead list and export, the unassigned queue, the lead page
with its routing decision and timeline, manual entry and assignment, the funnel, deal registrations (报备))
and the setup pages (lead imports run by the worker, assignment rules and lead sources). Changing rules and
sources needs ``manage_lead_routing``; other head-office staff see them read-only."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View
from django.views.generic import FormView, TemplateView

from dealers.forms import chosen_dealer_picker, dealer_picker
from dealers.models import Dealer, Region
from dealers.selectors import dealers_in_scope
from dms.bulk import BulkActionMixin
from dms.caching import scoped_aggregate
from dms.errors import DomainError
from dms.exports import ExportMixin, csv_response, local_minute, spreadsheet
from dms.filters import YES_NO
from dms.forms import (
    FormPageMixin,
    StatusSelect,
    flash_form_errors,
    page_with_forms,
    row_error,
    run_service,
    style_form,
)
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from leads import importing, reports, selectors, services
from leads.filters import (
    FunnelFilterSet,
    ImportFilterSet,
    LeadFilterSet,
    LeadQueueFilterSet,
    RegistrationFilterSet,
    RuleFilterSet,
    SourceFilterSet,
    default_period,
)
from leads.forms.hq import (
    ApproveRegistrationForm,
    AssignForm,
    BulkAssignForm,
    LeadEntryForm,
    LeadImportForm,
    RejectRegistrationForm,
    RuleForm,
    SourceForm,
)
from leads.models import Assignment, DealRegistration, Lead
from leads.presenters import POINTS, holder, lead_timeline, region_code, routing_decision

A, L = Assignment.Status, Lead.Status
SMALL_SELECT = {"class": "form-select form-select-sm"}
# A file full of mistakes would make an unreadable page; the whole list is in the CSV download.
MAX_ERRORS_SHOWN = 200
RECENT_IMPORTS = 5
# A lead's assignment form lists its authorised dealers up to this many; past it, it finds dealers by typing.
MAX_DEALERS_LISTED = 100
# The funnel's filters besides its period, each part of the key its report is kept under.
FUNNEL_FILTERS = ("region", "source", "product_line", "dealer")
# Service fields shown under another name on the rule form.
RULE_FORM_FIELDS = {"accept_minutes": "accept_within"}
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


def _dealer_select(request, *, empty):
    return chosen_dealer_picker(user=request.user, chosen=request.GET.get("dealer", ""), empty=empty)


def _safe_next(request, default: str) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


# Leads ------------------------------------------------------------------------------------------


class BulkAssignMixin(BulkActionMixin):
    """Ticked leads given to one dealer, each through ``lead_assign_manually`` as from the lead page."""

    bulk_form_class = BulkAssignForm
    bulk_actions = {"assign": gettext_lazy("Assigned.")}

    def get_bulk_form_kwargs(self) -> dict:
        return {**super().get_bulk_form_kwargs(), "scope": dealers_in_scope(user=self.request.user)}

    def bulk_queryset(self):
        return selectors.lead_list(user=self.request.user)

    def bulk_describe(self, lead: Lead) -> tuple[str, str]:
        return lead.number, reverse("leads:detail", args=[lead.pk])

    def bulk_perform(self, lead: Lead, *, action: str, data: dict) -> None:
        services.lead_assign_manually(
            actor=self.request.user, lead=lead, dealer=data["dealer"], override_reason=data["override_reason"]
        )


class LeadListView(BulkAssignMixin, ExportMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.leads_with_open_assignment
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
        fields["dealer"].widget = _dealer_select(self.request, empty=_("All dealers"))
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
            local_minute(lead.created_at),
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
            local_minute(current.deadline) if current and current.status == A.OFFERED else "",
            lead.estimated_value,
            lead.won_amount,
            lead.touches,
        ]


class UnassignedQueueView(BulkAssignMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.unassigned_queue
    template_name = "leads/desk/unassigned.html"
    filterset_class = LeadQueueFilterSet
    context_object_name = "leads"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        leads = list(context["leads"])
        choices = selectors.assignable_dealers(user=user, leads=leads, limit=MAX_DEALERS_LISTED)
        scope = dealers_in_scope(user=user)
        context["items"] = [
            {"lead": lead, "dealers": choices[lead.pk], "form": self.assign_form(lead, choices[lead.pk], scope)}
            for lead in leads
        ]
        if "bulk_form" in context:
            # The bulk bar offers the dealers authorised for at least one lead of the page; past a short list it
            # keeps its type-ahead over every dealer in scope.
            offered = {dealer.pk: dealer for lead in leads for dealer in choices[lead.pk] or ()}
            if len(offered) <= MAX_DEALERS_LISTED and None not in choices.values():
                context["bulk_form"].offer(offered.values())
        context["next"] = self.request.get_full_path()
        return context

    @staticmethod
    def assign_form(lead: Lead, dealers: list | None, scope) -> AssignForm:
        return offer_dealers(AssignForm(scope=scope, auto_id=f"assign-{lead.pk}-%s"), dealers)


def offer_dealers(form: AssignForm, dealers: list | None) -> AssignForm:
    """List a lead's authorised dealers with their load in its assignment form (``assignable_dealers`` with
    ``limit=MAX_DEALERS_LISTED``). When more are authorised than a list can show (None), the field finds
    active dealers in scope by typing instead: each option is a rendered element, and thousands of them per
    lead made the page take a minute."""
    if dealers is not None:
        form.offer(dealers)
        return form
    field = form.fields["dealer"]
    styled = field.widget.attrs
    field.widget = dealer_picker(statuses=(Dealer.Status.ACTIVE,))
    field.widget.attrs, field.widget.choices = styled, field.choices
    return form


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
        level_codes = {region_code(a.decision["candidates"][0].get("level", "")) for a in decided}
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
            choices = selectors.assignable_dealers(user=user, leads=[lead], limit=MAX_DEALERS_LISTED)[lead.pk]
            if current is not None and choices is not None:
                choices = [dealer for dealer in choices if dealer.pk != current.dealer_id]
            # An assignment that failed comes back bound (see LeadAssignView), offered the same choices.
            form = offer_dealers(kwargs.get("assign_form") or AssignForm(scope=dealers_in_scope(user=user)), choices)
            context["assign_form"] = form
            context["assignable"] = choices is None or bool(choices)
        return context


class LeadAssignView(FormPageMixin, RoleRequiredMixin, View):
    """Give a lead to a dealer by hand, from the lead page or the unassigned queue. On the lead page a refusal
    shows beside its field, with the choice and the reason kept; in the queue it is a message naming the lead."""

    allowed_roles = HQ

    def form_page_url(self, *, pk):
        return reverse("leads:detail", args=[pk])

    def post(self, request, pk):
        lead = get_object_or_404(selectors.lead_list(user=request.user), pk=pk)
        back = _safe_next(request, reverse("leads:detail", args=[lead.pk]))
        form = AssignForm(request.POST, scope=dealers_in_scope(user=request.user))
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
            in_queue = bool(request.POST.get("next"))
            if in_queue:
                row_error(form, lead.number)
            if in_queue or form.non_field_errors():
                flash_form_errors(request, form)
                return redirect(back)
            return page_with_forms(LeadDetailView, request, pk=lead.pk, bound_forms={"assign_form": form})
        else:
            messages.success(
                request,
                _("%(lead)s assigned to %(dealer)s; it has until %(deadline)s to accept.")
                % {
                    "lead": lead.number,
                    "dealer": assignment.dealer.name,
                    "deadline": local_minute(assignment.deadline),
                },
            )
        return redirect(back)


class LeadCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = LeadEntryForm
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


class FunnelView(ExportMixin, RoleRequiredMixin, TemplateView):
    """The funnel of the leads in scope over a period, by province, dealer, source and month; the same
    figures as an Excel workbook (``?export=xlsx``)."""

    allowed_roles = HQ
    template_name = "leads/desk/funnel.html"
    export_kinds = ("xlsx",)

    @cached_property
    def filterset(self) -> FunnelFilterSet:
        leads = selectors.lead_list(user=self.request.user)
        filterset = FunnelFilterSet(self.request.GET or None, queryset=leads, request=self.request)
        style_form(filterset.form, small=True)
        return filterset

    @cached_property
    def report(self) -> reports.LeadReport:
        filterset = self.filterset
        if filterset.is_bound and filterset.is_valid():
            leads, data = filterset.qs, filterset.form.cleaned_data
        else:
            start, end = default_period()
            leads, data = filterset.queryset, {"start": start, "end": end}
        # Every figure reads all the leads of the period: the report is kept a minute per scope and filters.
        key = ":".join(
            str(getattr(value, "pk", value) or "")
            for value in (data["start"], data["end"], *(data.get(name) for name in FUNNEL_FILTERS))
        )
        return scoped_aggregate(
            f"lead-funnel:{key}",
            self.request.user,
            lambda: reports.lead_report(leads=leads, start=data["start"], end=data["end"], dealer=data.get("dealer")),
        )

    @property
    def export_name(self) -> str:
        return f"lead-funnel-{self.report.start:%Y%m%d}-{self.report.end:%Y%m%d}"

    def get_context_data(self, **kwargs):
        report = self.report
        query = self.request.GET.copy()
        query.pop("export", None)
        return super().get_context_data(
            form=self.filterset.form,
            report=report,
            chart=report.chart(),
            query_string=query.urlencode(),
            top=reports.TOP_DEALERS,
            **kwargs,
        )

    def export_sheets(self) -> list[tuple[str, list, list[list]]]:
        report = self.report
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
        return [
            (pgettext("export sheet", "Summary"), [_("Figure"), _("Value")], summary),
            (_("By province"), [_("Province"), *counts], [[ln.label, *numbers(ln)] for ln in report.provinces]),
            (_("By dealer"), dealer_header, dealer_rows),
            (_("By source"), [_("Source"), *counts], [[ln.label, *numbers(ln)] for ln in report.sources]),
            (_("By month"), [_("Month"), *counts], [[ln.label, *numbers(ln)] for ln in report.months]),
        ]


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
        fields["dealer"].widget = _dealer_select(self.request, empty=_("All dealers"))
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
            approve_form=kwargs.get("approve_form") or ApproveRegistrationForm(auto_id="approve-%s"),
            reject_form=kwargs.get("reject_form") or RejectRegistrationForm(auto_id="reject-%s"),
        )
        return context


class RegistrationActionView(FormPageMixin, RoleRequiredMixin, View):
    """A decision on a deal registration. A form that fails shows the registration again with the input kept
    and the error beside its field; a refusal about the registration itself is a message."""

    abstract = True
    allowed_roles = HQ
    form_class = None
    form_name = ""
    auto_id = ""

    def post(self, request, pk):
        registration = get_object_or_404(selectors.registration_list(user=request.user), pk=pk)
        form = self.form_class(request.POST, auto_id=self.auto_id)
        result = None
        if form.is_valid():
            result = run_service(form, self.perform, registration=registration, **form.cleaned_data)
        if result is not None:
            messages.success(request, self.done(result))
        elif not form.non_field_errors():
            return page_with_forms(
                RegistrationDetailView, request, pk=registration.pk, bound_forms={self.form_name: form}
            )
        else:
            flash_form_errors(request, form)
        return redirect("leads:registration_detail", pk=registration.pk)

    def form_page_url(self, *, pk):
        return reverse("leads:registration_detail", args=[pk])


class RegistrationApproveView(RegistrationActionView):
    form_class = ApproveRegistrationForm
    form_name = "approve_form"
    auto_id = "approve-%s"

    def perform(self, *, registration, days):
        return services.registration_approve(actor=self.request.user, registration=registration, days=days)

    def done(self, registration) -> str:
        return _("Registration approved: %(company)s is protected for %(dealer)s until %(day)s.") % {
            "company": registration.customer_company,
            "dealer": registration.dealer.name,
            "day": registration.protected_until.isoformat(),
        }


class RegistrationRejectView(RegistrationActionView):
    form_class = RejectRegistrationForm
    form_name = "reject_form"
    auto_id = "reject-%s"

    def perform(self, *, registration, reason):
        return services.registration_reject(actor=self.request.user, registration=registration, reason=reason)

    def done(self, registration) -> str:
        return _("Registration rejected.")


class RoutingRequiredMixin:
    """Only HQ administrators and holders of ``manage_lead_routing`` get past; others get 403."""

    may_use = staticmethod(selectors.can_manage_routing)


# Imports ----------------------------------------------------------------------------------------


class LeadImportView(RoleRequiredMixin, FormView):
    """Upload a file; it is checked (columns, size) at once and taken in by the worker."""

    allowed_roles = HQ
    may_use = staticmethod(selectors.can_import_leads)
    form_class = LeadImportForm
    template_name = "leads/setup/import.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=importing.column_help(),
            limits=importing.limits(),
            recent=selectors.import_list(user=self.request.user)[:RECENT_IMPORTS],
            **kwargs,
        )

    def form_valid(self, form):
        record = run_service(
            form, services.lead_import_start, actor=self.request.user, uploaded_file=form.cleaned_data["file"]
        )
        if record is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(file)s is queued: %(rows)d rows. This page shows the progress.")
            % {"file": record.file_name, "rows": record.total_rows},
        )
        return HttpResponseRedirect(reverse("leads:import_detail", args=[record.pk]))


class LeadImportTemplateView(RoleRequiredMixin, View):
    """The columns with an example row, as CSV (default) or ``?format=xlsx``, headed in the reader's language."""

    allowed_roles = HQ
    may_use = staticmethod(selectors.can_import_leads)

    def get(self, request):
        kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        return spreadsheet(
            kind,
            "lead-import-template",
            [(_("Leads"), importing.template_header(), [importing.template_example()])],
        )


class LeadImportListView(ScopedListView):
    allowed_roles = HQ
    may_use = staticmethod(selectors.can_import_leads)
    selector = selectors.import_list
    template_name = "leads/setup/import_list.html"
    filterset_class = ImportFilterSet
    context_object_name = "imports"


class LeadImportDetailView(ScopedDetailView):
    """The progress (polled every two seconds while the worker runs) and the row errors."""

    allowed_roles = HQ
    may_use = staticmethod(selectors.can_import_leads)
    selector = selectors.import_list
    template_name = "leads/setup/import_detail.html"
    context_object_name = "record"

    def get_template_names(self):
        if self.request.htmx:
            return ["leads/setup/_import_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(max_errors_shown=MAX_ERRORS_SHOWN, **kwargs)


ERROR_COLUMNS = [gettext_lazy("Row"), gettext_lazy("Column"), gettext_lazy("Problem")]


class LeadImportErrorsView(RoleRequiredMixin, View):
    """Every row error of an import, as CSV, to fix the file with."""

    allowed_roles = HQ
    may_use = staticmethod(selectors.can_import_leads)

    def get(self, request, pk):
        record = get_object_or_404(selectors.import_list(user=request.user), pk=pk)
        rows = [[error.get("row"), error.get("column", ""), error.get("message", "")] for error in record.errors]
        return csv_response(f"lead-import-{record.number}-errors.csv", ERROR_COLUMNS, rows)


# Assignment rules -------------------------------------------------------------------------------


class RuleListView(ScopedListView):
    allowed_roles = HQ
    may_use = staticmethod(selectors.can_see_routing)
    selector = selectors.rule_list
    template_name = "leads/setup/rule_list.html"
    filterset_class = RuleFilterSet
    context_object_name = "rules"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=selectors.can_manage_routing(self.request.user), **kwargs)


def _run(form, service, **kwargs):
    """``run_service``, with the service's field names mapped to the rule form's."""
    try:
        return service(**kwargs)
    except DomainError as exc:
        field = RULE_FORM_FIELDS.get(exc.field, exc.field)
        form.add_error(field if field in form.fields else None, str(exc.message))
        return None


class RuleCreateView(RoutingRequiredMixin, RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = RuleForm
    template_name = "leads/setup/rule_form.html"

    def get_initial(self):
        return {
            "strategy": "weighted",
            "accept_within": 24,
            "accept_unit": "hours",
            "weight_tier": 30,
            "weight_distance": 30,
            "weight_load": 20,
            "weight_fairness": 20,
            "priority": 100,
            "is_active": True,
        }

    def form_valid(self, form):
        rule = _run(form, services.rule_create, actor=self.request.user, **form.service_data())
        if rule is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The assignment rule %(rule)s is saved.") % {"rule": rule.name})
        return redirect("leads:rules")


class RuleEditView(RoutingRequiredMixin, RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = RuleForm
    template_name = "leads/setup/rule_form.html"

    @cached_property
    def rule(self):
        return get_object_or_404(selectors.rule_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        return RuleForm.initial_for(self.rule)

    def get_context_data(self, **kwargs):
        return super().get_context_data(rule=self.rule, **kwargs)

    def form_valid(self, form):
        rule = _run(form, services.rule_update, actor=self.request.user, rule=self.rule, **form.service_data())
        if rule is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The assignment rule %(rule)s is saved.") % {"rule": rule.name})
        return redirect("leads:rules")


class RuleDeactivateView(RoutingRequiredMixin, RoleRequiredMixin, View):
    allowed_roles = HQ

    def post(self, request, pk):
        rule = get_object_or_404(selectors.rule_list(user=request.user), pk=pk)
        services.rule_deactivate(actor=request.user, rule=rule)
        messages.success(request, _("The assignment rule %(rule)s is deactivated.") % {"rule": rule.name})
        return redirect("leads:rules")


# Lead sources ------------------------------------------------------------------------------------


class SourceListView(ScopedListView):
    allowed_roles = HQ
    may_use = staticmethod(selectors.can_see_routing)
    selector = selectors.source_list
    template_name = "leads/setup/source_list.html"
    filterset_class = SourceFilterSet
    context_object_name = "sources"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=selectors.can_manage_routing(self.request.user), **kwargs)


def _show_key(request, source, key: str, *, new: bool):
    """The key, in the answer to the POST that made it and nowhere else; it is never stored in clear."""
    response = TemplateResponse(request, "leads/setup/source_key.html", {"source": source, "key": key, "new": new})
    response["Cache-Control"] = "no-store"
    return response


class SourceCreateView(RoutingRequiredMixin, RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = SourceForm
    template_name = "leads/setup/source_form.html"

    def form_valid(self, form):
        made = run_service(form, services.lead_source_create, actor=self.request.user, **form.cleaned_data)
        if made is None:
            return self.form_invalid(form)
        source, key = made
        return _show_key(self.request, source, key, new=True)


class SourceRotateView(RoutingRequiredMixin, RoleRequiredMixin, View):
    allowed_roles = HQ

    def post(self, request, pk):
        source = get_object_or_404(selectors.source_list(user=request.user), pk=pk)
        try:
            source, key = services.lead_source_rotate(actor=request.user, source=source)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("leads:sources")
        return _show_key(request, source, key, new=False)


class SourceDeactivateView(RoutingRequiredMixin, RoleRequiredMixin, View):
    allowed_roles = HQ

    def post(self, request, pk):
        source = get_object_or_404(selectors.source_list(user=request.user), pk=pk)
        services.lead_source_deactivate(actor=request.user, source=source)
        messages.success(request, _("%(source)s is deactivated: its key no longer works.") % {"source": source.name})
        return redirect("leads:sources")
