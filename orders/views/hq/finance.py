"""HQ pages for the catalogue, stock, invoices, payments (回款), the aging report and a dealer's credit."""

import mimetypes
import secrets
from functools import partial

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from dealers import selectors as dealer_selectors
from dealers.forms import chosen_dealer_picker
from dms import lists
from dms.accounts.models import User
from dms.errors import DomainError, PermissionDeniedError
from dms.exports import ExportMixin, csv_response, spreadsheet
from dms.forms import FormPageMixin, page_with_forms, run_service, style_form
from dms.pagination import Paginator
from dms.params import parse_id
from dms.spreadsheets import read_rows
from dms.templatetags.money import cny
from dms.views import EVERYONE, HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from orders import importing, reports, selectors, services
from orders.filters import InvoiceFilterSet, PaymentFilterSet, ProductFilterSet, StockFilterSet
from orders.forms import hq as forms
from orders.models import Invoice, PaymentAllocation, PriceListItem

# Available stock at or below this many units is highlighted, unless the "available at most" filter says otherwise.
LOW_STOCK = 10
RECENT_MOVEMENTS = 20
# A file full of mistakes would make an unreadable page; the first errors are enough to start fixing it.
MAX_ERRORS_SHOWN = 200
AGING_DEALERS_PER_PAGE = 25


def _refuse(request) -> None:
    messages.error(request, str(PermissionDeniedError.message))


class DealerChoiceMixin:
    """The shared FilterSets take a dealer id; on the page it is a choice among the dealers the user sees."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context.get("filterset")
        if filterset is not None and "dealer" in filterset.form.fields:
            filterset.form.fields["dealer"].widget = chosen_dealer_picker(
                user=self.request.user, chosen=self.request.GET.get("dealer", ""), empty="---------"
            )
        return context


# Catalogue -------------------------------------------------------------------------------------


class ProductListView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.product_list
    filterset_class = ProductFilterSet
    template_name = "orders/finance/product_list.html"
    context_object_name = "products"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_manage=services.can(self.request.user, "manage_catalogue"), **kwargs)


class ProductDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.product_list
    template_name = "orders/finance/product_detail.html"
    context_object_name = "product"

    def get_context_data(self, **kwargs):
        user = self.request.user
        product = self.object
        today = timezone.localdate()
        current = selectors.price_list_list(user=user).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today), valid_from__lte=today
        )
        prices = (
            PriceListItem.objects.filter(product=product, price_list__in=current.values("pk"))
            .select_related("price_list", "price_list__dealer")
            .order_by("price_list__kind", "price_list__tier", "price_list__dealer__code", "-price_list__valid_from")
        )
        stock = (
            selectors.stock_list(user=user).filter(product=product).order_by("warehouse__priority", "warehouse__code")
        )
        return super().get_context_data(
            stock=stock,
            prices=prices,
            can_manage=services.can(user, "manage_catalogue"),
            **kwargs,
        )


class ProductImageView(RoleRequiredMixin, View):
    """The product's picture, for whoever may see the product (dealers: their authorised catalogue)."""

    allowed_roles = EVERYONE

    def get(self, request, pk):
        product = get_object_or_404(selectors.product_list(user=request.user), pk=pk)
        if not product.image:
            raise Http404
        content_type = mimetypes.guess_type(product.image.name)[0] or ""
        if not content_type.startswith("image/"):
            raise Http404
        try:
            handle = product.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


# Stock -----------------------------------------------------------------------------------------


class StockListView(ScopedListView):
    allowed_roles = HQ
    may_use = staticmethod(services.can_see_stock)
    selector = selectors.stock_list
    filterset_class = StockFilterSet
    template_name = "orders/finance/stock_list.html"
    context_object_name = "levels"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        filterset = getattr(self, "filterset", None)
        low = (
            filterset.form.cleaned_data.get("low")
            if filterset and filterset.is_bound and filterset.is_valid()
            else None
        )
        return super().get_context_data(
            movements=selectors.stock_movement_list(user=user)[:RECENT_MOVEMENTS],
            adjust_form=kwargs.pop("adjust_form", None) or forms.StockAdjustForm(user=user),
            can_adjust=services.can(user, "adjust_stock"),
            low_at=LOW_STOCK if low is None else int(low),
            **kwargs,
        )


class StockAdjustView(FormPageMixin, RoleRequiredMixin, View):
    allowed_roles = HQ

    def form_page_url(self):
        return reverse("orders:stock")

    def post(self, request):
        user = request.user
        back = reverse("orders:stock")
        if not services.can(user, "adjust_stock"):
            _refuse(request)
            return redirect(back)
        form = forms.StockAdjustForm(request.POST, user=user)
        level = None
        if form.is_valid():
            data = form.cleaned_data
            product = selectors.product_list(user=user).filter(sku__iexact=data["sku"].strip()).first()
            if product is None:
                form.add_error("sku", _("No product has the SKU “%(sku)s”.") % {"sku": data["sku"]})
            else:
                level = run_service(
                    form,
                    services.stock_adjust,
                    actor=user,
                    warehouse=data["warehouse"],
                    product=product,
                    delta=data["delta"],
                    reason=data["reason"],
                )
        if level is None:
            # The stock page again, with the adjustment as typed and the error beside its field.
            return page_with_forms(StockListView, request, query="", bound_forms={"adjust_form": form})
        messages.success(
            request,
            _("%(sku)s in %(warehouse)s: %(on_hand)d on hand, %(available)d available.")
            % {
                "sku": product.sku,
                "warehouse": data["warehouse"].code,
                "on_hand": level.on_hand,
                "available": level.available,
            },
        )
        return redirect(f"{back}?{urlencode({'sku': product.sku})}")


class SpreadsheetImportView(RoleRequiredMixin, FormView):
    """Upload and dry run, then confirm to apply every row or none (see ``dealers.views.hq.DealerImportView``)."""

    abstract = True
    allowed_roles = HQ
    permission = ""
    layout = None
    template_rows: list[str] = []
    template_name_csv = ""
    done_url = ""
    # The rows of one checked upload wait in the session under this prefix plus a random token, so the confirm
    # step writes exactly what was checked without a second upload. One pending import per session and kind.
    session_prefix = ""

    def get(self, request, *args, **kwargs):
        if request.GET.get("template") == "csv":
            return csv_response(self.template_name_csv, self.template_rows)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request.POST["token"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        labels = dict(self.layout.columns)
        context = super().get_context_data(**kwargs)
        context["columns"] = [
            (labels[key], key in self.layout.required, titles)
            for key, titles in self.layout.aliases
            if key not in self.layout.ignored
        ]
        context["allowed"] = services.can(self.request.user, self.permission)
        context["max_errors_shown"] = MAX_ERRORS_SHOWN
        return context

    def form_valid(self, form):
        rows = run_service(form, read_rows, uploaded_file=form.cleaned_data["file"], layout=self.layout)
        if rows is None:
            return self.form_invalid(form)
        report = run_service(form, self.plan, actor=self.request.user, rows=rows)
        if report is None:
            return self.form_invalid(form)
        token = self.remember({"rows": rows, **self.pending_fields(form)}) if report.ok else None
        return self.show(report, token=token)

    def pending_fields(self, form) -> dict:
        """What else the confirm step needs from the upload form."""
        return {}

    def confirm(self, token: str):
        pending = self.request.session.pop(self.session_prefix + token, None)
        if pending is None:
            messages.error(self.request, _("This import has expired or was already done; upload the file again."))
            return redirect(self.request.path)
        try:
            report = self.apply(**pending)
        except DomainError as exc:
            messages.error(self.request, _("Nothing was imported: %(problem)s") % {"problem": exc.message})
            return redirect(self.request.path)
        if not report.created:
            messages.error(self.request, _("Nothing was imported: fix the rows below and upload the file again."))
            return self.show(report, token=None)
        messages.success(self.request, self.done_message(report))
        return redirect(self.done_url)

    def show(self, report, *, token: str | None):
        return self.render_to_response(self.get_context_data(form=self.form_class(), report=report, token=token))

    def remember(self, pending: dict) -> str:
        session = self.request.session
        for key in [key for key in tuple(session.keys()) if key.startswith(self.session_prefix)]:
            del session[key]
        token = secrets.token_urlsafe(16)
        session[self.session_prefix + token] = pending
        return token


class StockImportView(SpreadsheetImportView):
    form_class = forms.StockImportForm
    template_name = "orders/finance/stock_import.html"
    permission = "adjust_stock"
    layout = importing.STOCK_LAYOUT
    template_rows = importing.STOCK_TEMPLATE
    template_name_csv = "stock-count-template.csv"
    session_prefix = "orders.stock_import."
    done_url = "orders:stock"

    def plan(self, *, actor: User, rows):
        return importing.plan_stock_counts(actor=actor, rows=rows)

    def apply(self, *, rows, reason):
        return importing.apply_stock_counts(actor=self.request.user, rows=rows, reason=reason)

    def pending_fields(self, form) -> dict:
        return {"reason": form.cleaned_data["reason"]}

    def done_message(self, report) -> str:
        return ngettext(
            "%(rows)d count imported; %(changed)d stock level changed.",
            "%(rows)d counts imported; %(changed)d stock levels changed.",
            report.created,
        ) % {"rows": report.created, "changed": report.changed}


class PaymentImportView(SpreadsheetImportView):
    form_class = forms.ImportFileForm
    template_name = "orders/finance/payment_import.html"
    permission = "record_payment"
    layout = importing.PAYMENT_LAYOUT
    template_rows = importing.PAYMENT_TEMPLATE
    template_name_csv = "payment-import-template.csv"
    session_prefix = "orders.payment_import."
    done_url = "orders:payments"

    def plan(self, *, actor: User, rows):
        return importing.plan_payments(actor=actor, rows=rows)

    def apply(self, *, rows):
        return importing.apply_payments(actor=self.request.user, rows=rows)

    def done_message(self, report) -> str:
        return ngettext(
            "%(count)d payment recorded, %(amount)s in all.",
            "%(count)d payments recorded, %(amount)s in all.",
            report.created,
        ) % {"count": report.created, "amount": cny(report.amount)}


# Invoices and payments -------------------------------------------------------------------------

INVOICE_COLUMNS = [
    gettext_lazy("Invoice number"),
    gettext_lazy("Order number"),
    gettext_lazy("Dealer code"),
    gettext_lazy("Dealer"),
    gettext_lazy("Issued on"),
    gettext_lazy("Due on"),
    gettext_lazy("Net amount"),
    gettext_lazy("VAT"),
    gettext_lazy("Amount (incl. VAT)"),
    gettext_lazy("Paid"),
    gettext_lazy("Outstanding"),
    gettext_lazy("Status"),
    gettext_lazy("Days overdue"),
]
PAYMENT_COLUMNS = [
    gettext_lazy("Received on"),
    gettext_lazy("Dealer code"),
    gettext_lazy("Dealer"),
    gettext_lazy("Reference"),
    gettext_lazy("Method"),
    gettext_lazy("Amount"),
    gettext_lazy("Unallocated"),
    gettext_lazy("Invoices paid"),
    gettext_lazy("Recorded by"),
    gettext_lazy("Note"),
]


def _with_allocations(payments):
    return payments.prefetch_related(
        Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice").order_by("id"))
    )


class InvoiceListView(ExportMixin, DealerChoiceMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.invoice_list
    filterset_class = InvoiceFilterSet
    template_name = "orders/finance/invoice_list.html"
    context_object_name = "invoices"
    export_name = "invoices"
    export_title = gettext_lazy("Invoices")
    export_columns = INVOICE_COLUMNS
    ordering = ("-issued_on", "-id")

    def get_queryset(self):
        return super().get_queryset().select_related("dealer__region")

    def export_row(self, invoice: Invoice) -> list:
        return [
            invoice.number,
            invoice.order.number,
            invoice.dealer.code,
            invoice.dealer.name,
            invoice.issued_on,
            invoice.due_on,
            invoice.net_amount,
            invoice.vat_amount,
            invoice.gross_amount,
            invoice.paid_amount,
            invoice.outstanding,
            invoice.get_status_display(),
            invoice.days_overdue(),
        ]


class InvoiceDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.invoice_list
    template_name = "orders/finance/invoice_detail.html"
    context_object_name = "invoice"

    def get_context_data(self, **kwargs):
        allocations = self.object.allocations.select_related("payment").order_by("id")
        return super().get_context_data(allocations=allocations, **kwargs)


class PaymentListView(ExportMixin, DealerChoiceMixin, ScopedListView):
    allowed_roles = HQ
    may_use = partial(services.can, codename="record_payment")
    selector = selectors.payment_list
    filterset_class = PaymentFilterSet
    template_name = "orders/finance/payment_list.html"
    context_object_name = "payments"
    export_name = "payments"
    export_title = gettext_lazy("Payments")
    export_columns = PAYMENT_COLUMNS
    ordering = ("-received_on", "-id")

    def get_queryset(self):
        return _with_allocations(super().get_queryset())

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_record=services.can(self.request.user, "record_payment"), **kwargs)

    def export_row(self, payment) -> list:
        return [
            payment.received_on,
            payment.dealer.code,
            payment.dealer.name,
            payment.reference,
            payment.get_method_display(),
            payment.amount,
            payment.unallocated_amount,
            " ".join(allocation.invoice.number for allocation in payment.allocations.all()),
            str(payment.recorded_by or ""),
            payment.note,
        ]


class PaymentCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = forms.PaymentForm
    template_name = "orders/finance/payment_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"received_on": timezone.localdate()}
        dealer = parse_id(self.request.GET.get("dealer"))
        if dealer:
            initial["dealer"] = dealer
        return initial

    def get_context_data(self, **kwargs):
        recorded = parse_id(self.request.GET.get("recorded"))
        payment = None
        if recorded:
            payment = _with_allocations(selectors.payment_list(user=self.request.user)).filter(pk=recorded).first()
        return super().get_context_data(
            recorded=payment, allowed=services.can(self.request.user, "record_payment"), **kwargs
        )

    def form_valid(self, form):
        payment = run_service(form, services.payment_record, actor=self.request.user, **form.cleaned_data)
        if payment is None:
            return self.form_invalid(form)
        return redirect(f"{reverse('orders:payment_create')}?{urlencode({'recorded': payment.pk})}")


# Aging and credit ------------------------------------------------------------------------------


class AgingReportView(RoleRequiredMixin, TemplateView):
    allowed_roles = HQ
    template_name = "orders/finance/aging.html"

    @cached_property
    def filter_form(self):
        return style_form(forms.AgingFilterForm(self.request.GET or None), small=True)

    def get(self, request, *args, **kwargs):
        form = self.filter_form
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        report = reports.aging_report_cached(user=request.user, as_of=data.get("as_of"), region=data.get("region"))
        if request.GET.get("export") == "xlsx":
            return self.export(report)
        query = request.GET.copy()
        query.pop("export", None)
        paging = lists.paging_context(query, default=AGING_DEALERS_PER_PAGE)
        # Every dealer that owes is in the export; the page shows them a page at a time.
        page = Paginator(report.dealers, paging["page_size"]).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                report=report,
                chart=report.chart(),
                form=form,
                buckets=reports.BUCKETS,
                dso_days=reports.DSO_DAYS,
                page_obj=page,
                dealers=page.object_list,
                **paging,
            )
        )

    def export(self, report: reports.AgingReport) -> HttpResponse:
        buckets = [label for _key, label in reports.BUCKETS]
        tail = [_("Total"), _("Overdue"), _("Credit sales, last %(days)d days") % {"days": reports.DSO_DAYS}, _("DSO")]

        def numbers(line):
            return [*line.amounts, line.total, line.overdue, line.credit_sales, line.dso]

        dealer_rows = [[line.code, line.label, line.region_label, *numbers(line)] for line in report.dealers]
        dealer_rows.append(["", _("Total"), "", *numbers(report.total)])
        region_rows = [[line.label, line.dealer_count, *numbers(line)] for line in report.regions]
        region_rows.append([_("Total"), report.total.dealer_count, *numbers(report.total)])
        formula = _("DSO = receivables ÷ credit sales of the last %(days)d days × %(days)d; as of %(date)s.") % {
            "days": reports.DSO_DAYS,
            "date": report.as_of.isoformat(),
        }
        return spreadsheet(
            "xlsx",
            f"aging-{report.as_of:%Y%m%d}",
            [
                (_("By dealer"), [_("Dealer code"), _("Dealer"), _("Province"), *buckets, *tail], dealer_rows),
                (_("By region"), [_("Province"), _("Dealers"), *buckets, *tail], region_rows),
                (_("Notes"), [formula], []),
            ],
        )


class DealerCreditMixin(RoleRequiredMixin):
    abstract = True
    allowed_roles = HQ

    def get_dealer(self):
        return get_object_or_404(dealer_selectors.dealer_list(user=self.request.user), pk=self.kwargs["dealer_pk"])


class CreditView(DealerCreditMixin, TemplateView):
    template_name = "orders/finance/credit.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        dealer = self.get_dealer()
        account = getattr(dealer, "credit_account", None)
        position = selectors.credit_position(dealer=dealer)
        open_invoices = (
            selectors.invoice_list(user=user)
            .filter(dealer=dealer)
            .exclude(status=Invoice.Status.PAID)
            .order_by("due_on", "id")
        )
        recent_orders = (
            selectors.order_list(user=user)
            .filter(dealer=dealer, status__in=selectors.CREDIT_ORDER_STATUSES)
            .order_by("-submitted_at", "-id")[:20]
        )
        payments = _with_allocations(selectors.payment_list(user=user).filter(dealer=dealer)).order_by(
            "-received_on", "-id"
        )[:10]
        warehouse = account.default_warehouse if account else None
        return super().get_context_data(
            dealer=dealer,
            position=position,
            default_warehouse=warehouse,
            open_invoices=open_invoices,
            recent_orders=recent_orders,
            payments=payments,
            limit_form=kwargs.pop("limit_form", None)
            or forms.CreditLimitForm(initial={"credit_limit": position.credit_limit}),
            warehouse_form=kwargs.pop("warehouse_form", None)
            or forms.DefaultWarehouseForm(user=user, initial={"warehouse": warehouse}),
            can_change_limit=services.can(user, "change_credit_limit"),
            can_set_warehouse=services.can(user, "manage_catalogue"),
            can_record=services.can(user, "record_payment"),
            **kwargs,
        )


class CreditActionView(FormPageMixin, DealerCreditMixin, View):
    """POST-only changes to a dealer's credit account; a form that fails shows the credit page again with
    the input kept and each error beside its field."""

    abstract = True
    permission = ""
    form_name = ""

    def post(self, request, dealer_pk):
        dealer = self.get_dealer()
        back = redirect("orders:credit", dealer_pk=dealer.pk)
        if not services.can(request.user, self.permission):
            _refuse(request)
            return back
        form = self.get_form()
        if form.is_valid() and run_service(form, self.perform, dealer=dealer, **form.cleaned_data) is not None:
            messages.success(request, self.done_message)
            return back
        return page_with_forms(CreditView, request, dealer_pk=dealer.pk, bound_forms={self.form_name: form})

    def form_page_url(self, *, dealer_pk):
        return reverse("orders:credit", args=[dealer_pk])


class CreditLimitView(CreditActionView):
    permission = "change_credit_limit"
    form_name = "limit_form"
    done_message = gettext_lazy("Credit limit saved.")

    def get_form(self):
        return forms.CreditLimitForm(self.request.POST)

    def perform(self, *, dealer, credit_limit, reason):
        return services.credit_limit_set(
            actor=self.request.user, dealer=dealer, credit_limit=credit_limit, reason=reason
        )


class DefaultWarehouseView(CreditActionView):
    permission = "manage_catalogue"
    form_name = "warehouse_form"
    done_message = gettext_lazy("Default warehouse saved.")

    def get_form(self):
        return forms.DefaultWarehouseForm(self.request.POST, user=self.request.user)

    def perform(self, *, dealer, warehouse):
        return services.default_warehouse_set(actor=self.request.user, dealer=dealer, warehouse=warehouse)
