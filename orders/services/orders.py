"""The order workflow: drafts and their lines, submission (prices, stock, credit), approval, rejection,
cancellation and completion, each status move checked against ``ORDER_TRANSITIONS``."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dms import events
from dms.accounts.models import User
from dms.compiled import CompiledQuery
from dms.errors import InvalidTransition, PermissionDeniedError, RuleViolation
from dms.money import ZERO, as_money
from dms.numbers import next_number
from orders import selectors, verbs
from orders.models import CreditAccount, Invoice, Order, OrderLine, Product, Reservation
from orders.services.common import (
    can,
    lock_account,
    people_to_tell,
    require,
    require_dealer_access,
    required_reason,
    write_back,
)
from orders.services.ledger import CREDIT_BLOCKS, credit_reasons
from orders.services.stock import release, reserve

S = Order.Status

# The only moves an order's status can make. ``submitted`` is passed through inside the submission
# transaction on the way to approved or pending approval; pending → draft is the system releasing
# an order that waited too long.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.PENDING_APPROVAL, S.CANCELLED}),
    S.PENDING_APPROVAL: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED, S.DRAFT}),
    S.APPROVED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.REJECTED: frozenset(),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
TRADING = (Dealer.Status.ACTIVE, Dealer.Status.PROBATION)
MAX_LINES = 200
MAX_QUANTITY = 1_000_000
# The largest amount a money column holds (14 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("999999999999.99")
NOT_AUTHORIZED = _("The dealer is not authorised to sell this product line here.")


class CreditOverrideRequired(PermissionDeniedError):
    code = "credit_override_required"
    message = _(
        "This order is past the dealer's credit limit or the dealer is overdue: "
        "approving it needs the credit override permission."
    )


def line_amounts(unit_price: Decimal, quantity: int, vat_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) of a line at a tax-inclusive unit price: the gross is rounded to the cent first,
    the VAT is split out of it."""
    gross = as_money(unit_price * quantity)
    net = as_money(gross / (1 + vat_rate))
    return net, gross - net, gross


def order_move(order: Order, target: str) -> None:
    """The one place an order's status is assigned, checked against ``ORDER_TRANSITIONS``."""
    if target not in ORDER_TRANSITIONS[order.status]:
        raise InvalidTransition(current=order.get_status_display(), target=S(target).label)
    order.status = target


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("dealer", "ship_to_region").get(pk=order.pk)


def _locked_with_account(*, order_id: int):
    return (
        Order.objects.select_for_update(of=("self", "dealer__credit_account"))
        .select_related("dealer", "ship_to_region", "dealer__credit_account")
        .filter(pk=order_id, dealer__credit_account__isnull=False)
        .order_by()
    )


# Every order submitted runs it.
_LOCKED_WITH_ACCOUNT = CompiledQuery(_locked_with_account)


def _lock_with_account(actor: User | None, order: Order) -> tuple[Order, CreditAccount]:
    """The order and its dealer's credit account, locked in one statement in the order every service takes them
    (the order first). An order the actor may not order for raises ``Order.DoesNotExist`` as a missing one does,
    so a door may pass an order it has not read, and answer both alike. A dealer without a credit account yet
    gets one, as ``lock_account`` gives it."""
    found = _LOCKED_WITH_ACCOUNT(order_id=order.pk)
    if found:
        locked, account = found[0], found[0].dealer.credit_account
    else:
        locked = _lock(order)
        account = None
    try:
        _check_can_order(actor, locked.dealer)
    except PermissionDeniedError as exc:
        raise Order.DoesNotExist from exc
    return locked, account or lock_account(locked.dealer)


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
    authorized = selectors.authorized_line_set(dealer=dealer, region=region)
    return _problems((product, quantity, product.product_line_id in authorized) for product, quantity in items)


def _problems(items) -> list[LineProblem]:
    """The problems of ``(product, quantity, authorized)`` items, in their order."""
    problems = (line_problem(product, quantity, authorized=authorized) for product, quantity, authorized in items)
    return [problem for problem in problems if problem is not None]


def _merged_problems(items: list[tuple[Product, int]]) -> list[LineProblem]:
    """The problems of items from ``_merge``, whose products know whether they may be ordered."""
    return _problems((product, quantity, product.authorized) for product, quantity in items)


def _raise_line_problems(problems: list[LineProblem]) -> None:
    """Refuse with the first problem, naming its line by SKU and name so that the dealer finds it."""
    if problems:
        first = problems[0]
        names = {"sku": first.product.sku, "name": first.product.local_name, "message": first.message}
        message = (
            _("%(sku)s %(name)s: %(message)s") % names
            if len(problems) == 1
            else _("%(count)s lines cannot be ordered; the first, %(sku)s %(name)s: %(message)s")
            % {"count": len(problems), **names}
        )
        raise RuleViolation(message, code=first.code, field="lines", data={"lines": [p.as_data() for p in problems]})


def _merge(lines, *, dealer: Dealer, region) -> list[tuple[Product, int]]:
    """``[{"product": Product|id, "quantity": n}]`` → one (product, total) per product, in first-seen order, each
    product with ``authorized``: whether the dealer may order it for ``region`` now."""
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
    products = selectors.orderable_products(dealer=dealer, region=region, ids=list(wanted))
    missing = [pk for pk in wanted if pk not in products]
    if missing:
        raise RuleViolation(_("Unknown product."), code="unknown_product", field="lines", data={"products": missing})
    return [(products[pk], quantity) for pk, quantity in wanted.items()]


def _write_lines(order: Order, items: list[tuple[Product, int]], *, replace: bool = True) -> list[OrderLine]:
    if replace:
        order.lines.all().delete()
    return OrderLine.objects.bulk_create([OrderLine(order=order, product=p, quantity=q) for p, q in items])


def _hold(order: Order, lines: list[OrderLine], reservations: dict[int, list[Reservation]]) -> Order:
    """Keep on the order what this call wrote, for ``order_as_written``."""
    order._written = (lines, reservations)
    return order


def order_as_written(order: Order) -> Order:
    """The order that ``order_create`` or ``order_submit`` returned, with what it wrote in place as
    ``selectors.order_detail_queryset`` reads it: its lines (with their products) and their reservations
    (with their warehouses), and no invoices (none before shipping). An answer built from it needs no query.
    Only for answering at once: the lines are as they were written, not as they are read later."""
    lines, reservations = order._written
    for line in lines:
        _prefetched(line, "reservations", reservations.get(line.pk, []))
    _prefetched(order, "lines", lines)
    _prefetched(order, "invoices", [])
    return order


def _prefetched(instance, relation: str, objects: list) -> None:
    """Make ``instance.<relation>.all()`` answer ``objects``, as ``prefetch_related`` leaves it."""
    queryset = getattr(instance, relation).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance._prefetched_objects_cache = {**getattr(instance, "_prefetched_objects_cache", {}), relation: queryset}


def _check_can_order(actor: User | None, dealer: Dealer) -> None:
    if actor is None:
        return
    if actor.is_dealer_user:
        if actor.dealer_id != dealer.pk:
            raise PermissionDeniedError()
        return
    require_dealer_access(actor, dealer.pk)


def order_create(
    *,
    actor: User,
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
    region = ship_to_region or dealer.region
    items = _merge(lines, dealer=dealer, region=region)
    _raise_line_problems(_merged_problems(items))
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
        written = _write_lines(order, items, replace=False)
        events.record(
            actor=actor,
            verb=verbs.ORDER_CREATED.code,
            target=order,
            data={"lines": len(items), "copied_from": copied_from.number if copied_from else None},
        )
    return _hold(order, written, {})


def _check_delivery_date(day) -> None:
    if day is not None and day < timezone.localdate():
        raise RuleViolation(
            _("The requested delivery date cannot be in the past."),
            code="delivery_date_past",
            field="requested_delivery_date",
        )


def _locked_draft(actor: User | None, order: Order) -> Order:
    locked = _lock(order)
    _check_can_order(actor, locked.dealer)
    if locked.status != S.DRAFT:
        raise RuleViolation(_("Only a draft order can be changed."), code="order_not_draft")
    return locked


def order_update(*, actor: User, order: Order, lines=None, **fields) -> Order:
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
            items = _merge(lines, dealer=locked.dealer, region=locked.ship_to_region)
            _raise_line_problems(_merged_problems(_changed(locked, items)))
            _write_lines(locked, items)
        events.record(actor=actor, verb=verbs.ORDER_CHANGED.code, target=locked, data={"fields": sorted(fields)})
    return locked


def _changed(order: Order, items: list[tuple[Product, int]]) -> list[tuple[Product, int]]:
    """The items that add a product to the draft or change its quantity. A line kept as it is is not checked
    again: one that can no longer be ordered (its authorisation ended, the product was withdrawn) must not
    stop the dealer from removing it or changing the rest of the draft; submission checks every line."""
    current = dict(order.lines.values_list("product_id", "quantity"))
    return [(product, quantity) for product, quantity in items if current.get(product.pk) != quantity]


def order_add_line(*, actor: User, order: Order, product: Product, quantity: int) -> Order:
    """Add units of a product to a draft (the cart), on top of what it already holds."""
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        current = {line.product_id: line.quantity for line in locked.lines.all()}
        items = [{"product": pk, "quantity": q} for pk, q in current.items()]
        items.append({"product": product, "quantity": quantity})
        return order_update(actor=actor, order=locked, lines=items)


def order_add_lines(*, actor: User, order: Order, lines) -> Order:
    """Add several products to a draft at once (a pasted or uploaded list): all of them or none."""
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        items = [{"product": line.product_id, "quantity": line.quantity} for line in locked.lines.all()]
        return order_update(actor=actor, order=locked, lines=[*items, *lines])


def order_remove_line(*, actor: User, order: Order, product_id: int) -> Order:
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        items = [{"product": line.product_id, "quantity": line.quantity} for line in locked.lines.all()]
        return order_update(actor=actor, order=locked, lines=[i for i in items if i["product"] != product_id])


def order_set_quantity(*, actor: User, order: Order, product_id: int, quantity: int) -> Order:
    """Change how many units of a product a draft holds; zero removes the line."""
    with transaction.atomic():
        locked = _locked_draft(actor, order)
        items = [
            {"product": line.product_id, "quantity": quantity if line.product_id == product_id else line.quantity}
            for line in locked.lines.all()
            if quantity or line.product_id != product_id
        ]
        return order_update(actor=actor, order=locked, lines=items)


def order_copy(*, actor: User, order: Order) -> tuple[Order, list[LineProblem]]:
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


def _freeze_prices(order: Order, lines: list[OrderLine], prices: dict[int, Decimal]) -> None:
    """Fix each line's price, VAT and amounts, and the order's totals."""
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
    write_back(lines, ["unit_price", "vat_rate", "net_amount", "vat_amount", "gross_amount"])
    order.net_amount, order.vat_amount, order.gross_amount = net_total, vat_total, gross_total


def order_submit(*, actor: User, order: Order) -> Order:
    """Submit a draft: check it, freeze prices, reserve stock, check credit under the dealer's lock.
    Ends approved, or pending approval with its reasons; any failure leaves the draft untouched. ``order`` is read
    again as it is locked, and one the actor may not order for is missing (see ``_lock_with_account``)."""
    with transaction.atomic():
        locked, account = _lock_with_account(actor, order)
        if locked.status != S.DRAFT:
            raise InvalidTransition(current=locked.get_status_display(), target=S.SUBMITTED.label)
        dealer = locked.dealer
        if dealer.status not in TRADING:
            raise RuleViolation(_("This dealer cannot order in its current status."), code="dealer_not_trading")
        lines = selectors.submission_lines(order=locked)
        if not lines:
            raise RuleViolation(_("Add at least one product before submitting."), code="order_empty", field="lines")
        _raise_line_problems(_problems((line.product, line.quantity, line.authorized) for line in lines))
        _freeze_prices(locked, lines, {line.product_id: line.price for line in lines})
        reservations = reserve(
            actor=actor, order=locked, lines=lines, default_warehouse_id=account.default_warehouse_id
        )
        reasons = credit_reasons(dealer=dealer, amount=locked.gross_amount, exclude_order_id=locked.pk)
        order_move(locked, S.SUBMITTED)
        records = [
            {
                "actor": actor,
                "verb": verbs.ORDER_SUBMITTED.code,
                "target": locked,
                "data": {"amount": str(locked.gross_amount), "lines": len(lines)},
            }
        ]
        locked.submitted_at = timezone.now()
        locked.approval_reasons = reasons
        locked.decided_by = None
        locked.decided_at = None
        locked.decision_reason = ""
        locked.credit_override = False
        if reasons:
            order_move(locked, S.PENDING_APPROVAL)
        else:
            order_move(locked, S.APPROVED)
            locked.decided_at = locked.submitted_at
        locked.save()
        if reasons:
            records.append(
                {
                    "actor": None,
                    "verb": verbs.ORDER_PENDING.code,
                    "target": locked,
                    "data": {"reasons": [r["code"] for r in reasons]},
                    "notify": _approvers(dealer),
                }
            )
        else:
            records.append(
                {"actor": None, "verb": verbs.ORDER_APPROVED.code, "target": locked, "data": {"automatic": True}}
            )
        events.record_many(records)
    return _hold(locked, sorted(lines, key=lambda line: line.pk), reservations)


def _approvers(dealer: Dealer) -> list[int]:
    """Who is told that an order waits: the dealer's owner, or the HQ administrators when it has none."""
    if dealer.owner_id:
        return [dealer.owner_id]
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(role="hq_admin", is_active=True).values_list("pk", flat=True))


def order_approve(*, actor: User, order: Order, reason: str = "") -> Order:
    """Approve an order waiting for approval. Past the credit limit or with overdue invoices (checked
    again now, under the lock) it needs the credit-override permission and a written reason."""
    require(actor, "approve_order")
    with transaction.atomic():
        locked = _lock(order)
        require_dealer_access(actor, locked.dealer_id)
        if locked.status != S.PENDING_APPROVAL:
            raise InvalidTransition(current=locked.get_status_display(), target=S.APPROVED.label)
        lock_account(locked.dealer)
        reasons = credit_reasons(dealer=locked.dealer, amount=locked.gross_amount, exclude_order_id=locked.pk)
        blocked = [r["code"] for r in reasons if r["code"] in CREDIT_BLOCKS]
        if blocked:
            if not can(actor, "approve_credit_override"):
                raise CreditOverrideRequired(data={"reasons": blocked})
            reason = required_reason(reason)
        order_move(locked, S.APPROVED)
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
            notify=people_to_tell(locked),
        )
    return locked


def order_reject(*, actor: User, order: Order, reason: str) -> Order:
    require(actor, "approve_order")
    reason = required_reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        require_dealer_access(actor, locked.dealer_id)
        order_move(locked, S.REJECTED)
        release(actor=actor, order=locked)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.ORDER_REJECTED.code,
            target=locked,
            data={"reason": reason},
            notify=people_to_tell(locked),
        )
    return locked


def order_cancel(*, actor: User, order: Order, reason: str) -> Order:
    """Cancel before shipping: releases stock and the credit the order held. Dealers may cancel
    their drafts and orders waiting for approval; the order desk may also cancel approved ones."""
    reason = required_reason(reason)
    with transaction.atomic():
        locked = _lock(order)
        if actor is not None and actor.is_dealer_user:
            _check_can_order(actor, locked.dealer)
            if locked.status == S.APPROVED:
                raise PermissionDeniedError(_("An approved order can only be cancelled by head office."))
        else:
            require_dealer_access(actor, locked.dealer_id)
            if locked.status not in (S.DRAFT,) and not can(actor, "approve_order"):
                raise PermissionDeniedError()
        order_move(locked, S.CANCELLED)
        release(actor=actor, order=locked)
        locked.cancelled_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        events.record(
            actor=actor,
            verb=verbs.ORDER_CANCELLED.code,
            target=locked,
            data={"reason": reason},
            notify=people_to_tell(locked),
        )
    return locked


def complete_if_settled(order: Order) -> None:
    """A delivered order whose invoices are all paid is complete. Caller holds the order's lock."""
    if order.status != S.DELIVERED:
        return
    invoices = Invoice.objects.filter(order=order)
    if invoices.exists() and not invoices.exclude(status=Invoice.Status.PAID).exists():
        order_move(order, S.COMPLETED)
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
            release(actor=None, order=order)
            order_move(order, S.DRAFT)
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
                notify=people_to_tell(order),
            )
            released += 1
    return released
