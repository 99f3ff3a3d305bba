"""HQ page for importing dealers from a spreadsheet: upload and dry run, then confirm to create them all."""

import secrets

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView

from dealers import importing
from dms.errors import DomainError
from dms.exports import csv_response
from dms.forms import BootstrapFormMixin, run_service
from dms.views import HQ, RoleRequiredMixin

# The rows of one checked upload wait in the session under this prefix plus a random token, so the confirm step
# writes exactly what was checked without a second upload. One pending import per session.
SESSION_PREFIX = "dealers.import."
# A file full of mistakes would make an unreadable page; the first errors are enough to start fixing it.
MAX_ERRORS_SHOWN = 200


class DealerImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy("CSV (UTF-8 or GB18030) or .xlsx, up to 5 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class DealerImportView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = DealerImportForm
    template_name = "dealers/dealer_import.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template") == "csv":
            return self.template_csv()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request.POST["token"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [(label, key in importing.REQUIRED) for key, label in importing.TEMPLATE_COLUMNS]
        context["max_errors_shown"] = MAX_ERRORS_SHOWN
        return context

    def form_valid(self, form):
        rows = run_service(form, importing.read, uploaded_file=form.cleaned_data["file"])
        if rows is None:
            return self.form_invalid(form)
        report = run_service(form, importing.plan_import, actor=self.request.user, rows=rows)
        if report is None:
            return self.form_invalid(form)
        token = self.remember(rows) if report.ok else None
        return self.show(report, token=token)

    def confirm(self, token: str):
        rows = self.request.session.pop(SESSION_PREFIX + token, None)
        if rows is None:
            messages.error(self.request, _("This import has expired or was already done; upload the file again."))
            return redirect(self.request.path)
        try:
            report = importing.apply_import(actor=self.request.user, rows=rows)
        except DomainError as exc:
            messages.error(self.request, str(exc.message))
            return redirect(self.request.path)
        if not report.created:
            messages.error(self.request, _("Nothing was imported: fix the rows below and upload the file again."))
            return self.show(report, token=None)
        messages.success(
            self.request,
            ngettext("%(count)d dealer imported.", "%(count)d dealers imported.", report.created)
            % {"count": report.created},
        )
        return redirect("dealers:list")

    def show(self, report: importing.ImportReport, *, token: str | None):
        return self.render_to_response(self.get_context_data(form=self.form_class(), report=report, token=token))

    def remember(self, rows: list[dict]) -> str:
        session = self.request.session
        stale = [key for key in tuple(session.keys()) if key.startswith(SESSION_PREFIX)]  # sessions are not iterable
        for key in stale:
            del session[key]
        token = secrets.token_urlsafe(16)
        session[SESSION_PREFIX + token] = rows
        return token

    def template_csv(self) -> HttpResponse:
        """An empty sheet with the Chinese column titles people fill in."""
        with translation.override("zh-hans"):
            header = [str(label) for _key, label in importing.TEMPLATE_COLUMNS]
        return csv_response("dealer-import-template.csv", header)
