"""What the order pages show, shaped from the models and selectors: priced cart lines, totals, the
workflow as steps with their times, and why an order waits for approval. No writes."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from dms.money import ZERO
from dms.templatetags.money import cny
from orders import selectors, services
from orders.models import Order, Product

S = Order.Status

# Availability below this many packs is shown as low.
LOW_STOCK_PACKS = 10


def stock_state(available: int, pack_size: int) -> str:
    if available < max(pack_size, 1):
        return "out"
    return "low" if available < pack_size * LOW_STOCK_PACKS else "in"


@dataclass
class PricedLine:
    """A line as the dealer reads it: frozen prices once submitted, today's price while a draft."""

    product: Product
    quantity: int
    unit_price: Decimal | None
    vat_rate: Decimal
    gross: Decimal
    net: Decimal
    vat: Decimal
    available: int | None = None
    note: str = ""

    @property
    def orderable(self) -> bool:
        return self.unit_price is not None

    @property
    def short(self) -> bool:
        return self.available is not None and self.quantity > self.available


def draft_lines(*, user, order: Order) -> list[PricedLine]:
    """The lines of a draft at the prices and availability the user sees now, computed as submission will
    freeze them. A product the dealer can no longer order has no price."""
    lines = list(order.lines.select_related("product"))
    catalogue = selectors.product_list(user=user).in_bulk([line.product_id for line in lines])
    priced = []
    for line in lines:
        product = catalogue.get(line.product_id)
        if product is None:
            priced.append(PricedLine(line.product, line.quantity, None, line.product.vat_rate, ZERO, ZERO, ZERO))
            continue
        net, vat, gross = services.line_amounts(product.price, line.quantity, product.vat_rate)
        priced.append(
            PricedLine(
                product=product,
                quantity=line.quantity,
                unit_price=product.price,
                vat_rate=product.vat_rate,
                gross=gross,
                net=net,
                vat=vat,
                available=product.available,
            )
        )
    return priced


def frozen_lines(order: Order) -> list[PricedLine]:
    return [
        PricedLine(
            product=line.product,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            gross=line.gross_amount,
            net=line.net_amount,
            vat=line.vat_amount,
        )
        for line in order.lines.all()
    ]


def totals(lines: list[PricedLine]) -> dict:
    return {
        "net": sum((line.net for line in lines), Decimal("0.00")),
        "vat": sum((line.vat for line in lines), Decimal("0.00")),
        "gross": sum((line.gross for line in lines), Decimal("0.00")),
    }


def approval_reason_text(reason: dict) -> str:
    """Why an order waits for head office, in words a dealer reads."""
    code = reason.get("code")
    if code == "credit_limit":
        return _(
            "It would take you past your credit limit: the limit is %(limit)s, %(exposure)s is already in use "
            "and this order is %(amount)s."
        ) % {"limit": cny(reason["limit"]), "exposure": cny(reason["exposure"]), "amount": cny(reason["amount"])}
    if code == "overdue":
        return _("You have invoices overdue by up to %(days)s days (%(amount)s overdue).") % {
            "days": reason["days"],
            "amount": cny(reason["amount"]),
        }
    if code == "large_order":
        return _("Orders above %(threshold)s are checked by head office; this one is %(amount)s.") % {
            "threshold": cny(reason["threshold"]),
            "amount": cny(reason["amount"]),
        }
    return _("Head office checks this order before it is approved.")


@dataclass
class Step:
    status: str
    label: str
    time: datetime | None
    state: str  # done, current, waiting, upcoming or stopped


MAIN_STEPS = [
    (S.DRAFT, "created_at"),
    (S.SUBMITTED, "submitted_at"),
    (S.APPROVED, "decided_at"),
    (S.SHIPPED, "shipped_at"),
    (S.DELIVERED, "delivered_at"),
    (S.COMPLETED, "completed_at"),
]


def step_label(status: str) -> str:
    """The step's name: the status as the badge shows it."""
    return capfirst(S(status).label)


def status_steps(order: Order) -> list[Step]:
    """The workflow as steps with their times: the main path, a wait for approval or for the rest of a partly
    shipped order while it lasts, and
    rejection or cancellation as the last step when they happen."""
    steps = []
    for status, attribute in MAIN_STEPS:
        time = getattr(order, attribute)
        if status == S.APPROVED and order.status in (S.PENDING_APPROVAL, S.REJECTED, S.DRAFT):
            time = None  # decided_at then records a rejection, or nothing yet
        steps.append(Step(status, step_label(status), time, "done" if time else "upcoming"))
    reached = max(i for i, step in enumerate(steps) if step.state == "done")
    if order.status == S.PENDING_APPROVAL:
        waiting = Step(S.PENDING_APPROVAL, step_label(S.PENDING_APPROVAL), order.submitted_at, "waiting")
        steps.insert(reached + 1, waiting)
    elif order.status == S.PARTIALLY_SHIPPED:
        steps.insert(reached + 1, Step(S.PARTIALLY_SHIPPED, step_label(S.PARTIALLY_SHIPPED), None, "waiting"))
    elif order.status in (S.REJECTED, S.CANCELLED):
        when = order.decided_at if order.status == S.REJECTED else order.cancelled_at
        steps = [*steps[: reached + 1], Step(order.status, step_label(order.status), when, "stopped")]
    else:
        steps[reached].state = "current"
    return steps
