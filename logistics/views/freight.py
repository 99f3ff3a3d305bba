"""The HQ page that imports a carrier's bill: the actual charges of its shipments, every row checked first and
then all recorded on confirmation, or none. Uploading, the dry run and the confirm step are the orders app's
imports' (``SpreadsheetImportView``); this page names the layout, the checks and the writes."""

from django.utils.translation import gettext_lazy, ngettext

from dms.accounts.models import User
from dms.exports import spreadsheet
from dms.templatetags.money import cny
from logistics import services
from logistics.views.shipments import may_ship
from orders.forms.hq import ImportFileForm
from orders.views.hq.finance import SpreadsheetImportView

TEMPLATE_NAME = "freight-charges-template"


class FreightImportView(SpreadsheetImportView):
    form_class = ImportFileForm
    template_name = "logistics/freight_import.html"
    may_use = staticmethod(may_ship)
    permission = "ship_order"
    layout = services.FREIGHT_LAYOUT
    template_rows = services.FREIGHT_TEMPLATE
    template_name_csv = f"{TEMPLATE_NAME}.csv"
    session_prefix = "logistics.freight_import."
    done_url = "logistics:shipments"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template") == "xlsx":
            return spreadsheet("xlsx", TEMPLATE_NAME, [(gettext_lazy("Freight charges"), self.template_rows, [])])
        return super().get(request, *args, **kwargs)

    def plan(self, *, actor: User, rows):
        return services.freight_charges_check(actor=actor, rows=rows)

    def apply(self, *, rows):
        return services.freight_charges_apply(actor=self.request.user, rows=rows)

    def done_message(self, report) -> str:
        return ngettext(
            "%(count)d carrier's charge imported, %(amount)s in all; %(changed)d new or changed.",
            "%(count)d carrier's charges imported, %(amount)s in all; %(changed)d new or changed.",
            report.created,
        ) % {"count": report.created, "amount": cny(report.amount), "changed": report.changed}
