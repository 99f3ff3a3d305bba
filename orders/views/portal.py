"""Dealer portal pages of the orders app: the catalogue, the cart (a draft order), the dealer's orders and
its statement. Every read goes through the selectors, so a dealer only ever sees its own dealer's data."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from dms.errors import DomainError
from dms.forms import FormPageMixin, flash_form_errors, page_with_forms, row_error, run_service
from dms.params import parse_id
from dms.spreadsheets import ImportFileError
from dms.views import DEALER, RoleRequiredMixin, ScopedDetailView, ScopedListView
from orders import cart_import, panels, selectors, services
from orders.forms.portal import (
    AddToCartForm,
    CancelOrderForm,
    CartDetailsForm,
    CartLineForm,
    CartRemoveForm,
    CatalogueFilterSet,
    PasteLinesForm,
    PortalOrderFilterSet,
    QuickOrderForm,
    StatementPeriodForm,
    UploadLinesForm,
    month_range,
)
from orders.models import Order
from orders.presenters import approval_reason_text, draft_lines, frozen_lines, status_steps, stock_state, totals
from orders.statement import dealer_statement, statement_xlsx

S = Order.Status
# The draft the user chose as their cart (``order_edit``, reorder); without one, the newest draft is the cart.
CART_KEY = "orders.cart"
# Why lines of the cart could not be submitted, by product id, shown once next to those lines.
CART_NOTES_KEY = "orders.cart_notes"

# The cart ------------------------------------------------------------------------------------------


def current_cart(request) -> Order | None:
    """The draft the user chose as their cart while it is still a draft of their dealer, else their newest."""
    chosen = request.session.get(CART_KEY)
    if chosen:
        order = selectors.order_list(user=request.user).filter(pk=chosen, status=S.DRAFT).first()
        if order is not None:
            return order
        del request.session[CART_KEY]
    return selectors.current_draft(user=request.user)


def use_as_cart(request, order: Order) -> None:
    request.session[CART_KEY] = order.pk


def add_to_cart(request, lines: list[dict]) -> Order:
    """Put products into the cart, starting one when there is none. Raises DomainError; then nothing changed."""
    cart = current_cart(request)
    user = request.user
    if cart is None:
        cart = services.order_create(actor=user, dealer=user.dealer, lines=lines)
        use_as_cart(request, cart)
        return cart
    return services.order_add_lines(actor=user, order=cart, lines=lines)


def line_notes_from(exc: DomainError) -> dict[str, str]:
    """What to show beside each refused line: the quantity available, or the rule the line breaks."""
    notes = {}
    for line in exc.data.get("lines", []):
        if "available" in line:
            notes[str(line["product"])] = _("Only %(available)s available; you asked for %(requested)s.") % line
        elif "message" in line:
            notes[str(line["product"])] = line["message"]
    return notes


def submit(request, order: Order, *, back):
    """Submit a draft and say what happened: approved, waiting for head office and why, or refused. A refusal
    about some lines opens the draft as the cart with a note beside each of them; others go ``back``."""
    try:
        order = services.order_submit(actor=request.user, order=order)
    except DomainError as exc:
        notes = line_notes_from(exc)
        if notes:
            use_as_cart(request, order)
            request.session[CART_NOTES_KEY] = notes
        if exc.code == "insufficient_stock":
            messages.error(
                request,
                _("Not enough stock for some lines: lower their quantities and submit again. Nothing was reserved."),
            )
        else:
            messages.error(request, str(exc.message))
        return redirect("portal:cart") if notes else back
    if request.session.get(CART_KEY) == order.pk:
        del request.session[CART_KEY]
    if order.status == S.APPROVED:
        messages.success(request, _("Order %(number)s is submitted and approved.") % {"number": order.number})
    else:
        reasons = " ".join(approval_reason_text(r) for r in order.approval_reasons)
        messages.warning(
            request,
            _("Order %(number)s is submitted and waits for head office's approval. %(reasons)s")
            % {"number": order.number, "reasons": reasons},
        )
    return redirect("portal:order_detail", order.pk)


class CartPageMixin(RoleRequiredMixin):
    """Builds the cart page, so that the actions that fail with a list of bad lines can show it again."""

    abstract = True
    template_name = "orders/portal/cart.html"

    def cart_context(self, **forms) -> dict:
        request = self.request
        cart = current_cart(request)
        lines = draft_lines(user=request.user, order=cart) if cart else []
        notes = request.session.pop(CART_NOTES_KEY, {})
        for line in lines:
            line.note = notes.get(str(line.product.pk), "")
        context = {
            "cart": cart,
            "lines": lines,
            "totals": totals(lines),
            "credit": selectors.credit_position(dealer=request.user.dealer),
            "details_form": CartDetailsForm(instance=cart),
            "quick_form": QuickOrderForm(),
            "paste_form": PasteLinesForm(),
            "upload_form": UploadLinesForm(),
            **forms,
        }
        context["has_problems"] = any(not line.orderable or line.short or line.note for line in lines)
        return context

    def render_cart(self, status: int = 200, **forms):
        return render(self.request, self.template_name, self.cart_context(**forms), status=status)


class CartView(CartPageMixin, TemplateView):
    allowed_roles = DEALER

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.cart_context(), **kwargs)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


class CartAddView(RoleRequiredMixin, View):
    """Add a product from the catalogue."""

    allowed_roles = DEALER

    def post(self, request):
        form = AddToCartForm(request.POST, user=request.user)
        if not form.is_valid():
            # The form is one row of the catalogue: the message names the product it is about.
            product = form.cleaned_data.get("product")
            if product is not None:
                row_error(form, f"{product.sku} {product.local_name}")
            flash_form_errors(request, form)
            return _back(request, "portal:catalogue")
        product, quantity = form.cleaned_data["product"], form.cleaned_data["quantity"]
        try:
            add_to_cart(request, [{"product": product, "quantity": quantity}])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Added %(quantity)s × %(sku)s %(name)s to the cart.")
                % {"quantity": quantity, "sku": product.sku, "name": product.local_name},
            )
        return _back(request, "portal:catalogue")


class CartQuickView(CartPageMixin, View):
    """Quick order: a SKU and a quantity typed in."""

    allowed_roles = DEALER

    def post(self, request):
        form = QuickOrderForm(request.POST)
        if form.is_valid():
            sku, quantity = form.cleaned_data["sku"].strip(), form.cleaned_data["quantity"]
            product = selectors.product_list(user=request.user).filter(sku__iexact=sku).first()
            if product is None:
                form.add_error("sku", _("%(sku)s is not in your catalogue.") % {"sku": sku})
            else:
                try:
                    add_to_cart(request, [{"product": product, "quantity": quantity}])
                except DomainError as exc:
                    form.add_error("quantity" if exc.code == "pack_multiple" else None, str(exc.message))
                else:
                    messages.success(
                        request, _("Added %(quantity)s × %(sku)s to the cart.") % {"quantity": quantity, "sku": sku}
                    )
                    return redirect("portal:cart")
        return self.render_cart(quick_form=form)


class CartLinesImportView(CartPageMixin, View):
    """Lines pasted from a spreadsheet or uploaded as a file: every bad line is listed and none is added."""

    abstract = True
    form_class = None
    form_key = None
    form_field = None

    def rows(self, form) -> list:
        raise NotImplementedError

    def post(self, request):
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_cart(**{self.form_key: form})
        try:
            rows = self.rows(form)
        except ImportFileError as exc:
            form.add_error(self.form_field, str(exc.message))
            return self.render_cart(**{self.form_key: form})
        result = cart_import.check(user=request.user, rows=rows)
        if result.ok:
            try:
                add_to_cart(request, result.lines)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                count = len(result.lines)
                messages.success(
                    request,
                    ngettext("%(count)d line added to the cart.", "%(count)d lines added to the cart.", count)
                    % {"count": count},
                )
                return redirect("portal:cart")
        return self.render_cart(**{self.form_key: form, "import_errors": result.errors, "import_kind": self.form_key})


class CartPasteView(CartLinesImportView):
    allowed_roles = DEALER
    form_class = PasteLinesForm
    form_key = "paste_form"
    form_field = "lines"

    def rows(self, form) -> list:
        return cart_import.text_rows(form.cleaned_data["lines"])


class CartUploadView(CartLinesImportView):
    allowed_roles = DEALER
    form_class = UploadLinesForm
    form_key = "upload_form"
    form_field = "file"

    def rows(self, form) -> list:
        return cart_import.file_rows(form.cleaned_data["file"])


class CartChangeView(FormPageMixin, CartPageMixin, View):
    """Base of the actions on the cart's lines and details: they need a cart. A change may answer with the
    cart page itself, when its form failed."""

    abstract = True

    def post(self, request):
        cart = current_cart(request)
        if cart is None:
            messages.error(request, _("Your cart is empty."))
            return redirect("portal:cart")
        try:
            response = self.change(request, cart)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            response = None
        return response or redirect("portal:cart")

    def form_page_url(self):
        return reverse("portal:cart")

    def change(self, request, cart: Order):
        raise NotImplementedError


class CartUpdateView(CartChangeView):
    """Change the quantity of a line; zero removes it."""

    allowed_roles = DEALER

    def change(self, request, cart):
        form = CartLineForm(request.POST)
        if not form.is_valid():
            # The error stands beside the line it is about, as the refusals of a submission do.
            product = parse_id(request.POST.get("product"))
            if product and cart.lines.filter(product_id=product).exists():
                request.session[CART_NOTES_KEY] = {str(product): " ".join(form.errors.get("quantity", []))}
                return None
            flash_form_errors(request, form)
            return None
        product_id, quantity = form.cleaned_data["product"], form.cleaned_data["quantity"]
        if not cart.lines.filter(product_id=product_id).exists():
            messages.error(request, _("This product is not in your cart."))
            return
        services.order_set_quantity(actor=request.user, order=cart, product_id=product_id, quantity=quantity)
        messages.success(request, _("Cart updated."))


class CartRemoveView(CartChangeView):
    allowed_roles = DEALER

    def change(self, request, cart):
        form = CartRemoveForm(request.POST)
        if not form.is_valid():
            flash_form_errors(request, form)
            return
        services.order_remove_line(actor=request.user, order=cart, product_id=form.cleaned_data["product"])
        messages.success(request, _("Line removed."))


class CartDetailsView(CartChangeView):
    """Requested delivery date, ship-to address and note."""

    allowed_roles = DEALER

    def change(self, request, cart):
        form = CartDetailsForm(request.POST, instance=cart)
        if form.is_valid() and run_service(
            form, services.order_update, actor=request.user, order=cart, **form.cleaned_data
        ):
            messages.success(request, _("Delivery details saved."))
            return None
        return self.render_cart(status=422, details_form=form)


class CartSubmitView(FormPageMixin, CartPageMixin, View):
    """Submit the cart, saving the delivery details sent with it first; details that fail show the cart again
    with what was typed and the error beside its field."""

    allowed_roles = DEALER

    def form_page_url(self):
        return reverse("portal:cart")

    def post(self, request):
        cart = current_cart(request)
        if cart is None:
            messages.error(request, _("Your cart is empty."))
            return redirect("portal:cart")
        if any(name in request.POST for name in CartDetailsForm.Meta.fields):
            form = CartDetailsForm(request.POST, instance=cart)
            if not form.is_valid():
                return self.render_cart(status=422, details_form=form)
            try:
                cart = services.order_update(actor=request.user, order=cart, **form.cleaned_data)
            except DomainError as exc:
                if exc.field not in form.fields:
                    messages.error(request, str(exc.message))
                    return redirect("portal:cart")
                form.add_error(exc.field, str(exc.message))
                return self.render_cart(status=422, details_form=form)
        return submit(request, cart, back=redirect("portal:cart"))


# The catalogue ------------------------------------------------------------------------------------


class CatalogueView(ScopedListView):
    allowed_roles = DEALER
    selector = selectors.product_list
    filterset_class = CatalogueFilterSet
    template_name = "orders/portal/catalogue.html"
    context_object_name = "products"
    paginate_by = 24

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cart = current_cart(self.request)
        in_cart = dict(cart.lines.values_list("product_id", "quantity")) if cart else {}
        for product in context["products"]:
            product.stock_state = stock_state(product.available, product.pack_size)
            product.in_cart = in_cart.get(product.pk, 0)
        context["in_cart"] = in_cart
        return context


# Orders -------------------------------------------------------------------------------------------


class PortalOrderListView(ScopedListView):
    allowed_roles = DEALER
    selector = selectors.order_list
    filterset_class = PortalOrderFilterSet
    template_name = "orders/portal/order_list.html"
    context_object_name = "orders"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cart = current_cart(self.request)
        context["cart_id"] = cart.pk if cart else None
        return context


class PortalOrderDetailView(ScopedDetailView):
    allowed_roles = DEALER
    selector = selectors.order_detail_queryset
    template_name = "orders/portal/order_detail.html"
    context_object_name = "order"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        is_draft = order.status == S.DRAFT
        lines = draft_lines(user=self.request.user, order=order) if is_draft else frozen_lines(order)
        cart = current_cart(self.request)
        context.update(
            {
                "lines": lines,
                "totals": totals(lines)
                if is_draft
                else {
                    "net": order.net_amount,
                    "vat": order.vat_amount,
                    "gross": order.gross_amount,
                },
                "steps": status_steps(order),
                "reasons": [approval_reason_text(r) for r in order.approval_reasons]
                if order.status == S.PENDING_APPROVAL
                else [],
                "invoices": order.invoices.all(),
                "panels": panels.panels(user=self.request.user, order=order, audience=panels.PORTAL),
                "is_cart": cart is not None and cart.pk == order.pk,
                "can_cancel": order.status in (S.DRAFT, S.PENDING_APPROVAL),
                "cancel_form": kwargs.get("cancel_form") or CancelOrderForm(),
            }
        )
        return context


class OrderActionView(FormPageMixin, RoleRequiredMixin, View):
    """Base of the actions on one of the dealer's orders: another dealer's order is not found."""

    abstract = True

    def form_page_url(self, *, pk):
        return reverse("portal:order_detail", args=[pk])

    def post(self, request, pk):
        order = get_object_or_404(selectors.order_detail_queryset(user=request.user), pk=pk)
        try:
            return self.act(request, order)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("portal:order_detail", order.pk)

    def act(self, request, order: Order):
        raise NotImplementedError


class OrderCancelView(OrderActionView):
    allowed_roles = DEALER

    def act(self, request, order):
        form = CancelOrderForm(request.POST)
        if not form.is_valid():
            return page_with_forms(PortalOrderDetailView, request, pk=order.pk, bound_forms={"cancel_form": form})
        services.order_cancel(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
        return redirect("portal:order_detail", order.pk)


class OrderDeliverView(OrderActionView):
    allowed_roles = DEALER

    def act(self, request, order):
        services.order_deliver(actor=request.user, order=order)
        messages.success(request, _("Thank you: delivery of %(number)s is confirmed.") % {"number": order.number})
        return redirect("portal:order_detail", order.pk)


class OrderReorderView(OrderActionView):
    """Copy the order's lines into a new draft, which becomes the cart; say which lines were left out and why."""

    allowed_roles = DEALER

    def act(self, request, order):
        copy, skipped = services.order_copy(actor=request.user, order=order)
        use_as_cart(request, copy)
        copied = copy.lines.count()
        messages.success(
            request,
            ngettext(
                "%(count)d line of %(number)s is in your cart; prices and stock are checked again when you submit.",
                "%(count)d lines of %(number)s are in your cart; prices and stock are checked again when you submit.",
                copied,
            )
            % {"count": copied, "number": order.number},
        )
        for problem in skipped:
            messages.warning(
                request,
                _("%(sku)s %(name)s was left out: %(reason)s")
                % {"sku": problem.product.sku, "name": problem.product.local_name, "reason": problem.message},
            )
        return redirect("portal:cart")


class OrderEditView(OrderActionView):
    """Open a draft as the cart."""

    allowed_roles = DEALER

    def act(self, request, order):
        if order.status != S.DRAFT:
            messages.error(request, _("Only a draft order can be opened as the cart."))
            return redirect("portal:order_detail", order.pk)
        use_as_cart(request, order)
        messages.info(request, _("Draft %(number)s is now your cart.") % {"number": order.number})
        return redirect("portal:cart")


class OrderSubmitView(OrderActionView):
    allowed_roles = DEALER

    def act(self, request, order):
        return submit(request, order, back=redirect("portal:order_detail", order.pk))


# Statement ----------------------------------------------------------------------------------------


class StatementView(RoleRequiredMixin, TemplateView):
    """The dealer's statement for a period, with its credit position; ``?format=xlsx`` downloads it."""

    allowed_roles = DEALER
    template_name = "orders/portal/statement.html"

    def get(self, request, *args, **kwargs):
        form = StatementPeriodForm(request.GET or None)
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            start, end = month_range("")
        dealer = request.user.dealer
        statement = dealer_statement(user=request.user, dealer=dealer, start=start, end=end)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(
                statement_xlsx(statement),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            filename = f"statement-{dealer.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        query = request.GET.copy()
        query["format"] = "xlsx"
        return self.render_to_response(
            self.get_context_data(
                form=form if form.is_bound else StatementPeriodForm(initial={"month": f"{start:%Y-%m}"}),
                statement=statement,
                credit=selectors.credit_position(dealer=dealer),
                xlsx_url=f"{reverse('portal:statement')}?{query.urlencode()}",
            )
        )
