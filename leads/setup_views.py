"""Head-office setup pages of the leads app: lead imports (run by the worker, with their progress and row
errors), assignment rules and lead sources. Changing rules and sources needs ``manage_lead_routing``;
other head-office staff see them read-only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from dms.errors import DomainError
from dms.exports import csv_response, spreadsheet
from dms.forms import run_service
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from leads import importing, selectors, services
from leads import setup_forms as forms

# A file full of mistakes would make an unreadable page; the whole list is in the CSV download.
MAX_ERRORS_SHOWN = 200
RECENT_IMPORTS = 5
# Service fields shown under another name on the rule form.
RULE_FORM_FIELDS = {"accept_minutes": "accept_within"}


class RoutingRequiredMixin:
    """Only HQ administrators and holders of ``manage_lead_routing`` get past; others get 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_manage_routing(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# Imports ----------------------------------------------------------------------------------------


class LeadImportView(RoleRequiredMixin, FormView):
    """Upload a file; it is checked (columns, size) at once and taken in by the worker."""

    allowed_roles = HQ
    form_class = forms.LeadImportForm
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

    def get(self, request):
        kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        return spreadsheet(
            kind,
            "lead-import-template",
            [(_("Leads"), importing.template_header(), [importing.template_example()])],
        )


class LeadImportListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.import_list
    template_name = "leads/setup/import_list.html"
    context_object_name = "imports"


class LeadImportDetailView(ScopedDetailView):
    """The progress (polled every two seconds while the worker runs) and the row errors."""

    allowed_roles = HQ
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

    def get(self, request, pk):
        record = get_object_or_404(selectors.import_list(user=request.user), pk=pk)
        rows = [[error.get("row"), error.get("column", ""), error.get("message", "")] for error in record.errors]
        return csv_response(f"lead-import-{record.number}-errors.csv", ERROR_COLUMNS, rows)


# Assignment rules -------------------------------------------------------------------------------


class RuleListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.rule_list
    template_name = "leads/setup/rule_list.html"
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
    form_class = forms.RuleForm
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
    form_class = forms.RuleForm
    template_name = "leads/setup/rule_form.html"

    @cached_property
    def rule(self):
        return get_object_or_404(selectors.rule_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        return forms.RuleForm.initial_for(self.rule)

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
    selector = selectors.source_list
    template_name = "leads/setup/source_list.html"
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
    form_class = forms.SourceForm
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
