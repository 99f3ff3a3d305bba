"""Head-office order desk: the order list and export, the approval queue, orders created for a dealer,
the order page and the actions on it."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from dealers.selectors import dealer_list
from dms.errors import RuleViolation
from dms.exports import ExportMixin, local_minute
from dms.forms import StatusSelect, flash_form_errors, run_service
from dms.views import HQ, RoleRequiredMixin, ScopedDetailView, ScopedListView
from orders import selectors, services
from orders.filters import OrderFilterSet
from orders.forms import hq as hq_forms
from orders.models import Order, OrderLine

S = Order.Status

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
        dealers = dealer_list(user=self.request.user).values_list("pk", "code", "name")
        fields["dealer"].widget = forms.Select(
            choices=[("", _("All dealers")), *((pk, f"{code} {name}") for pk, code, name in dealers)],
            attrs={"class": "form-select form-select-sm"},
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


class ApprovalQueueView(ScopedListView):
    allowed_roles = HQ
    selector = selectors.approval_queue
    template_name = "orders/desk/approval_queue.html"
    context_object_name = "orders"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = list(context["orders"])
        positions = selectors.credit_positions(dealer_ids=[order.dealer_id for order in orders])
        user = self.request.user
        context["items"] = [
            {
                "order": order,
                "position": positions[order.dealer_id],
                "needs_override": _needs_override(order),
                "decision_form": hq_forms.ApproveForm(auto_id=f"decide-{order.pk}-%s"),
            }
            for order in orders
        ]
        context["can_approve"] = services.can(user, "approve_order")
        context["can_override"] = services.can(user, "approve_credit_override")
        return context


class OrderCreateView(RoleRequiredMixin, FormView):
    allowed_roles = HQ
    form_class = hq_forms.OrderCreateForm
    template_name = "orders/desk/order_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        dealer = self.request.GET.get("dealer", "")
        return {"dealer": dealer} if dealer.isdigit() else {}

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
            context["add_line_form"] = hq_forms.AddLineForm()
        else:
            for line in lines:
                line.shown_price, line.shown_amount = line.unit_price, line.gross_amount
        allowed = services.ORDER_TRANSITIONS[order.status]
        may_decide = services.can(user, "approve_order")
        may_ship = services.can(user, "ship_order")
        context.update(
            lines=lines,
            position=selectors.credit_position(dealer=order.dealer),
            invoice=getattr(order, "invoice", None),
            needs_override=_needs_override(order),
            can_override=services.can(user, "approve_credit_override"),
            can_submit=S.SUBMITTED in allowed,
            can_decide=order.status == S.PENDING_APPROVAL and may_decide,
            can_ship=S.SHIPPED in allowed and may_ship,
            can_deliver=S.DELIVERED in allowed and may_ship,
            can_cancel=S.CANCELLED in allowed and (draft or may_decide),
            can_copy=not draft,
            decision_form=hq_forms.ApproveForm(auto_id="decide-%s"),
            holds_stock=order.status in (S.PENDING_APPROVAL, S.APPROVED),
            cancel_form=hq_forms.ReasonForm(auto_id="cancel-%s"),
        )
        return context


class OrderActionView(RoleRequiredMixin, View):
    """POST-only actions on one order; a broken rule shows as a message on the page the form came
    from (the order page, or the approval queue)."""

    allowed_roles = HQ
    form_class = hq_forms.ActionForm
    done_message = ""

    def post(self, request, pk, **kwargs):
        order = get_object_or_404(selectors.order_list(user=request.user), pk=pk)
        form = self.form_class(request.POST)
        result = None
        if form.is_valid():
            result = run_service(form, self.perform, order=order, **form.cleaned_data)
        if result is None:
            flash_form_errors(request, form)
            self.flash_details()
            return redirect(self.back_url(order))
        return redirect(self.done(result))

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


class OrderApproveView(OrderActionView):
    form_class = hq_forms.ApproveForm
    done_message = gettext_lazy("Order approved.")

    def perform(self, *, order, reason):
        return services.order_approve(actor=self.request.user, order=order, reason=reason)


class OrderRejectView(OrderActionView):
    form_class = hq_forms.ReasonForm
    done_message = gettext_lazy("Order rejected: its stock is released.")

    def perform(self, *, order, reason):
        return services.order_reject(actor=self.request.user, order=order, reason=reason)


class OrderCancelView(OrderActionView):
    form_class = hq_forms.ReasonForm
    done_message = gettext_lazy("Order cancelled: its stock and credit are released.")

    def perform(self, *, order, reason):
        return services.order_cancel(actor=self.request.user, order=order, reason=reason)


class OrderShipView(OrderActionView):
    def perform(self, *, order):
        return services.order_ship(actor=self.request.user, order=order)

    def done(self, order):
        messages.success(self.request, _("Order shipped: invoice %(number)s issued.") % {"number": order.invoice})
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
