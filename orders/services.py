"""Every change to orders, stock, invoices, payments and credit. One transaction each; an event for each.

Lock order, everywhere: order row → dealer's credit account → stock levels (by product, then
warehouse) → invoices and payments (oldest first). Following one order means two transactions
can wait for each other but never deadlock. The one exception: recording a payment locks, after
the account, the shipped or delivered orders whose invoices it paid; those orders are never the
ones a shipment (which locks an approved order, then the account) is waiting on.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dms import events
from dms.errors import DomainError, InvalidTransition, PermissionDeniedError, ReasonRequired, RuleViolation
from dms.money import ZERO, as_money
from dms.numbers import next_number
from dms.scoping import actor_or_none, dealer_q, signed_in, visible_dealers
from orders import selectors, verbs
from orders.models import (
    CreditAccount,
    DealerAuthorization,
    Invoice,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    PriceList,
    PriceListItem,
    Product,
    ProductLine,
    Reservation,
    StockLevel,
    StockMovement,
    Warehouse,
)

S = Order.Status

# The only moves an order's status can make. ``submitted`` is passed through inside the submission
# transaction on the way to approved or pending approval; pending → draft is the system releasing
# an order that waited too long.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.PENDING_APPROVAL, S.CANCELLED}),
    S.PENDING_APPROVAL: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED, S.DRAFT}),
    S.APPROVED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.REJECTED: frozenset(),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
TRADING = (Dealer.Status.ACTIVE, Dealer.Status.PROBATION)
MAX_LINES = 200
MAX_QUANTITY = 1_000_000
# The largest amount a money column holds (14 digits, 2 of them decimals) and the largest stock count.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_STOCK = 2_000_000_000
# The most one stock adjustment may change, whichever door it comes through.
MAX_ADJUSTMENT = 1_000_000
NOT_AUTHORIZED = _("The dealer is not authorised to sell this product line here.")


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    message = _("Not enough stock for some lines: the order stays a draft.")
    status_code = 409


class CreditOverrideRequired(PermissionDeniedError):
    code = "credit_override_required"
    message = _(
        "This order is past the dealer's credit limit or the dealer is overdue: "
        "approving it needs the credit override permission."
    )


class PaymentReferenceTaken(DomainError):
    code = "payment_reference_taken"
    message = _("A payment with this reference is already recorded for this dealer.")
    status_code = 409


def line_amounts(unit_price: Decimal, quantity: int, vat_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) of a line at a tax-inclusive unit price: the gross is rounded to the cent first,
    the VAT is split out of it."""
    gross = as_money(unit_price * quantity)
    net = as_money(gross / (1 + vat_rate))
    return net, gross - net, gross


def can(user, codename: str) -> bool:
    """A head-office permission of this app; HQ administrators hold them all, ``None`` is the system."""
    if user is None:
        return True
    if not (signed_in(user) and user.is_hq):
        return False
    return user.is_hq_admin or user.has_perm(f"orders.{codename}")


def _require(user, codename: str) -> None:
    if not can(user, codename):
        raise PermissionDeniedError()


def _require_dealer_access(actor, dealer_id: int) -> None:
    """The actor must see the dealer: its own users, or HQ with the dealer in their territory."""
    if actor is None:
        return
    if not Dealer.objects.filter(dealer_q(actor, field="pk"), pk=dealer_id).exists():
        raise PermissionDeniedError()


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason


def _dealer_admins(dealer: Dealer) -> list[int]:
    return list(dealer.users.filter(role="dealer_admin", is_active=True).values_list("pk", flat=True))


def _people_to_tell(order: Order) -> list[int]:
    """The dealer's administrators, whoever created the order, and the dealer's owner at HQ."""
    ids = _dealer_admins(order.dealer)
    if order.created_by_id:
        ids.append(order.created_by_id)
    if order.dealer.owner_id:
        ids.append(order.dealer.owner_id)
    return ids


def _move(order: Order, target: str) -> None:
    """The one place an order's status is assigned, checked against ``TRANSITIONS``."""
    if target not in TRANSITIONS[order.status]:
        raise InvalidTransition(current=order.get_status_display(), target=S(target).label)
    order.status = target


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("dealer", "ship_to_region").get(pk=order.pk)


def _lock_account(dealer: Dealer) -> CreditAccount:
    try:
        return CreditAccount.objects.select_for_update().get(dealer=dealer)
    except CreditAccount.DoesNotExist:
        CreditAccount.objects.get_or_create(dealer=dealer)
        return CreditAccount.objects.select_for_update().get(dealer=dealer)


# Draft orders ----------------------------------------------------------------------------------


@dataclass
class LineProblem:
    product: Product
    code: str
    message: str

    def as_data(self) -> dict:
        return {"product": self.product.pk, "sku": self.product.sku, "code": self.code, "message": str(self.message)}


def line_problem(product: Product, quantity: int, *, authorized: bool) -> LineProblem | None:
    """Why this quantity of this product cannot be ordered, or None. ``authorized``: whether the
    dealer may sell the product's line where the order goes."""
    if not product.is_active:
        return LineProblem(product, "product_inactive", _("This product is no longer sold."))
    if not authorized:
        return LineProblem(product, "not_authorized", NOT_AUTHORIZED)
    if quantity < 1 or quantity > MAX_QUANTITY:
        return LineProblem(
            product, "invalid_quantity", _("Enter a quantity from 1 to %(max)s.") % {"max": f"{MAX_QUANTITY:,}"}
        )
    if quantity % product.pack_size:
        return LineProblem(product, "pack_multiple", _("Order in multiples of %(pack)s.") % {"pack": product.pack_size})
    return None


def _line_problems(*, dealer: Dealer, items: list[tuple[Product, int]], region) -> list[LineProblem]:
    """Why each product/quantity could not be ordered by the dealer now (empty when all can)."""
    authorized = set(
        selectors.authorized_line_ids(dealer=dealer, region=region).values_list("product_line_id", flat=True)
    )
    problems = (
        line_problem(product, quantity, authorized=product.product_line_id in authorized) for product, quantity in items
    )
    return [problem for problem in problems if problem is not None]


def _raise_line_problems(problems: list[LineProblem]) -> None:
    if problems:
        first = problems[0]
        message = (
            f"{first.product.sku}: {first.message}"
            if len(problems) == 1
            else _("%(count)s lines cannot be ordered; the first, %(sku)s: %(message)s")
            % {"count": len(problems), "sku": first.product.sku, "message": first.message}
        )
        raise RuleViolation(message, code=first.code, field="lines", data={"lines": [p.as_data() for p in problems]})


def _merge(lines) -> list[tuple[Product, int]]:
    """``[{"product": Product|id, "quantity": n}]`` → one (product, total) per product, in first-seen order."""
    wanted: dict[int, int] = {}
    for line in lines:
        product = line["product"]
        pk = product.pk if isinstance(product, Product) else int(product)
        quantity = int(line["quantity"])
        wanted[pk] = wanted.get(pk, 0) + quantity
    if len(wanted) > MAX_LINES:
        raise RuleViolation(
            _("An order can have at most %(n)s lines.") % {"n": MAX_LINES}, code="too_many_lines", field="lines"
        )
    products = Product.objects.in_bulk(list(wanted))
    missing = [pk for pk in wanted if pk not in products]
    if missing:
        raise RuleViolation(_("Unknown product."), code="unknown_product", field="lines", data={"products": missing})
    return [(products[pk], quantity) for pk, quantity in wanted.items()]


def _write_lines(order: Order, items: list[tuple[Product, int]], *, replace: bool = True) -> None:
    if replace:
        order.lines.all().delete()
    OrderLine.objects.bulk_create([OrderLine(order=order, product=p, quantity=q) for p, q in items])


def _check_can_order(actor, dealer: Dealer) -> None:
    if actor is None:
        return
    if actor.is_dealer_user:
        if actor.dealer_id != dealer.pk:
            raise PermissionDeniedError()
        return
    _require_dealer_access(actor, dealer.pk)


def order_create(
    *,
    actor,
    dealer: Dealer,
    lines=(),
    ship_to_address: str = "",
    ship_to_region=None,
    requested_delivery_date=None,
    note: str = "",
    copied_from: Order | None = None,
) -> Order:
    """Start a draft for the dealer (a dealer user for their own, HQ for a dealer in its territory)."""
    _check_can_order(actor, dealer)
    if dealer.status not in TRADING:
        raise RuleViolation(_("This dealer cannot order in its current status."), code="dealer_not_trading")
    items = _merge(lines)
    region = ship_to_region or dealer.region
    _raise_line_problems(_line_problems(dealer=dealer, items=items, region=region))
    _check_delivery_date(requested_delivery_date)
    with transaction.atomic():
        order = Order.objects.create(
            number=next_number("SO"),
            dealer=dealer,
            created_by=actor,
            copied_from=copied_from,
            ship_to_address=(ship_to_address or dealer.address or "").strip()[:300],
            ship_to_region=region,
            requested_delivery_date=requested_delivery_date,
            note=(note or "").strip(),
        )
        _write_lines(order, items, replace=False)
        events.record(
            actor=actor,
            verb=verbs.ORDER_CREATED.code,
            target=order,
            data={"lines": len(items), "copied_from": copied_from.number if copied_from else None},
        )
    return order


def _check_delivery_date(day) -> None:
    if day is not None and day < timezone.localdate():
        raise RuleViolation(
            _("The requested delivery date cannot be in the past."),
            code="delivery_date_past",
            field="requested_delivery_date",
        )


def _locked_draft(actor, order: Order) -> Order:
    locked = _lock(order)
    _check_can_order(actor, locked.dealer)
    if locked.status != S.DRAFT:
        raise RuleViolation(_("Only a draft order can be changed."), code="order_not_draft")
    return locked


def order_update(*, actor, order: Order, lines=None, **fields) -> Order:
    """Change a draft: replace its lines and/or its delivery details."""
    allowed = {"ship_to_address", "ship_to_region", "requested_delivery_date", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise RuleViolation(code="unknown_field", data={"fields": sorted(unknown)})
    if "requested_delivery_date" in fields:
        _check_delivery_date(fields["requested_delivery_date"])
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if "ship_to_region" in fields and fields["ship_to_region"] is None:
            locked.ship_to_region = locked.dealer.region
        locked.save()
        if lines is not None:
            items = _merge(lines)
            _raise_line_problems(_line_problems(dealer=locked.dealer, items=items, region=locked.ship_to_region))
            _write_lines(locked, items)
        events.record(actor=actor, verb=verbs.ORDER_CHANGED.code, target=locked, data={"fields": sorted(fields)})
    return locked


def order_add_line(*, actor, order: Order, product: Product, quantity: int) -> Order:
    """Add units of a product to a draft (the cart), on top of what it already holds."""
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        current = {line.product_id: line.quantity for line in locked.lines.all()}
        items = [{"product": pk, "quantity": q} for pk, q in current.items()]
        items.append({"product": product, "quantity": quantity})
        return order_update(actor=actor, order=locked, lines=items)


def order_add_lines(*, actor, order: Order, lines) -> Order:
    """Add several products to a draft at once (a pasted or uploaded list): all of them or none."""
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        items = [{"product": line.product_id, "quantity": line.quantity} for line in locked.lines.all()]
        return order_update(actor=actor, order=locked, lines=[*items, *lines])


def order_remove_line(*, actor, order: Order, product_id: int) -> Order:
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        items = [{"product": line.product_id, "quantity": line.quantity} for line in locked.lines.all()]
        return order_update(actor=actor, order=locked, lines=[i for i in items if i["product"] != product_id])


def order_set_quantity(*, actor, order: Order, product_id: int, quantity: int) -> Order:
    """Change how many units of a product a draft holds; zero removes the line."""
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        items = [
            {"product": line.product_id, "quantity": quantity if line.product_id == product_id else line.quantity}
            for line in locked.lines.all()
            if quantity or line.product_id != product_id
        ]
        return order_update(actor=actor, order=locked, lines=items)


def order_copy(*, actor, order: Order) -> tuple[Order, list[LineProblem]]:
    """Reorder: a new draft with the lines of ``order`` that can still be ordered. Nothing is
    reserved or approved here; the copy is submitted like any other draft."""
    dealer = order.dealer
    items = [(line.product, line.quantity) for line in order.lines.select_related("product")]
    problems = _line_problems(dealer=dealer, items=items, region=order.ship_to_region or dealer.region)
    skipped = {p.product.pk for p in problems}
    copy = order_create(
        actor=actor,
        dealer=dealer,
        lines=[{"product": p, "quantity": q} for p, q in items if p.pk not in skipped],
        ship_to_address=order.ship_to_address,
        ship_to_region=order.ship_to_region,
        note=order.note,
        copied_from=order,
    )
    return copy, problems


# Submission: prices, stock, credit -------------------------------------------------------------


def _freeze_prices(order: Order, lines: list[OrderLine]) -> None:
    prices = dict(
        selectors.priced_products(dealer=order.dealer)
        .filter(pk__in=[line.product_id for line in lines])
        .values_list("pk", "price")
    )
    net_total = vat_total = gross_total = ZERO
    for line in lines:
        line.unit_price = prices[line.product_id]
        line.vat_rate = line.product.vat_rate
        line.net_amount, line.vat_amount, line.gross_amount = line_amounts(
            line.unit_price, line.quantity, line.vat_rate
        )
        net_total += line.net_amount
        vat_total += line.vat_amount
        gross_total += line.gross_amount
    if gross_total > MAX_AMOUNT:
        raise RuleViolation(
            _("The order is too large to record: split it into several orders."), code="order_too_large", field="lines"
        )
    OrderLine.objects.bulk_update(lines, ["unit_price", "vat_rate", "net_amount", "vat_amount", "gross_amount"])
    order.net_amount, order.vat_amount, order.gross_amount = net_total, vat_total, gross_total


def _warehouse_rank(default_id):
    """The split rule: the dealer's default warehouse first, then active warehouses by priority and code."""

    def rank(level: StockLevel):
        return (level.warehouse_id != default_id, level.warehouse.priority, level.warehouse.code)

    return rank


def _reserve(*, actor, order: Order, lines: list[OrderLine], default_warehouse_id) -> None:
    """Reserve every line or nothing. Stock rows are locked in (product, warehouse) order; the
    update is conditional and the table's constraints would refuse an oversell regardless."""
    product_ids = sorted({line.product_id for line in lines})
    levels = list(
        StockLevel.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .filter(product_id__in=product_ids, warehouse__is_active=True)
        .order_by("product_id", "warehouse_id")
    )
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
    reservations, movements = [], []
    for line, level, take in plan:
        updated = StockLevel.objects.filter(pk=level.pk, on_hand__gte=F("reserved") + take).update(
            reserved=F("reserved") + take, updated_at=timezone.now()
        )
        if updated != 1:  # cannot happen under the row lock; refuse rather than oversell
            raise InsufficientStock(data={"lines": [{"product": line.product_id, "sku": line.product.sku}]})
        reservations.append(Reservation(line=line, warehouse_id=level.warehouse_id, quantity=take))
        movements.append(
            StockMovement(
                warehouse_id=level.warehouse_id,
                product_id=line.product_id,
                kind=StockMovement.Kind.RESERVE,
                reserved_delta=take,
                order=order,
                actor=actor_or_none(actor),
            )
        )
    Reservation.objects.bulk_create(reservations)
    StockMovement.objects.bulk_create(movements)


def _release(*, actor, order: Order, kind: str = StockMovement.Kind.RELEASE) -> None:
    """Give back (or, when shipping, consume) every reservation of the order."""
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
    shipping = kind == StockMovement.Kind.SHIP
    movements = []
    for reservation, key in zip(reservations, keys, strict=True):
        quantity = reservation.quantity
        change = {"reserved": F("reserved") - quantity, "updated_at": timezone.now()}
        if shipping:
            change["on_hand"] = F("on_hand") - quantity
        StockLevel.objects.filter(pk=levels[key].pk).update(**change)
        movements.append(
            StockMovement(
                warehouse_id=reservation.warehouse_id,
                product_id=reservation.line.product_id,
                kind=kind,
                reserved_delta=-quantity,
                on_hand_delta=-quantity if shipping else 0,
                order=order,
                actor=actor_or_none(actor),
            )
        )
    StockMovement.objects.bulk_create(movements)
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()


def credit_reasons(*, dealer: Dealer, amount: Decimal, exclude_order_id=None) -> list[dict]:
    """Why an order of ``amount`` needs head office's approval; empty when it may pass at once.
    Call it with the dealer's credit account locked."""
    position = selectors.credit_position(dealer=dealer, exclude_order_id=exclude_order_id)
    reasons = []
    if position.exposure + amount > position.credit_limit:
        reasons.append(
            {
                "code": "credit_limit",
                "limit": str(position.credit_limit),
                "exposure": str(position.exposure),
                "amount": str(amount),
            }
        )
    if position.oldest_overdue_days > settings.DMS_CREDIT_OVERDUE_DAYS:
        reasons.append(
            {
                "code": "overdue",
                "days": position.oldest_overdue_days,
                "amount": str(position.overdue_amount),
            }
        )
    if amount > settings.DMS_ORDER_APPROVAL_AMOUNT:
        threshold = str(settings.DMS_ORDER_APPROVAL_AMOUNT)
        reasons.append({"code": "large_order", "amount": str(amount), "threshold": threshold})
    return reasons


CREDIT_BLOCKS = frozenset({"credit_limit", "overdue"})


def order_submit(*, actor, order: Order) -> Order:
    """Submit a draft: check it, freeze prices, reserve stock, check credit under the dealer's lock.
    Ends approved, or pending approval with its reasons; any failure leaves the draft untouched."""
    with transaction.atomic():
        locked = _lock(order)
        _check_can_order(actor, locked.dealer)
        if locked.status != S.DRAFT:
            raise InvalidTransition(current=locked.get_status_display(), target=S.SUBMITTED.label)
        dealer = locked.dealer
        if dealer.status not in TRADING:
            raise RuleViolation(_("This dealer cannot order in its current status."), code="dealer_not_trading")
        lines = list(locked.lines.select_related("product").order_by("product_id"))
        if not lines:
            raise RuleViolation(_("Add at least one product before submitting."), code="order_empty", field="lines")
        _raise_line_problems(
            _line_problems(
                dealer=dealer,
                items=[(line.product, line.quantity) for line in lines],
                region=locked.ship_to_region or dealer.region,
            )
        )
        _freeze_prices(locked, lines)
        account = _lock_account(dealer)
        _reserve(actor=actor, order=locked, lines=lines, default_warehouse_id=account.default_warehouse_id)
        reasons = credit_reasons(dealer=dealer, amount=locked.gross_amount, exclude_order_id=locked.pk)
        _move(locked, S.SUBMITTED)
        events.record(
            actor=actor,
            verb=verbs.ORDER_SUBMITTED.code,
            target=locked,
            data={"amount": str(locked.gross_amount), "lines": len(lines)},
        )
        locked.submitted_at = timezone.now()
        locked.approval_reasons = reasons
        locked.decided_by = None
        locked.decided_at = None
        locked.decision_reason = ""
        locked.credit_override = False
        if reasons:
            _move(locked, S.PENDING_APPROVAL)
        else:
            _move(locked, S.APPROVED)
            locked.decided_at = locked.submitted_at
        locked.save()
        if reasons:
            events.record(
                actor=None,
                verb=verbs.ORDER_PENDING.code,
                target=locked,
                data={"reasons": [r["code"] for r in reasons]},
                notify=_approvers(dealer),
            )
        else:
            events.record(actor=None, verb=verbs.ORDER_APPROVED.code, target=locked, data={"automatic": True})
    return locked


def _approvers(dealer: Dealer) -> list[int]:
    """Who is told that an order waits: the dealer's owner, or the HQ administrators when it has none."""
    if dealer.owner_id:
        return [dealer.owner_id]
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(role="hq_admin", is_active=True).values_list("pk", flat=True))


def order_approve(*, actor, order: Order, reason: str = "") -> Order:
    """Approve an order waiting for approval. Past the credit limit or with overdue invoices (checked
    again now, under the lock) it needs the credit-override permission and a written reason."""
    _require(actor, "approve_order")
    with transaction.atomic():
        locked = _lock(order)
        _require_dealer_access(actor, locked.dealer_id)
        if locked.status != S.PENDING_APPROVAL:
            raise InvalidTransition(current=locked.get_status_display(), target=S.APPROVED.label)
        _lock_account(locked.dealer)
        reasons = credit_reasons(dealer=locked.dealer, amount=locked.gross_amount, exclude_order_id=locked.pk)
        blocked = [r["code"] for r in reasons if r["code"] in CREDIT_BLOCKS]
        if blocked:
            if not can(actor, "approve_credit_override"):
                raise CreditOverrideRequired(data={"reasons": blocked})
            reason = _reason(reason)
        _move(locked, S.APPROVED)
        locked.approval_reasons = reasons
        locked.credit_override = bool(blocked)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = (reason or "").strip()
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.ORDER_APPROVED.code,
            target=locked,
            data={"reason": locked.decision_reason, "credit_override": locked.credit_override},
            notify=_people_to_tell(locked),
        )
    return locked


def order_reject(*, actor, order: Order, reason: str) -> Order:
    _require(actor, "approve_order")
    reason = _reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        _require_dealer_access(actor, locked.dealer_id)
        _move(locked, S.REJECTED)
        _release(actor=actor, order=locked)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.ORDER_REJECTED.code,
            target=locked,
            data={"reason": reason},
            notify=_people_to_tell(locked),
        )
    return locked


def order_cancel(*, actor, order: Order, reason: str) -> Order:
    """Cancel before shipping: releases stock and the credit the order held. Dealers may cancel
    their drafts and orders waiting for approval; the order desk may also cancel approved ones."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        if actor is not None and actor.is_dealer_user:
            _check_can_order(actor, locked.dealer)
            if locked.status == S.APPROVED:
                raise PermissionDeniedError(_("An approved order can only be cancelled by head office."))
        else:
            _require_dealer_access(actor, locked.dealer_id)
            if locked.status not in (S.DRAFT,) and not can(actor, "approve_order"):
                raise PermissionDeniedError()
        _move(locked, S.CANCELLED)
        _release(actor=actor, order=locked)
        locked.cancelled_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.ORDER_CANCELLED.code,
            target=locked,
            data={"reason": reason},
            notify=_people_to_tell(locked),
        )
    return locked


def order_ship(*, actor, order: Order) -> Order:
    """Ship an approved order: stock leaves the warehouses and the invoice is issued."""
    _require(actor, "ship_order")
    with transaction.atomic():
        locked = _lock(order)
        _require_dealer_access(actor, locked.dealer_id)
        _move(locked, S.SHIPPED)
        _lock_account(locked.dealer)  # before the stock rows, as submission does
        _release(actor=actor, order=locked, kind=StockMovement.Kind.SHIP)
        locked.shipped_at = timezone.now()
        locked.save()
        invoice = _issue_invoice(actor=actor, order=locked)
        events.record(
            actor=actor,
            verb=verbs.ORDER_SHIPPED.code,
            target=locked,
            data={"invoice": invoice.number},
            notify=_people_to_tell(locked),
        )
    return locked


def order_deliver(*, actor, order: Order) -> Order:
    """Confirm delivery: the dealer signs for its own order, or the order desk records it."""
    with transaction.atomic():
        locked = _lock(order)
        if actor is not None and actor.is_dealer_user:
            _check_can_order(actor, locked.dealer)
        else:
            _require(actor, "ship_order")
            _require_dealer_access(actor, locked.dealer_id)
        _move(locked, S.DELIVERED)
        locked.delivered_at = timezone.now()
        locked.save()
        events.record(actor=actor, verb=verbs.ORDER_DELIVERED.code, target=locked)
        _complete_if_settled(locked)
    return locked


def _complete_if_settled(order: Order) -> None:
    """A delivered order whose invoice is paid is complete. Caller holds the order's lock."""
    paid = Invoice.objects.filter(order=order, status=Invoice.Status.PAID).exists()
    if order.status == S.DELIVERED and paid:
        _move(order, S.COMPLETED)
        order.completed_at = timezone.now()
        order.save(update_fields=["status", "completed_at", "updated_at"])
        events.record(actor=None, verb=verbs.ORDER_COMPLETED.code, target=order)


def orders_release_expired(*, now=None) -> int:
    """Orders left waiting for approval too long go back to draft and their stock is released.
    Each order in its own transaction, re-checked under its lock: safe to run twice or at once."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.DMS_PENDING_APPROVAL_HOURS)
    ids = list(
        Order.objects.filter(status=S.PENDING_APPROVAL, submitted_at__lt=cutoff).values_list("pk", flat=True)[:500]
    )
    released = 0
    for pk in ids:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("dealer")
                .filter(pk=pk, status=S.PENDING_APPROVAL, submitted_at__lt=cutoff)
                .first()
            )
            if order is None:
                continue
            _release(actor=None, order=order)
            _move(order, S.DRAFT)
            order.submitted_at = None
            order.approval_reasons = []
            # A draft has no frozen prices: they are fixed again when it is submitted again.
            order.net_amount = order.vat_amount = order.gross_amount = ZERO
            order.lines.update(unit_price=None, vat_rate=None, net_amount=ZERO, vat_amount=ZERO, gross_amount=ZERO)
            order.save()
            events.record(
                actor=None,
                verb=verbs.ORDER_EXPIRED.code,
                target=order,
                data={"hours": settings.DMS_PENDING_APPROVAL_HOURS},
                notify=_people_to_tell(order),
            )
            released += 1
    return released


# Invoices and payments -------------------------------------------------------------------------


def _issue_invoice(*, actor, order: Order) -> Invoice:
    """Invoice a shipped order and pay it from money already received. The caller holds the dealer's
    credit account lock."""
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        number=next_number("INV"),
        dealer_id=order.dealer_id,
        order=order,
        net_amount=order.net_amount,
        vat_amount=order.vat_amount,
        gross_amount=order.gross_amount,
        issued_on=today,
        due_on=today + timedelta(days=order.dealer.payment_terms_days),
        status=Invoice.Status.PAID if order.gross_amount == 0 else Invoice.Status.OPEN,
        paid_on=today if order.gross_amount == 0 else None,
    )
    events.record(
        actor=actor, verb=verbs.INVOICE_ISSUED.code, target=invoice, data={"amount": str(invoice.gross_amount)}
    )
    _allocate(dealer_id=order.dealer_id)
    return invoice


def _allocate(*, dealer_id: int) -> list[int]:
    """Apply unallocated payments (oldest first) to open invoices (oldest due first). The caller
    holds the dealer's credit account lock. Returns the ids of invoices that became paid."""
    payments = list(
        Payment.objects.select_for_update()
        .filter(dealer_id=dealer_id, unallocated_amount__gt=0)
        .order_by("received_on", "id")
    )
    if not payments:
        return []
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(dealer_id=dealer_id)
        .exclude(status=Invoice.Status.PAID)
        .order_by("due_on", "issued_on", "id")
    )
    allocations, paid = [], []
    changed_invoices, changed_payments = set(), set()
    invoice_iter = iter(invoices)
    invoice = next(invoice_iter, None)
    for payment in payments:
        while invoice is not None and payment.unallocated_amount > 0:
            take = min(payment.unallocated_amount, invoice.outstanding)
            if take > 0:
                allocations.append(PaymentAllocation(payment=payment, invoice=invoice, amount=take))
                payment.unallocated_amount -= take
                invoice.paid_amount += take
                changed_invoices.add(invoice)
                changed_payments.add(payment)
            if invoice.outstanding == 0:
                invoice.status = Invoice.Status.PAID
                invoice.paid_on = max(payment.received_on, invoice.issued_on)
                paid.append(invoice.pk)
                invoice = next(invoice_iter, None)
            else:
                invoice.status = Invoice.Status.PARTIALLY_PAID
    PaymentAllocation.objects.bulk_create(allocations)
    Invoice.objects.bulk_update(changed_invoices, ["paid_amount", "status", "paid_on"])
    Payment.objects.bulk_update(changed_payments, ["unallocated_amount"])
    return paid


def payment_record(
    *,
    actor,
    dealer: Dealer,
    amount,
    received_on,
    reference: str,
    method: str = Payment.Method.BANK_TRANSFER,
    note: str = "",
) -> Payment:
    """Record money received; it pays the oldest open invoices first and any rest stays as the
    dealer's unallocated balance for the next invoice."""
    _require(actor, "record_payment")
    _require_dealer_access(actor, dealer.pk)
    amount = as_money(amount)
    if amount <= 0:
        raise RuleViolation(_("The amount must be more than zero."), code="invalid_amount", field="amount")
    reference = (reference or "").strip()
    if not reference:
        raise RuleViolation(_("Give the bank or ERP reference."), code="reference_required", field="reference")
    if received_on > timezone.localdate():
        raise RuleViolation(
            _("A payment cannot be received in the future."), code="received_in_future", field="received_on"
        )
    if method not in Payment.Method.values:
        raise RuleViolation(_("Unknown payment method."), code="invalid_method", field="method")
    with transaction.atomic():
        _lock_account(dealer)
        if Payment.objects.filter(dealer=dealer, reference=reference).exists():
            raise PaymentReferenceTaken(field="reference")
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    dealer=dealer,
                    amount=amount,
                    unallocated_amount=amount,
                    received_on=received_on,
                    reference=reference,
                    method=method,
                    note=(note or "").strip(),
                    recorded_by=actor,
                )
        except IntegrityError as exc:
            raise PaymentReferenceTaken(field="reference") from exc
        paid_ids = _allocate(dealer_id=dealer.pk)
        payment.refresh_from_db()
        events.record(
            actor=actor,
            verb=verbs.PAYMENT_RECORDED.code,
            target=payment,
            data={"amount": str(amount), "invoices_paid": len(paid_ids)},
            notify=_dealer_admins(dealer),
        )
        # Shipped orders too: a delivery being confirmed right now is waited for, then seen as delivered.
        settled = Order.objects.select_for_update(of=("self",)).filter(
            invoice__pk__in=paid_ids, status__in=(S.SHIPPED, S.DELIVERED)
        )
        for order in settled.order_by("pk"):
            _complete_if_settled(order)
    return payment


def payments_record(*, actor, payments: list[dict]) -> tuple[list[Payment], list[tuple[int, DomainError]]]:
    """Record many payments (an import) in one transaction, all or none. The dealers' credit accounts
    are locked first, in dealer order, so two imports naming the same dealers cannot deadlock. Returns
    the payments and the refusals by position; with any refusal nothing is kept."""
    recorded, refused = [], []
    with transaction.atomic():
        for dealer in sorted({p["dealer"] for p in payments}, key=lambda d: d.pk):
            _lock_account(dealer)
        for position, values in enumerate(payments):
            try:
                with transaction.atomic():
                    recorded.append(payment_record(actor=actor, **values))
            except DomainError as exc:
                refused.append((position, exc))
        if refused:
            transaction.set_rollback(True)
            recorded = []
    return recorded, refused


def credit_limit_set(*, actor, dealer: Dealer, credit_limit, reason: str) -> CreditAccount:
    """Finance sets a dealer's credit limit, with a reason."""
    _require(actor, "change_credit_limit")
    _require_dealer_access(actor, dealer.pk)
    reason = _reason(reason)
    credit_limit = as_money(credit_limit)
    if credit_limit < 0:
        raise RuleViolation(_("A credit limit cannot be negative."), code="invalid_amount", field="credit_limit")
    with transaction.atomic():
        account = _lock_account(dealer)
        before = account.credit_limit
        if before == credit_limit:
            return account
        account.credit_limit = credit_limit
        account.save(update_fields=["credit_limit", "updated_at"])
        events.record(
            actor=actor,
            verb=verbs.CREDIT_LIMIT_CHANGED.code,
            target=dealer,
            data={"from": str(before), "to": str(credit_limit), "reason": reason},
            notify=_dealer_admins(dealer),
        )
    return account


def default_warehouse_set(*, actor, dealer: Dealer, warehouse: Warehouse | None) -> CreditAccount:
    _require(actor, "manage_catalogue")
    _require_dealer_access(actor, dealer.pk)
    with transaction.atomic():
        account = _lock_account(dealer)
        account.default_warehouse = warehouse
        account.save(update_fields=["default_warehouse", "updated_at"])
    return account


# Stock -----------------------------------------------------------------------------------------


def stock_adjust(*, actor, warehouse: Warehouse, product: Product, delta: int, reason: str, kind=None) -> StockLevel:
    """Receive (positive) or write off (negative) stock, with a reason. On hand can never drop
    below what is reserved for orders."""
    _require(actor, "adjust_stock")
    reason = _reason(reason)
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


def stock_set_counts(*, actor, counts: list[tuple[Warehouse, Product, int]], reason: str) -> int:
    """Set counted on-hand quantities (an import from the warehouse system): all rows or none.
    Returns the number of levels that changed."""
    _require(actor, "adjust_stock")
    reason = _reason(reason)
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


# Catalogue, prices, warehouses, authorisations ---------------------------------------------------


def _validated_save(instance, *, actor, verb: str, created: bool, dealer_id=None) -> None:
    """Validate with the model's own rules (uniqueness, constraints) and save, as one event."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise RuleViolation(
            " ".join(messages),
            code="invalid",
            field=None if field == "__all__" else field,
            data={"fields": {k: [str(m) for m in v] for k, v in exc.message_dict.items()}},
        ) from exc
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise RuleViolation(_("This conflicts with an existing record."), code="conflict") from exc
    events.record(
        actor=actor,
        verb=verb,
        target=instance,
        dealer_id=dealer_id,
        data={"created": created, "name": str(instance)},
    )


def _assign(instance, fields: dict, allowed: set[str]):
    unknown = set(fields) - allowed
    if unknown:
        raise RuleViolation(code="unknown_field", data={"fields": sorted(unknown)})
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    return instance


PRODUCT_LINE_FIELDS = {"code", "name", "name_en", "position", "is_active"}
PRODUCT_FIELDS = {
    "sku",
    "name",
    "name_en",
    "product_line",
    "unit",
    "pack_size",
    "base_price",
    "vat_rate",
    "weight_kg",
    "volume_m3",
    "is_active",
    "image",
}
WAREHOUSE_FIELDS = {"code", "name", "name_en", "region", "address", "latitude", "longitude", "priority", "is_active"}
PRICE_LIST_FIELDS = {"name", "kind", "tier", "dealer", "valid_from", "valid_until"}


def product_line_save(*, actor, product_line=None, **fields):
    _require(actor, "manage_catalogue")
    with transaction.atomic():
        instance = _assign(product_line or ProductLine(), fields, PRODUCT_LINE_FIELDS)
        _validated_save(instance, actor=actor, verb=verbs.CATALOGUE_CHANGED.code, created=product_line is None)
    return instance


def product_save(*, actor, product: Product | None = None, **fields) -> Product:
    _require(actor, "manage_catalogue")
    with transaction.atomic():
        instance = _assign(product or Product(), fields, PRODUCT_FIELDS)
        _validated_save(instance, actor=actor, verb=verbs.CATALOGUE_CHANGED.code, created=product is None)
    return instance


def warehouse_save(*, actor, warehouse: Warehouse | None = None, **fields) -> Warehouse:
    _require(actor, "manage_catalogue")
    with transaction.atomic():
        instance = _assign(warehouse or Warehouse(), fields, WAREHOUSE_FIELDS)
        _validated_save(instance, actor=actor, verb=verbs.CATALOGUE_CHANGED.code, created=warehouse is None)
    return instance


def price_list_save(*, actor, price_list=None, items=None, **fields):
    """Create or change a tier or dealer price list; ``items`` ({product: price}) replaces its prices."""
    _require(actor, "manage_catalogue")
    instance = _assign(price_list or PriceList(), fields, PRICE_LIST_FIELDS)
    if instance.kind == PriceList.Kind.DEALER:
        instance.tier = ""
        if instance.dealer_id is None:
            raise RuleViolation(_("A dealer price list needs a dealer."), code="dealer_required", field="dealer")
        _require_dealer_access(actor, instance.dealer_id)
    elif instance.kind == PriceList.Kind.TIER:
        instance.dealer = None
        if instance.tier not in Dealer.Tier.values:
            raise RuleViolation(_("Choose a tier."), code="tier_required", field="tier")
        if actor is not None and visible_dealers(actor) is not None:
            # A tier's prices apply to its dealers everywhere: only someone who sees every dealer sets them.
            raise PermissionDeniedError(
                _("Tier price lists apply nationwide: only users who see every dealer may change them.")
            )
    with transaction.atomic():
        _validated_save(
            instance,
            actor=actor,
            verb=verbs.CATALOGUE_CHANGED.code,
            created=price_list is None,
            dealer_id=instance.dealer_id,
        )
        if items is not None:
            if any(as_money(price) < 0 for price in items.values()):
                raise RuleViolation(_("A price cannot be negative."), code="invalid_amount", field="items")
            instance.items.all().delete()
            PriceListItem.objects.bulk_create(
                [PriceListItem(price_list=instance, product=p, price=as_money(price)) for p, price in items.items()]
            )
    return instance


def authorization_save(*, actor, authorization=None, regions=None, **fields):
    """Authorise a dealer for a product line (optionally only in some regions and between dates)."""
    _require(actor, "manage_catalogue")
    instance = _assign(
        authorization or DealerAuthorization(), fields, {"dealer", "product_line", "valid_from", "valid_until"}
    )
    if instance.dealer_id is None:
        raise RuleViolation(_("Choose a dealer."), code="dealer_required", field="dealer")
    _require_dealer_access(actor, instance.dealer_id)
    with transaction.atomic():
        _validated_save(
            instance,
            actor=actor,
            verb=verbs.AUTHORIZATION_CHANGED.code,
            created=authorization is None,
            dealer_id=instance.dealer_id,
        )
        if regions is not None:
            instance.regions.set(regions)
    return instance
