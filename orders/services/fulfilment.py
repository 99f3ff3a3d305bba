"""Shipping an order in parts: stock leaves one warehouse, what left is invoiced, and the order's status follows
what has shipped and been delivered. Shipments (the logistics app) call these; the order's own ``ship`` and
``deliver`` actions go through the shipping that app registers, so an order always ships as shipments."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms import events
from dms.accounts.models import User
from dms.errors import RuleViolation
from dms.money import ZERO
from dms.scoping import actor_or_none
from orders import verbs
from orders.models import Invoice, Order, OrderLine, Reservation, StockLevel, StockMovement
from orders.services.common import lock_account, require, require_dealer_access
from orders.services.ledger import issue_invoice
from orders.services.orders import _lock, complete_if_settled, line_amounts, order_move

S = Order.Status
SHIPPABLE = (S.APPROVED, S.PARTIALLY_SHIPPED)


def order_fulfil(*, actor: User | None, order: Order, warehouse_id: int, quantities: dict[int, int]) -> Invoice:
    """Ship ``quantities`` (by order line id) from one warehouse: that much of the lines' reservations there
    leaves the stock, the shipped quantities are invoiced (the last part of a line takes the rounding, so the
    invoices of an order add up to it), and the order is partly shipped or shipped. Raises when a quantity is
    more than the line holds reserved in that warehouse."""
    require(actor, "ship_order")
    locked = _lock(order)
    require_dealer_access(actor, locked.dealer_id)
    if locked.status not in SHIPPABLE:
        order_move(locked, S.SHIPPED)  # raises InvalidTransition with the order's status in words
    quantities = {line_id: quantity for line_id, quantity in quantities.items() if quantity}
    lines = {
        line.pk: line for line in OrderLine.objects.filter(order=locked, pk__in=quantities).select_related("product")
    }
    reservations = {
        r.line_id: r
        for r in Reservation.objects.select_for_update().filter(line_id__in=quantities, warehouse_id=warehouse_id)
    }
    for line_id, quantity in quantities.items():
        held = reservations[line_id].quantity if line_id in reservations else 0
        if line_id not in lines or quantity < 0 or quantity > held:
            raise RuleViolation(
                _("More than the order holds reserved in this warehouse."),
                code="not_reserved",
                data={"line": line_id, "quantity": quantity, "reserved": held},
            )
    lock_account(locked.dealer)
    product_ids = sorted(lines[line_id].product_id for line_id in quantities)
    levels = {
        level.product_id: level
        for level in StockLevel.objects.select_for_update()
        .filter(warehouse_id=warehouse_id, product_id__in=product_ids)
        .order_by("product_id")
    }
    now = timezone.now()
    net = vat = gross = ZERO
    movements = []
    for line_id, quantity in sorted(quantities.items(), key=lambda item: lines[item[0]].product_id):
        line, reservation = lines[line_id], reservations[line_id]
        before = line_amounts(line.unit_price, line.shipped_quantity, line.vat_rate)
        after = line_amounts(line.unit_price, line.shipped_quantity + quantity, line.vat_rate)
        net, vat, gross = net + after[0] - before[0], vat + after[1] - before[1], gross + after[2] - before[2]
        line.shipped_quantity += quantity
        if quantity == reservation.quantity:
            reservation.delete()
        else:
            Reservation.objects.filter(pk=reservation.pk).update(quantity=F("quantity") - quantity)
        StockLevel.objects.filter(pk=levels[line.product_id].pk).update(
            reserved=F("reserved") - quantity, on_hand=F("on_hand") - quantity, updated_at=now
        )
        movements.append(
            StockMovement(
                warehouse_id=warehouse_id,
                product_id=line.product_id,
                kind=StockMovement.Kind.SHIP,
                reserved_delta=-quantity,
                on_hand_delta=-quantity,
                order=locked,
                actor=actor_or_none(actor),
            )
        )
    StockMovement.objects.bulk_create(movements)
    OrderLine.objects.bulk_update(list(lines.values()), ["shipped_quantity"])
    everything = not OrderLine.objects.filter(order=locked, shipped_quantity__lt=F("quantity")).exists()
    if everything:
        order_move(locked, S.SHIPPED)
        locked.shipped_at = now
    elif locked.status != S.PARTIALLY_SHIPPED:
        order_move(locked, S.PARTIALLY_SHIPPED)
    locked.save()
    invoice = issue_invoice(actor=actor, order=locked, amounts=(net, vat, gross))
    events.record(
        actor=actor,
        verb=(verbs.ORDER_SHIPPED if everything else verbs.ORDER_PARTIALLY_SHIPPED).code,
        target=locked,
        data={"invoice": invoice.number},
    )
    order.status, order.shipped_at = locked.status, locked.shipped_at
    return invoice


def order_delivered(*, actor: User | None, order: Order) -> Order:
    """Everything of a shipped order has arrived: it is delivered, and complete if its invoices are paid. The
    caller (the last shipment's delivery) has checked who may record it."""
    locked = _lock(order)
    order_move(locked, S.DELIVERED)
    locked.delivered_at = timezone.now()
    locked.save()
    events.record(actor=actor, verb=verbs.ORDER_DELIVERED.code, target=locked)
    complete_if_settled(locked)
    return locked


@dataclass(frozen=True)
class Shipping:
    """How the rest of an order ships in one go and how all of it is confirmed delivered."""

    ship_rest: Callable[..., Order]
    deliver_all: Callable[..., Order]


_shipping: list[Shipping] = []


def register_shipping(shipping: Shipping) -> None:
    """The logistics app tells the orders app how its shipments ship and deliver an order."""
    _shipping[:] = [shipping]


def order_ship(*, actor: User, order: Order) -> Order:
    """Ship everything of an approved order that has not shipped yet: one shipment per warehouse holding it."""
    return _shipping[0].ship_rest(actor=actor, order=order)


def order_deliver(*, actor: User, order: Order) -> Order:
    """Confirm delivery of everything shipped: the dealer signs for its own order, or the order desk records it."""
    return _shipping[0].deliver_all(actor=actor, order=order)
