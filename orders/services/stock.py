"""Stock levels: receipts and write-offs, counted quantities imported from the warehouse system, and
the reservations an order holds from submission until it ships or is released."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts.models import User
from dms.compiled import CompiledQuery
from dms.errors import DomainError, RuleViolation
from dms.scoping import actor_or_none
from orders import verbs
from orders.models import Order, OrderLine, Product, Reservation, StockLevel, StockMovement, Warehouse
from orders.services.common import require, required_reason, write_back

# The largest count one stock level holds.
MAX_STOCK = 2_000_000_000
# The most one stock adjustment may change, whichever door it comes through.
MAX_ADJUSTMENT = 1_000_000


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    message = _("Not enough stock for some lines: the order stays a draft.")
    status_code = 409


def _warehouse_rank(default_id):
    """The split rule: the dealer's default warehouse first, then active warehouses by priority and code."""

    def rank(level: StockLevel):
        return (level.warehouse_id != default_id, level.warehouse.priority, level.warehouse.code)

    return rank


def _levels_to_reserve(*, product_ids: list[int]):
    return (
        StockLevel.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .filter(product_id__in=product_ids, warehouse__is_active=True)
        .order_by("product_id", "warehouse_id")
    )


# Every order submitted runs it.
_LEVELS_TO_RESERVE = CompiledQuery(_levels_to_reserve)


def reserve(
    *, actor: User | None, order: Order, lines: list[OrderLine], default_warehouse_id
) -> dict[int, list[Reservation]]:
    """Reserve every line or nothing; returns the reservations by line id. Stock rows are locked in
    (product, warehouse) order and written back in one statement; the table's constraints would refuse an
    oversell regardless."""
    levels = _LEVELS_TO_RESERVE(product_ids=sorted({line.product_id for line in lines}))
    by_product: dict[int, list[StockLevel]] = {}
    for level in levels:
        by_product.setdefault(level.product_id, []).append(level)
    plan, shortages = [], []
    for line in lines:
        remaining = line.quantity
        for level in sorted(by_product.get(line.product_id, []), key=_warehouse_rank(default_warehouse_id)):
            take = min(level.available, remaining)
            if take > 0:
                plan.append((line, level, take))
                remaining -= take
            if not remaining:
                break
        if remaining:
            available = sum(max(level.available, 0) for level in by_product.get(line.product_id, []))
            shortages.append(
                {
                    "product": line.product_id,
                    "sku": line.product.sku,
                    "requested": line.quantity,
                    "available": available,
                }
            )
    if shortages:
        raise InsufficientStock(data={"lines": shortages})
    for _line, level, take in plan:
        level.reserved += take
    # Locked rows, so the new counts are exact; the stock constraints still refuse a count past what is on hand.
    write_back([level for _line, level, _take in plan], ["reserved", "updated_at"])
    reservations = Reservation.objects.bulk_create(
        [Reservation(line=line, warehouse=level.warehouse, quantity=take) for line, level, take in plan]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                warehouse_id=level.warehouse_id,
                product_id=line.product_id,
                kind=StockMovement.Kind.RESERVE,
                reserved_delta=take,
                order=order,
                actor=actor_or_none(actor),
            )
            for line, level, take in plan
        ]
    )
    by_line: dict[int, list[Reservation]] = {}
    for reservation in reservations:
        by_line.setdefault(reservation.line_id, []).append(reservation)
    return by_line


def release(*, actor: User | None, order: Order) -> None:
    """Give back every reservation of the order."""
    reservations = list(
        Reservation.objects.filter(line__order=order)
        .select_related("line")
        .order_by("line__product_id", "warehouse_id")
    )
    if not reservations:
        return
    keys = [(r.line.product_id, r.warehouse_id) for r in reservations]
    levels = {
        (lvl.product_id, lvl.warehouse_id): lvl
        for lvl in StockLevel.objects.select_for_update()
        .filter(product_id__in={k[0] for k in keys}, warehouse_id__in={k[1] for k in keys})
        .order_by("product_id", "warehouse_id")
    }
    movements = []
    for reservation, key in zip(reservations, keys, strict=True):
        quantity = reservation.quantity
        StockLevel.objects.filter(pk=levels[key].pk).update(
            reserved=F("reserved") - quantity, updated_at=timezone.now()
        )
        movements.append(
            StockMovement(
                warehouse_id=reservation.warehouse_id,
                product_id=reservation.line.product_id,
                kind=StockMovement.Kind.RELEASE,
                reserved_delta=-quantity,
                order=order,
                actor=actor_or_none(actor),
            )
        )
    StockMovement.objects.bulk_create(movements)
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()


def stock_issue_free(
    *, actor: User | None, order: Order, warehouse_id: int, quantities: dict[int, int], reason: str
) -> None:
    """Take goods sent again for an order (a replacement for goods lost or damaged on the way) out of a
    warehouse's free stock: not from the order's reservation, which has shipped, and never below what other
    orders hold reserved. Raises ``InsufficientStock`` with the short products."""
    require(actor, "ship_order")
    now = timezone.now()
    short = []
    for product_id, quantity in sorted(quantities.items()):
        taken = StockLevel.objects.filter(
            warehouse_id=warehouse_id, product_id=product_id, on_hand__gte=F("reserved") + quantity
        ).update(on_hand=F("on_hand") - quantity, updated_at=now)
        if not taken:
            short.append({"product": product_id, "quantity": quantity})
    if short:
        raise InsufficientStock(_("Not enough free stock in the warehouse for the replacement."), data={"lines": short})
    StockMovement.objects.bulk_create(
        StockMovement(
            warehouse_id=warehouse_id,
            product_id=product_id,
            kind=StockMovement.Kind.SHIP,
            on_hand_delta=-quantity,
            order=order,
            reason=reason,
            actor=actor_or_none(actor),
        )
        for product_id, quantity in quantities.items()
    )


def stock_adjust(
    *, actor: User, warehouse: Warehouse, product: Product, delta: int, reason: str, kind=None
) -> StockLevel:
    """Receive (positive) or write off (negative) stock, with a reason. On hand can never drop
    below what is reserved for orders."""
    require(actor, "adjust_stock")
    reason = required_reason(reason)
    if not delta:
        raise RuleViolation(_("The change cannot be zero."), code="invalid_delta", field="delta")
    kind = kind or (StockMovement.Kind.RECEIPT if delta > 0 else StockMovement.Kind.ADJUSTMENT)
    if abs(delta) > MAX_ADJUSTMENT:
        raise RuleViolation(
            _("One adjustment can change at most %(max)s units.") % {"max": f"{MAX_ADJUSTMENT:,}"},
            code="invalid_delta",
            field="delta",
        )
    with transaction.atomic():
        level, _created = StockLevel.objects.get_or_create(warehouse=warehouse, product=product)
        updated = StockLevel.objects.filter(
            pk=level.pk, on_hand__gte=F("reserved") - delta, on_hand__lte=MAX_STOCK - delta
        ).update(on_hand=F("on_hand") + delta, updated_at=timezone.now())
        if not updated and delta > 0:
            raise RuleViolation(
                _("A warehouse cannot hold more than %(max)s units of one product.") % {"max": f"{MAX_STOCK:,}"},
                code="stock_too_large",
                field="delta",
            )
        if not updated:
            level.refresh_from_db()
            raise RuleViolation(
                _("Only %(free)s units are free to remove; the rest is reserved for orders.")
                % {"free": max(level.available, 0)},
                code="stock_below_reserved",
                field="delta",
                data={"on_hand": level.on_hand, "reserved": level.reserved},
            )
        StockMovement.objects.create(
            warehouse=warehouse,
            product=product,
            kind=kind,
            on_hand_delta=delta,
            reason=reason,
            actor=actor_or_none(actor),
        )
        level.refresh_from_db()
        events.record(
            actor=actor,
            verb=verbs.STOCK_ADJUSTED.code,
            target=level,
            dealer_id=None,
            data={"delta": delta, "reason": reason, "on_hand": level.on_hand},
        )
    return level


def stock_set_counts(*, actor: User, counts: list[tuple[Warehouse, Product, int]], reason: str) -> int:
    """Set counted on-hand quantities (an import from the warehouse system): all rows or none.
    Returns the number of levels that changed."""
    require(actor, "adjust_stock")
    reason = required_reason(reason)
    changed = 0
    with transaction.atomic():
        for warehouse, product, on_hand in sorted(counts, key=lambda c: (c[1].pk, c[0].pk)):
            level, _created = StockLevel.objects.select_for_update().get_or_create(warehouse=warehouse, product=product)
            delta = on_hand - level.on_hand
            if not delta:
                continue
            if on_hand > MAX_STOCK:
                raise RuleViolation(
                    _("A warehouse cannot hold more than %(max)s units of one product.") % {"max": f"{MAX_STOCK:,}"},
                    code="stock_too_large",
                )
            if on_hand < level.reserved:
                raise RuleViolation(
                    _("%(sku)s in %(warehouse)s: %(reserved)s units are reserved, more than the count %(count)s.")
                    % {"sku": product.sku, "warehouse": warehouse.code, "reserved": level.reserved, "count": on_hand},
                    code="stock_below_reserved",
                )
            StockLevel.objects.filter(pk=level.pk).update(on_hand=on_hand, updated_at=timezone.now())
            StockMovement.objects.create(
                warehouse=warehouse,
                product=product,
                kind=StockMovement.Kind.IMPORT,
                on_hand_delta=delta,
                reason=reason,
                actor=actor_or_none(actor),
            )
            changed += 1
        warehouses = {w.pk: w for w, _p, _c in counts}
        for warehouse in warehouses.values():
            events.record(
                actor=actor,
                verb=verbs.STOCK_IMPORTED.code,
                target=warehouse,
                dealer_id=None,
                data={"rows": len(counts), "changed": changed, "reason": reason},
            )
    return changed
