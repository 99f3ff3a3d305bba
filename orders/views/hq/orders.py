"""Head-office order desk: the order list and export, the approval queue, orders created for a dealer,
the order page and the actions on it."""

from functools import partial
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView

from dealers.forms import chosen_dealer_picker
from dms.bulk import BulkActionMixin
from dms.errors import ReasonRequired, RuleViolation
from dms.exports import ExportMixin, local_minute
from dms.forms import FormPageMixin, StatusSelect, flash_form_errors, page_with_forms, row_error, run_service
from dms.params import parse_id
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from orders import panels, selectors, services
from orders.filters import ApprovalQueueFilterSet, OrderFilterSet
from orders.forms import hq as hq_forms
from orders.models import Order, OrderLine

S = Order.Status
BULK_OVERRIDE = gettext_lazy(
    "Past the dealer's credit limit or the dealer is overdue: approve it on its own page, with a reason."
)

EXPORT_COLUMNS = [  # lazy: the header follows the language of whoever exports
    gettext_lazy("Order number"),
    gettext_lazy("Dealer code"),
    gettext_lazy("Dealer"),
    gettext_lazy("Region"),
    gettext_lazy("Status"),
    gettext_lazy("Net amount"),
    gettext_lazy("VAT"),
    gettext_lazy("Amount (incl. VAT)"),
    gettext_lazy("Lines"),
    gettext_lazy("Created"),
    gettext_lazy("Submitted"),
    gettext_lazy("Requested delivery date"),
    gettext_lazy("Created by"),
]


class OrderListView(ExportMixin, ScopedListView):
    allowed_roles = HQ
    selector = selectors.order_list
    filterset_class = OrderFilterSet
    template_name = "orders/desk/order_list.html"
    context_object_name = "orders"
    export_name = "orders"
    export_title = gettext_lazy("Orders")
    export_columns = EXPORT_COLUMNS

    def export_row(self, order: Order) -> list:
        return [
            order.number,
            order.dealer.code,
            order.dealer.name,
            order.dealer.region.name,
            order.get_status_display(),
            order.net_amount,
            order.vat_amount,
            order.gross_amount,
            order.line_count,
            local_minute(order.created_at),
            local_minute(order.submitted_at),
            order.requested_delivery_date.isoformat() if order.requested_delivery_date else "",
            str(order.created_by) if order.created_by else "",
        ]

    def get_queryset(self):
        qs = super().get_queryset()
        fields = self.filterset.form.fields
        for name in ("created_from", "created_to"):
            fields[name].widget.input_type = "date"
        fields["dealer"].widget = chosen_dealer_picker(
            user=self.request.user, chosen=self.request.GET.get("dealer", ""), empty=_("All dealers")
        )
        fields["status"].widget = StatusSelect(
            choices=[("", _("All statuses")), *Order.Status.choices], attrs={"class": "form-select form-select-sm"}
        )
        fields["region"].empty_label = _("All regions")
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_count"] = selectors.approval_queue(user=self.request.user).count()
        return context


def _needs_override(order: Order) -> bool:
    """Whether the reasons recorded at submission include one only a credit override may pass."""
    return any(reason.get("code") in services.CREDIT_BLOCKS for reason in order.approval_reasons)


class ApprovalQueueView(BulkActionMixin, ScopedListView):
    """The orders waiting for approval, decided one by one or ticked and decided together."""

    allowed_roles = HQ
    may_use = partial(services.can, codename="approve_order")
    selector = selectors.approval_queue
    template_name = "orders/desk/approval_queue.html"
    filterset_class = ApprovalQueueFilterSet
    context_object_name = "orders"
    paginate_by = 20
    bulk_form_class = hq_forms.BulkDecisionForm
    bulk_actions = {"approve": gettext_lazy("Approved."), "reject": gettext_lazy("Rejected: its stock is released.")}

    def bulk_allowed(self) -> bool:
        return services.can(self.request.user, "approve_order")

    def bulk_queryset(self):
        return selectors.orders_in_scope(user=self.request.user)

    def bulk_describe(self, order: Order) -> tuple[str, str]:
        return order.number, reverse("orders:detail", args=[order.pk])

    def bulk_perform(self, order: Order, *, action: str, data: dict) -> None:
        user = self.request.user
        if action == "reject":
            services.order_reject(actor=user, order=order, reason=data["reason"])
            return
        try:
            # A credit override is a judgement on one order, written on its own page.
            services.order_approve(actor=user, order=order)
        except ReasonRequired:
            raise services.CreditOverrideRequired(BULK_OVERRIDE) from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = list(context["orders"])
        positions = selectors.credit_positions(dealer_ids=[order.dealer_id for order in orders])
        user = self.request.user
        failed_pk, failed_form = kwargs.get("failed_decision") or (None, None)
        context["items"] = [
            {
                "order": order,
                "position": positions[order.dealer_id],
                "needs_override": _needs_override(order),
                "decision_form": failed_form
                if order.pk == failed_pk
                else hq_forms.ApproveForm(auto_id=decision_auto_id(order, in_queue=True)),
            }
            for order in orders
        ]
        query = self.request.GET.urlencode()
        # The decision forms come back to this page of the queue, with its filters.
        context["queue_url"] = reverse("orders:approvals") + (f"?{query}" if query else "")
        context["can_override"] = services.can(user, "approve_credit_override")
        return context


class OrderCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = hq_forms.OrderCreateForm
    template_name = "orders/desk/order_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        dealer = parse_id(self.request.GET.get("dealer"))
        return {"dealer": dealer} if dealer else {}

    def form_valid(self, form):
        order = run_service(form, services.order_create, actor=self.request.user, **form.cleaned_data)
        if order is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Draft order %(number)s created for %(dealer)s: add its lines, then submit it.")
            % {"number": order.number, "dealer": order.dealer.name},
        )
        return HttpResponseRedirect(reverse("orders:detail", args=[order.pk]))


class OrderDetailView(ScopedDetailView):
    allowed_roles = HQ
    selector = selectors.order_detail_queryset
    template_name = "orders/desk/order_detail.html"
    context_object_name = "order"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order, user = self.object, self.request.user
        lines = list(order.lines.all())
        draft = order.status == S.DRAFT
        if draft:
            prices = dict(
                selectors.priced_products(dealer=order.dealer)
                .filter(pk__in=[line.product_id for line in lines])
                .values_list("pk", "price")
            )
            for line in lines:
                line.shown_price = prices.get(line.product_id)
                line.shown_amount = line.shown_price * line.quantity if line.shown_price is not None else None
            context["estimated_total"] = sum(line.shown_amount or 0 for line in lines)
            context["orderable"] = selectors.product_list(user=user, dealer=order.dealer).filter(
                is_active=True,
                product_line__is_active=True,
                product_line_id__in=selectors.authorized_line_ids(dealer=order.dealer),
            )
            context["add_line_form"] = kwargs.get("add_line_form") or hq_forms.AddLineForm()
        else:
            for line in lines:
                line.shown_price, line.shown_amount = line.unit_price, line.gross_amount
        allowed = services.ORDER_TRANSITIONS[order.status]
        may_decide = services.can(user, "approve_order")
        may_ship = services.can(user, "ship_order")
        context.update(
            lines=lines,
            position=selectors.credit_position(dealer=order.dealer),
            invoices=order.invoices.all(),
            panels=panels.panels(user=user, order=order, audience=panels.HQ),
            needs_override=_needs_override(order),
            can_override=services.can(user, "approve_credit_override"),
            can_submit=S.SUBMITTED in allowed,
            can_decide=order.status == S.PENDING_APPROVAL and may_decide,
            can_ship=order.status in services.SHIPPABLE and may_ship,
            can_deliver=S.DELIVERED in allowed and may_ship,
            can_cancel=S.CANCELLED in allowed and (draft or may_decide),
            can_copy=not draft,
            decision_form=kwargs.get("decision_form") or hq_forms.ApproveForm(auto_id=decision_auto_id(order)),
            holds_stock=order.status in (S.PENDING_APPROVAL, *services.SHIPPABLE),
            cancel_form=kwargs.get("cancel_form") or hq_forms.ReasonForm(auto_id="cancel-%s"),
        )
        return context


class OrderActionView(FormPageMixin, RoleRequiredMixin, View):
    """POST-only actions on one order. When the action's form fails, the page it came from (the order page,
    or the approval queue) shows again with the input kept and the error beside its field, naming the order
    in the queue; a refusal about the order itself is a message on that page."""

    allowed_roles = HQ
    form_class = hq_forms.ActionForm
    # The name of the action's form on the order page (None for an action without input) and its inputs' ids.
    form_name = None
    form_auto_id = "id_%s"
    done_message = ""

    def post(self, request, pk, **kwargs):
        order = get_object_or_404(selectors.order_list(user=request.user), pk=pk)
        queue_query = self.queue_query(order)
        in_queue = queue_query is not None
        form = self.form_class(request.POST, auto_id=self.auto_id(order, in_queue=in_queue))
        result = None
        if form.is_valid():
            result = run_service(form, self.perform, order=order, **form.cleaned_data)
        if result is not None:
            return redirect(self.done(result))
        if in_queue:
            row_error(form, order.number)
        if self.form_name is None or form.non_field_errors():
            flash_form_errors(request, form)
            self.flash_details()
            return redirect(self.back_url(order))
        if in_queue:
            return page_with_forms(
                ApprovalQueueView, request, query=queue_query, bound_forms={"failed_decision": (order.pk, form)}
            )
        return page_with_forms(OrderDetailView, request, pk=order.pk, bound_forms={self.form_name: form})

    def auto_id(self, order, *, in_queue: bool) -> str:
        return self.form_auto_id

    def form_page_url(self, *, pk, **kwargs):
        return reverse("orders:detail", args=[pk])

    def queue_query(self, order) -> str | None:
        """The query string of the approval queue page the form came from, or None when it came from elsewhere."""
        target = urlsplit(self.back_url(order))
        try:
            match = resolve(target.path)
        except Http404:
            return None
        return target.query if match.view_name == "orders:approvals" else None

    def flash_details(self) -> None:
        """More messages after a failure, when the error carries them."""

    def done(self, order) -> str:
        messages.success(self.request, self.done_message)
        return self.back_url(order)

    def back_url(self, order) -> str:
        url = self.request.POST.get("next", "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return reverse("orders:detail", args=[order.pk])


class OrderSubmitView(OrderActionView):
    shortages = ()

    def perform(self, *, order):
        try:
            return services.order_submit(actor=self.request.user, order=order)
        except services.InsufficientStock as exc:
            self.shortages = exc.data.get("lines", [])
            raise

    def flash_details(self):
        for line in self.shortages:
            if "available" in line:
                messages.error(
                    self.request,
                    _("%(sku)s: %(requested)s requested, only %(available)s available.")
                    % {"sku": line["sku"], "requested": line["requested"], "available": line["available"]},
                )

    def done(self, order):
        if order.status == S.PENDING_APPROVAL:
            messages.warning(self.request, _("Order submitted: it waits for approval."))
        else:
            messages.success(self.request, _("Order submitted and approved: its stock is reserved."))
        return self.back_url(order)


def decision_auto_id(order, *, in_queue: bool = False) -> str:
    """The ids of the decision form's inputs: one form per order in the queue, one on the order page."""
    return f"decide-{order.pk}-%s" if in_queue else "decide-%s"


class DecisionView(OrderActionView):
    """Approving and rejecting share one form: the reason the service requires goes beside its field."""

    abstract = True
    form_class = hq_forms.ApproveForm
    form_name = "decision_form"

    def auto_id(self, order, *, in_queue):
        return decision_auto_id(order, in_queue=in_queue)

    def form_page_url(self, *, pk, **kwargs):
        # Page links and filters come from the approval queue; the language switch from either page.
        return reverse("orders:approvals") if self.request.GET else super().form_page_url(pk=pk)


class OrderApproveView(DecisionView):
    done_message = gettext_lazy("Order approved.")

    def perform(self, *, order, reason):
        return services.order_approve(actor=self.request.user, order=order, reason=reason)


class OrderRejectView(DecisionView):
    done_message = gettext_lazy("Order rejected: its stock is released.")

    def perform(self, *, order, reason):
        return services.order_reject(actor=self.request.user, order=order, reason=reason)


class OrderCancelView(OrderActionView):
    form_class = hq_forms.ReasonForm
    form_name = "cancel_form"
    form_auto_id = "cancel-%s"
    done_message = gettext_lazy("Order cancelled: its stock and credit are released.")

    def perform(self, *, order, reason):
        return services.order_cancel(actor=self.request.user, order=order, reason=reason)


class OrderShipView(OrderActionView):
    """Ship everything left: one shipment, and one invoice, from each warehouse holding the order's stock."""

    def perform(self, *, order):
        self.invoiced = set(order.invoices.values_list("pk", flat=True))
        return services.order_ship(actor=self.request.user, order=order)

    def done(self, order):
        numbers = [
            number
            for pk, number in order.invoices.order_by("id").values_list("pk", "number")
            if pk not in self.invoiced
        ]
        message = ngettext(
            "Order shipped: invoice %(numbers)s issued.", "Order shipped: invoices %(numbers)s issued.", len(numbers)
        )
        messages.success(self.request, message % {"numbers": ", ".join(numbers)})
        return self.back_url(order)


class OrderDeliverView(OrderActionView):
    done_message = gettext_lazy("Delivery recorded.")

    def perform(self, *, order):
        return services.order_deliver(actor=self.request.user, order=order)


class OrderCopyView(OrderActionView):
    def perform(self, *, order):
        return services.order_copy(actor=self.request.user, order=order)

    def done(self, result):
        copy, problems = result
        messages.success(
            self.request,
            _("Draft %(number)s created from %(source)s: check it, then submit it.")
            % {"number": copy.number, "source": copy.copied_from},
        )
        for problem in problems:
            messages.warning(
                self.request,
                _("%(sku)s left out: %(message)s") % {"sku": problem.product.sku, "message": problem.message},
            )
        return reverse("orders:detail", args=[copy.pk])


class OrderAddLineView(OrderActionView):
    form_class = hq_forms.AddLineForm
    form_name = "add_line_form"
    done_message = gettext_lazy("Line added.")

    def perform(self, *, order, sku, quantity):
        product = selectors.product_list(user=self.request.user).filter(sku__iexact=sku).first()
        if product is None:
            raise RuleViolation(_("No product has the SKU %(sku)s.") % {"sku": sku}, field="sku")
        return services.order_add_line(actor=self.request.user, order=order, product=product, quantity=quantity)


class OrderRemoveLineView(OrderActionView):
    done_message = gettext_lazy("Line removed.")

    def perform(self, *, order):
        line = get_object_or_404(OrderLine, order=order, pk=self.kwargs["line_pk"])
        return services.order_remove_line(actor=self.request.user, order=order, product_id=line.product_id)
