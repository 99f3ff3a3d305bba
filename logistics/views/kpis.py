"""Delivery KPI pages: head office's over the shipments in its scope, by month, warehouse, carrier or province,
and a dealer's own by month in the portal; each with its chart and its table as CSV or Excel (``?export=``)."""

from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView

from dms.exports import ExportMixin
from dms.forms import style_form
from dms.views import DEALER, HQ, RoleRequiredMixin
from logistics import forms, kpis


class KpiPageMixin(ExportMixin, RoleRequiredMixin):
    """The report the page's form asks for (the last twelve months by month when it asks for nothing, or for
    something invalid, whose errors the form shows), and its table as a download."""

    abstract = True
    form_class = forms.KpiPeriodForm

    @cached_property
    def form(self):
        return style_form(self.form_class(self.request.GET or None), small=True)

    @cached_property
    def report(self) -> kpis.KpiReport:
        form = self.form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
        else:
            first_month, last_month = kpis.default_months()
            data = {"first_month": first_month, "last_month": last_month}
        return kpis.shipment_kpis_cached(
            user=self.request.user,
            group=data.get("group") or "month",
            first_month=data["first_month"],
            last_month=data["last_month"],
            warehouse=data.get("warehouse"),
            mode=data.get("mode") or "",
        )

    @property
    def group_label(self) -> str:
        return str(dict(kpis.GROUPS)[self.report.group])

    @property
    def export_name(self) -> str:
        report = self.report
        return f"delivery-kpis-{report.group}-{report.first_month:%Y%m}-{report.last_month:%Y%m}"

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("export", None)
        return super().get_context_data(
            form=self.form,
            report=self.report,
            chart=self.report.chart(),
            group_label=self.group_label,
            definitions=kpis.DEFINITIONS,
            query_string=query.urlencode(),
            **kwargs,
        )

    def export_sheets(self) -> list[tuple[str, list, list[list]]]:
        header = [
            self.group_label,
            pgettext("count of shipments", "Delivered"),
            _("On time"),
            _("In full"),
            _("On time in full"),
            _("On time (%)"),
            _("In full (%)"),
            _("OTIF (%)"),
            _("Average lead time (days)"),
            _("Shipments with freight cost"),
            _("Freight cost"),
            _("Invoiced (net)"),
            _("Freight cost ratio (%)"),
        ]
        rows = [
            [
                line.label,
                line.delivered,
                line.on_time,
                line.in_full,
                line.otif,
                line.on_time_percent,
                line.in_full_percent,
                line.otif_percent,
                line.lead_days,
                line.freight_count,
                line.freight_cost,
                line.invoiced,
                line.freight_percent,
            ]
            for line in [*self.report.lines, self.report.total]
        ]
        if not self.report.with_freight:
            header, rows = header[:-4], [row[:-4] for row in rows]
        notes = [[str(definition)] for definition in kpis.DEFINITIONS]
        return [(_("Delivery KPIs"), header, rows), (_("Notes"), [_("Definitions")], notes)]


class ShipmentKpiView(KpiPageMixin, TemplateView):
    """On time, in full, lead time and freight cost ratio of the shipments in the user's scope (the dealers the
    shipments list shows them), grouped as the user chooses."""

    allowed_roles = HQ
    form_class = forms.ShipmentKpiForm
    template_name = "logistics/kpis.html"


class DealerKpiView(KpiPageMixin, TemplateView):
    """The dealer's own deliveries, month by month."""

    allowed_roles = DEALER
    template_name = "logistics/portal/kpis.html"
