"""Reads of the catalogue, prices, stock, orders, invoices and credit, scoped to the user first."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
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


def _ancestor_paths(region) -> list[str]:
    """``CN/330000/330100/`` → the paths of the region and every region above it."""
    parts = region.path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def authorized_line_ids(*, dealer, region=None, on: date | None = None) -> QuerySet:
    """The product lines the dealer may sell on ``on`` (today) in ``region`` (its home region): an
    authorisation without regions covers everywhere, one with regions covers their subtrees."""
    day = on or timezone.localdate()
    region = region or dealer.region
    covering = Q(regions__isnull=True) | Q(regions__path__in=_ancestor_paths(region))
    return DealerAuthorization.objects.filter(_valid_on("", day), covering, dealer=dealer).values("product_line_id")


def priced_products(*, dealer, on: date | None = None) -> QuerySet[Product]:
    """Products with the price this dealer pays, resolved in one place: the dealer's own price list,
    else its tier's, else the base price. Among several valid lists of a kind, the latest start wins."""
    day = on or timezone.localdate()
    items = PriceListItem.objects.filter(_valid_on("price_list__", day), product=OuterRef("pk")).order_by(
        "-price_list__valid_from", "-price_list_id"
    )
    dealer_price = Subquery(items.filter(price_list__dealer=dealer).values("price")[:1], output_field=MONEY)
    tier_price = Subquery(
        items.filter(price_list__kind=PriceList.Kind.TIER, price_list__tier=dealer.tier).values("price")[:1],
        output_field=MONEY,
    )
    return Product.objects.annotate(dealer_price=dealer_price, tier_price=tier_price).annotate(
        price=Coalesce("dealer_price", "tier_price", "base_price", output_field=MONEY),
        price_source=Case(
            When(dealer_price__isnull=False, then=Value("dealer")),
            When(tier_price__isnull=False, then=Value("tier")),
            default=Value("base"),
        ),
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


def order_list(*, user) -> QuerySet[Order]:
    if not signed_in(user):
        return Order.objects.none()
    return (
        Order.objects.filter(dealer_q(user, field="dealer"))
        .select_related("dealer", "dealer__region", "created_by")
        .annotate(line_count=Count("lines"))
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
        .select_related("dealer", "dealer__region", "created_by", "decided_by", "ship_to_region", "invoice")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product", "product__product_line").prefetch_related(
                    "reservations__warehouse"
                ),
            )
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


CREDIT_ORDER_STATUSES = (Order.Status.APPROVED, Order.Status.PENDING_APPROVAL)


def credit_position(*, dealer, exclude_order_id: int | None = None, day: date | None = None) -> CreditPosition:
    """Limit, what is owed and committed, and what is overdue, for one dealer (5 queries)."""
    return credit_positions(dealer_ids=[dealer.pk], exclude_order_id=exclude_order_id, day=day)[dealer.pk]


def credit_positions(
    *, dealer_ids, exclude_order_id: int | None = None, day: date | None = None
) -> dict[int, CreditPosition]:
    """Credit positions of many dealers at once, keyed by dealer id (5 queries, however many).
    ``exclude_order_id`` leaves one order out of the open orders: the one being checked."""
    day = day or timezone.localdate()
    ids = set(dealer_ids)
    if not ids:
        return {}

    def by_dealer(qs, total) -> dict:
        rows = qs.filter(dealer_id__in=ids).order_by().values("dealer_id").annotate(s=total)
        return {row["dealer_id"]: row["s"] for row in rows}

    limits = by_dealer(CreditAccount.objects, Sum("credit_limit"))
    unpaid = Invoice.objects.exclude(status=Invoice.Status.PAID)
    open_invoices = by_dealer(unpaid, Sum(F("gross_amount") - F("paid_amount")))
    open_orders = by_dealer(
        Order.objects.filter(status__in=CREDIT_ORDER_STATUSES).exclude(pk=exclude_order_id), Sum("gross_amount")
    )
    unallocated = by_dealer(Payment.objects, Sum("unallocated_amount"))
    overdue: dict[int, list[Invoice]] = {}
    for invoice in unpaid.filter(dealer_id__in=ids, due_on__lt=day).order_by("due_on", "id"):
        overdue.setdefault(invoice.dealer_id, []).append(invoice)
    return {
        pk: CreditPosition(
            dealer_id=pk,
            credit_limit=limits.get(pk) or ZERO,
            open_invoices=open_invoices.get(pk) or ZERO,
            open_orders=open_orders.get(pk) or ZERO,
            unallocated=unallocated.get(pk) or ZERO,
            overdue_amount=sum((i.outstanding for i in overdue.get(pk, [])), ZERO),
            oldest_overdue_days=max((i.days_overdue(day) for i in overdue.get(pk, [])), default=0),
            overdue_invoices=overdue.get(pk, []),
        )
        for pk in ids
    }


def dealers_with_orders(*, user):
    """Dealers the user may order for (HQ: in scope and trading)."""
    from dealers.models import Dealer

    if not signed_in(user):
        return Dealer.objects.none()
    return Dealer.objects.filter(dealer_q(user, field="pk"), status__in=["active", "probation"]).order_by("code")
