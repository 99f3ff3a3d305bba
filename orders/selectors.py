"""Reads of the catalogue, prices, stock, orders, invoices and credit, scoped to the user first."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dealers.regions import ancestor_paths
from dms.compiled import CompiledQuery, CompiledRead
from dms.money import ZERO
from dms.scoping import dealer_q, signed_in
from orders.models import (
    CreditAccount,
    DealerAuthorization,
    Invoice,
    Order,
    OrderLine,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
    StockLevel,
    StockMovement,
    Warehouse,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _valid_on(prefix: str, day: date) -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


# Catalogue -------------------------------------------------------------------------------------


def product_line_list(*, user) -> QuerySet[ProductLine]:
    if not signed_in(user):
        return ProductLine.objects.none()
    qs = ProductLine.objects.annotate(product_count=Count("products", filter=Q(products__is_active=True)))
    if user.is_dealer_user:
        qs = qs.filter(pk__in=authorized_line_ids(dealer=user.dealer), is_active=True)
    return qs.order_by("position", "code")


def _authorizations(*, dealer_id: int, paths: list[str], day: date) -> QuerySet:
    """The product line ids of the dealer's authorisations valid on ``day`` that cover the region with these
    ancestor ``paths``: one without regions covers everywhere, one with regions covers their subtrees."""
    covering = Q(regions__isnull=True) | Q(regions__path__in=paths)
    return DealerAuthorization.objects.filter(_valid_on("", day), covering, dealer_id=dealer_id).values(
        "product_line_id"
    )


def authorized_line_ids(*, dealer, region=None, on: date | None = None) -> QuerySet:
    """The product lines the dealer may sell on ``on`` (today) in ``region`` (its home region)."""
    return _authorizations(
        dealer_id=dealer.pk, paths=list(ancestor_paths((region or dealer.region).path)), day=on or timezone.localdate()
    )


def _orderable(*, dealer_id: int, paths: list[str], day: date, ids: list[int]) -> QuerySet[Product]:
    may_sell = _authorizations(dealer_id=dealer_id, paths=paths, day=day).filter(
        product_line_id=OuterRef("product_line_id")
    )
    return Product.objects.filter(pk__in=ids).annotate(authorized=Exists(may_sell)).order_by()


_ORDERABLE = CompiledQuery(_orderable)


def orderable_products(*, dealer, ids, region=None, on: date | None = None) -> dict[int, Product]:
    """The products with these ids, by id, each with ``authorized``: whether the dealer may sell the product's line
    on ``on`` (today) in ``region`` (its home region), as ``authorized_line_ids`` decides, so that the products of a
    draft's lines and whether they may be ordered are read together."""
    if not ids:
        return {}
    products = _ORDERABLE(
        dealer_id=dealer.pk,
        paths=list(ancestor_paths((region or dealer.region).path)),
        day=on or timezone.localdate(),
        ids=sorted(ids),
    )
    return {product.pk: product for product in products}


def _authorized_lines(*, dealer_id: int, paths: list[str], day: date) -> QuerySet:
    return _authorizations(dealer_id=dealer_id, paths=paths, day=day).values_list("product_line_id")


_AUTHORIZED_LINES = CompiledRead(_authorized_lines)


def authorized_line_set(*, dealer, region=None, on: date | None = None) -> set[int]:
    """``authorized_line_ids`` read at once, as a set: what an order's lines are checked against."""
    rows = _AUTHORIZED_LINES(
        dealer_id=dealer.pk, paths=list(ancestor_paths((region or dealer.region).path)), day=on or timezone.localdate()
    )
    return {line_id for (line_id,) in rows}


def _list_prices(*, dealer_id: int, tier: str, day: date, product) -> tuple[Subquery, Subquery]:
    """The dealer's own price and its tier's for the product that ``product`` points at, None where no valid
    list has one. Among several valid lists of a kind, the latest start wins."""
    items = PriceListItem.objects.filter(_valid_on("price_list__", day), product=product).order_by(
        "-price_list__valid_from", "-price_list_id"
    )
    dealer_price = Subquery(items.filter(price_list__dealer_id=dealer_id).values("price")[:1], output_field=MONEY)
    tier_price = Subquery(
        items.filter(price_list__kind=PriceList.Kind.TIER, price_list__tier=tier).values("price")[:1],
        output_field=MONEY,
    )
    return dealer_price, tier_price


def priced_products(*, dealer, on: date | None = None) -> QuerySet[Product]:
    """Products with the price this dealer pays, resolved in one place: the dealer's own price list,
    else its tier's, else the base price."""
    dealer_price, tier_price = _list_prices(
        dealer_id=dealer.pk, tier=dealer.tier, day=on or timezone.localdate(), product=OuterRef("pk")
    )
    return Product.objects.annotate(dealer_price=dealer_price, tier_price=tier_price).annotate(
        price=Coalesce("dealer_price", "tier_price", "base_price", output_field=MONEY),
        price_source=Case(
            When(dealer_price__isnull=False, then=Value("dealer")),
            When(tier_price__isnull=False, then=Value("tier")),
            default=Value("base"),
        ),
    )


def _submission_lines(*, order_id: int, dealer_id: int, tier: str, day: date, paths: list[str]) -> QuerySet:
    dealer_price, tier_price = _list_prices(dealer_id=dealer_id, tier=tier, day=day, product=OuterRef("product_id"))
    may_sell = _authorizations(dealer_id=dealer_id, paths=paths, day=day).filter(
        product_line_id=OuterRef("product__product_line_id")
    )
    return (
        OrderLine.objects.filter(order_id=order_id)
        .select_related("product")
        .annotate(
            price=Coalesce(dealer_price, tier_price, "product__base_price", output_field=MONEY),
            authorized=Exists(may_sell),
        )
        .order_by("product_id")
    )


_SUBMISSION_LINES = CompiledQuery(_submission_lines)


def submission_lines(*, order: Order, on: date | None = None) -> list[OrderLine]:
    """The order's lines by product, with their products, each with ``price``, what the dealer pays for it on ``on``
    (today) as ``priced_products`` resolves it, and ``authorized``, whether the dealer may sell it where the order
    goes: what submission checks and freezes, in the query that reads the lines."""
    dealer = order.dealer
    return _SUBMISSION_LINES(
        order_id=order.pk,
        dealer_id=dealer.pk,
        tier=dealer.tier,
        day=on or timezone.localdate(),
        paths=list(ancestor_paths((order.ship_to_region or dealer.region).path)),
    )


def _with_availability(qs: QuerySet[Product]) -> QuerySet[Product]:
    available = (
        StockLevel.objects.filter(product=OuterRef("pk"), warehouse__is_active=True)
        .values("product")
        .annotate(total=Sum(F("on_hand") - F("reserved")))
        .values("total")
    )
    return qs.annotate(available=Coalesce(Subquery(available, output_field=IntegerField()), 0))


def product_list(*, user, dealer=None) -> QuerySet[Product]:
    """Dealer users: active products of their authorised lines, with their price. HQ: every product,
    priced for ``dealer`` when given, else at the base price."""
    if not signed_in(user):
        return Product.objects.none()
    if user.is_dealer_user:
        dealer = user.dealer
        qs = priced_products(dealer=dealer).filter(
            is_active=True, product_line__is_active=True, product_line_id__in=authorized_line_ids(dealer=dealer)
        )
    elif dealer is not None:
        qs = priced_products(dealer=dealer)
    else:
        qs = Product.objects.annotate(price=F("base_price"), price_source=Value("base"))
    return _with_availability(qs.select_related("product_line")).order_by("sku")


def price_list_list(*, user) -> QuerySet[PriceList]:
    """HQ reads every price list; a dealer reads its own and its tier's, never another dealer's."""
    if not signed_in(user):
        return PriceList.objects.none()
    qs = PriceList.objects.select_related("dealer").prefetch_related("items__product")
    if user.is_dealer_user:
        dealer = user.dealer
        # Only the prices of products the dealer may order: the rest of a tier's list is not its business.
        orderable = PriceListItem.objects.filter(
            product__is_active=True, product__product_line_id__in=authorized_line_ids(dealer=dealer)
        ).select_related("product")
        return (
            PriceList.objects.select_related("dealer")
            .prefetch_related(Prefetch("items", queryset=orderable))
            .filter(Q(dealer=dealer) | Q(kind=PriceList.Kind.TIER, tier=dealer.tier))
        )
    scope = dealer_q(user, field="dealer")
    # An empty Q (an administrator sees every dealer) would vanish from the OR and hide dealer lists.
    return qs.filter(Q(dealer__isnull=True) | scope) if scope else qs


def authorization_list(*, user) -> QuerySet[DealerAuthorization]:
    if not signed_in(user):
        return DealerAuthorization.objects.none()
    return (
        DealerAuthorization.objects.filter(dealer_q(user, field="dealer"))
        .select_related("dealer", "product_line")
        .prefetch_related("regions")
    )


def warehouse_list(*, user) -> QuerySet[Warehouse]:
    if not signed_in(user):
        return Warehouse.objects.none()
    return Warehouse.objects.select_related("region")


def stock_list(*, user) -> QuerySet[StockLevel]:
    """Stock levels are head office's; dealers see availability on products, not warehouses."""
    if not signed_in(user) or not user.is_hq:
        return StockLevel.objects.none()
    return StockLevel.objects.select_related("warehouse", "product", "product__product_line").annotate(
        available_qty=F("on_hand") - F("reserved")
    )


def stock_movement_list(*, user) -> QuerySet[StockMovement]:
    """The stock ledger, newest first; head office's, like the stock levels."""
    if not signed_in(user) or not user.is_hq:
        return StockMovement.objects.none()
    qs = StockMovement.objects.select_related("warehouse", "product", "order", "actor").order_by("-created_at", "-id")
    # Movements for an order show its number and reason: only for orders of dealers the user sees.
    scope = dealer_q(user, field="order__dealer")
    return qs.filter(Q(order__isnull=True) | scope) if scope else qs


# Orders ----------------------------------------------------------------------------------------


def _line_count() -> Coalesce:
    """The number of lines of the outer query's order: counted for the rows a page shows, not for every order
    before the page is cut."""
    lines = OrderLine.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(lines.values("n"), output_field=IntegerField()), 0)


def order_list(*, user) -> QuerySet[Order]:
    if not signed_in(user):
        return Order.objects.none()
    return (
        Order.objects.filter(dealer_q(user, field="dealer"))
        .select_related("dealer", "dealer__region", "created_by")
        .annotate(line_count=_line_count())
        .order_by("-created_at", "-id")
    )


def orders_in_scope(*, user) -> QuerySet[Order]:
    """The orders the user may act on, without the extras of the list and detail pages."""
    if not signed_in(user):
        return Order.objects.none()
    return Order.objects.filter(dealer_q(user, field="dealer")).select_related("dealer")


def order_detail_queryset(*, user) -> QuerySet[Order]:
    if not signed_in(user):
        return Order.objects.none()
    return (
        Order.objects.filter(dealer_q(user, field="dealer"))
        .select_related("dealer", "dealer__region", "created_by", "decided_by", "ship_to_region")
        .prefetch_related(
            Prefetch("invoices", queryset=Invoice.objects.order_by("id")),
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product", "product__product_line").prefetch_related(
                    "reservations__warehouse"
                ),
            ),
        )
    )


def order_api_queryset(*, user) -> QuerySet[Order]:
    """Orders as the API lists and shows them, joined only to what its fields read: every join the planner must
    order costs planning time on each request (the detail page's seven took far longer to plan than to run), and
    the API names users by id."""
    if not signed_in(user):
        return Order.objects.none()
    lines = OrderLine.objects.select_related("product").prefetch_related("reservations__warehouse")
    return (
        Order.objects.filter(dealer_q(user, field="dealer"))
        .select_related("dealer", "ship_to_region")
        .prefetch_related(
            Prefetch("lines", queryset=lines), Prefetch("invoices", queryset=Invoice.objects.order_by("id"))
        )
    )


def approval_queue(*, user) -> QuerySet[Order]:
    return order_list(user=user).filter(status=Order.Status.PENDING_APPROVAL).order_by("submitted_at", "id")


def current_draft(*, user):
    """The portal cart: the newest draft this user started for their dealer."""
    if not signed_in(user) or not user.is_dealer_user:
        return None
    return order_list(user=user).filter(status=Order.Status.DRAFT, created_by=user).first()


# Invoices, payments, credit --------------------------------------------------------------------


def invoice_list(*, user) -> QuerySet[Invoice]:
    if not signed_in(user):
        return Invoice.objects.none()
    return Invoice.objects.filter(dealer_q(user, field="dealer")).select_related("dealer", "order")


def payment_list(*, user) -> QuerySet[Payment]:
    if not signed_in(user):
        return Payment.objects.none()
    return Payment.objects.filter(dealer_q(user, field="dealer")).select_related("dealer", "recorded_by")


@dataclass
class CreditPosition:
    dealer_id: int
    credit_limit: Decimal
    open_invoices: Decimal
    open_orders: Decimal
    unallocated: Decimal
    overdue_amount: Decimal
    oldest_overdue_days: int
    overdue_invoices: list = field(default_factory=list)

    @property
    def exposure(self) -> Decimal:
        return self.open_invoices + self.open_orders - self.unallocated

    @property
    def available(self) -> Decimal:
        return self.credit_limit - self.exposure

    @property
    def used_percent(self) -> int:
        if self.credit_limit <= 0:
            return 100 if self.exposure > 0 else 0
        return max(0, min(100, int(self.exposure * 100 / self.credit_limit)))


# Orders whose amount the dealer is committed to beyond its invoices; a partly shipped one counts what it has
# not been invoiced for yet.
CREDIT_ORDER_STATUSES = (Order.Status.APPROVED, Order.Status.PENDING_APPROVAL, Order.Status.PARTIALLY_SHIPPED)


def _per_dealer(qs: QuerySet, total, output_field=MONEY) -> Subquery:
    """``total`` over the rows of ``qs`` that belong to the outer query's dealer."""
    rows = qs.filter(dealer_id=OuterRef("pk")).order_by().values("dealer_id").annotate(total=total)
    return Subquery(rows.values("total"), output_field=output_field)


def _credit_sums(dealers: QuerySet, *, exclude_order_id: int, day: date) -> QuerySet:
    """Per dealer: its limit, open invoices, open orders (but ``exclude_order_id``), unallocated payments,
    and the amount and oldest due date of its overdue invoices."""
    outstanding = Sum(F("gross_amount") - F("paid_amount"))
    unpaid = Invoice.objects.exclude(status=Invoice.Status.PAID)
    open_orders = Order.objects.filter(status__in=CREDIT_ORDER_STATUSES).exclude(pk=exclude_order_id)
    invoiced_of_open = Invoice.objects.filter(order__status__in=CREDIT_ORDER_STATUSES).exclude(
        order_id=exclude_order_id
    )
    nothing = Value(ZERO, output_field=MONEY)
    return (
        dealers.order_by()
        .annotate(
            limit=_per_dealer(CreditAccount.objects, Sum("credit_limit")),
            invoiced=_per_dealer(unpaid, outstanding),
            ordered=Coalesce(_per_dealer(open_orders, Sum("gross_amount")), nothing)
            - Coalesce(_per_dealer(invoiced_of_open, Sum("gross_amount")), nothing),
            unallocated=_per_dealer(Payment.objects, Sum("unallocated_amount")),
            overdue=_per_dealer(unpaid.filter(due_on__lt=day), outstanding),
            oldest_due_on=_per_dealer(unpaid.filter(due_on__lt=day), Min("due_on"), output_field=DateField()),
        )
        .values_list("pk", "limit", "invoiced", "ordered", "unallocated", "overdue", "oldest_due_on")
    )


def _one_dealer_credit_sums(*, dealer_id: int, exclude_order_id: int, day: date) -> QuerySet:
    from dealers.models import Dealer

    return _credit_sums(Dealer.objects.filter(pk=dealer_id), exclude_order_id=exclude_order_id, day=day)


_ONE_DEALER_CREDIT_SUMS = CompiledRead(_one_dealer_credit_sums)


def credit_position(
    *, dealer, exclude_order_id: int | None = None, day: date | None = None, overdue_invoices: bool = True
) -> CreditPosition:
    """Limit, what is owed and committed, and what is overdue, for one dealer (see ``credit_positions``); the
    credit check of every order reads it."""
    day = day or timezone.localdate()
    # No order has the id 0: excluding it excludes nothing, and keeps the compiled query's shape.
    rows = _ONE_DEALER_CREDIT_SUMS(dealer_id=dealer.pk, exclude_order_id=exclude_order_id or 0, day=day)
    return _positions(rows, ids={dealer.pk}, day=day, overdue_invoices=overdue_invoices)[dealer.pk]


def credit_positions(
    *, dealer_ids, exclude_order_id: int | None = None, day: date | None = None, overdue_invoices: bool = True
) -> dict[int, CreditPosition]:
    """Credit positions of many dealers at once, keyed by dealer id: one query for every sum, and one more
    for the overdue invoices themselves when ``overdue_invoices`` asks for them (else the list stays empty;
    the overdue amount and days are there either way). ``exclude_order_id`` leaves
    one order out of the open orders: the one being checked."""
    from dealers.models import Dealer

    day = day or timezone.localdate()
    ids = set(dealer_ids)
    if not ids:
        return {}
    rows = _credit_sums(Dealer.objects.filter(pk__in=ids), exclude_order_id=exclude_order_id or 0, day=day)
    return _positions(rows, ids=ids, day=day, overdue_invoices=overdue_invoices)


def _positions(rows, *, ids: set[int], day: date, overdue_invoices: bool) -> dict[int, CreditPosition]:
    sums = {row[0]: row[1:] for row in rows}
    overdue: dict[int, list[Invoice]] = {}
    if overdue_invoices:
        unpaid = Invoice.objects.exclude(status=Invoice.Status.PAID)
        for invoice in unpaid.filter(dealer_id__in=ids, due_on__lt=day).order_by("due_on", "id"):
            overdue.setdefault(invoice.dealer_id, []).append(invoice)
    positions = {}
    for pk in ids:
        limit, invoiced, ordered, unallocated, overdue_amount, oldest_due_on = sums.get(pk, (None,) * 6)
        positions[pk] = CreditPosition(
            dealer_id=pk,
            credit_limit=limit or ZERO,
            open_invoices=invoiced or ZERO,
            open_orders=ordered or ZERO,
            unallocated=unallocated or ZERO,
            overdue_amount=overdue_amount or ZERO,
            oldest_overdue_days=(day - oldest_due_on).days if oldest_due_on else 0,
            overdue_invoices=overdue.get(pk, []),
        )
    return positions


def dealers_with_orders(*, user):
    """Dealers the user may order for (HQ: in scope and trading)."""
    from dealers.models import Dealer

    if not signed_in(user):
        return Dealer.objects.none()
    return Dealer.objects.filter(dealer_q(user, field="pk"), status__in=["active", "probation"]).order_by("code")
