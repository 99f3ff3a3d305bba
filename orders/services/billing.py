"""Payments received (one at a time or an import), dealers' credit limits and default warehouses."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.models import Dealer
from dms import events
from dms.accounts.models import User
from dms.errors import DomainError, RuleViolation
from dms.money import as_money
from dms.scoping import actor_or_none
from orders import verbs
from orders.models import CreditAccount, Invoice, Order, Payment, Warehouse
from orders.services.common import dealer_admins, lock_account, require, require_dealer_access, required_reason
from orders.services.ledger import allocate
from orders.services.orders import complete_if_settled

S = Order.Status


class PaymentReferenceTaken(DomainError):
    code = "payment_reference_taken"
    message = _("A payment with this reference is already recorded for this dealer.")
    status_code = 409


def payment_record(
    *,
    actor: User,
    dealer: Dealer,
    amount,
    received_on,
    reference: str,
    method: str = Payment.Method.BANK_TRANSFER,
    note: str = "",
) -> Payment:
    """Record money received; it pays the oldest open invoices first and any rest stays as the
    dealer's unallocated balance for the next invoice."""
    require(actor, "record_payment")
    require_dealer_access(actor, dealer.pk)
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
    if method not in Payment.Method.values or method == Payment.Method.CREDIT_NOTE:
        raise RuleViolation(_("Unknown payment method."), code="invalid_method", field="method")
    with transaction.atomic():
        lock_account(dealer)
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
        paid_ids = allocate(dealer_id=dealer.pk)
        payment.refresh_from_db()
        events.record(
            actor=actor,
            verb=verbs.PAYMENT_RECORDED.code,
            target=payment,
            data={"amount": str(amount), "invoices_paid": len(paid_ids)},
            notify=dealer_admins(dealer),
        )
        _complete_settled(paid_ids)
    return payment


def _complete_settled(paid_ids: list[int]) -> None:
    """Complete the delivered orders whose invoices are now all paid. After the credit account's lock: the one
    place an order is locked after the account (see the package's lock order)."""
    # Shipped orders too: a delivery being confirmed right now is waited for, then seen as delivered.
    settled = Order.objects.select_for_update(of=("self",)).filter(
        pk__in=Invoice.objects.filter(pk__in=paid_ids).values("order_id"), status__in=(S.SHIPPED, S.DELIVERED)
    )
    for order in settled.order_by("pk"):
        complete_if_settled(order)


def credit_note_issue(*, actor: User | None, dealer: Dealer, amount, reference: str, note: str = "") -> Payment:
    """What the brand owes the dealer back (a delivery claim, a campaign payout): a credit on its account that
    pays its oldest open invoices first, like money received, completes the orders it settles, and shows on the
    statement. The caller decides who may grant it, holds no order's lock (the account is locked here first) and
    names the source document in ``reference``."""
    with transaction.atomic():
        lock_account(dealer)
        payment = Payment.objects.create(
            dealer=dealer,
            amount=amount,
            unallocated_amount=amount,
            received_on=timezone.localdate(),
            reference=reference,
            method=Payment.Method.CREDIT_NOTE,
            note=note[:500],
            recorded_by=actor_or_none(actor),
        )
        _complete_settled(allocate(dealer_id=dealer.pk))
        payment.refresh_from_db(fields=["unallocated_amount"])
    return payment


def payments_record(*, actor: User, payments: list[dict]) -> tuple[list[Payment], list[tuple[int, DomainError]]]:
    """Record many payments (an import) in one transaction, all or none. The dealers' credit accounts
    are locked first, in dealer order, so two imports naming the same dealers cannot deadlock. Returns
    the payments and the refusals by position; with any refusal nothing is kept."""
    recorded, refused = [], []
    with transaction.atomic():
        for dealer in sorted({p["dealer"] for p in payments}, key=lambda d: d.pk):
            lock_account(dealer)
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


def credit_limit_set(*, actor: User, dealer: Dealer, credit_limit, reason: str) -> CreditAccount:
    """Finance sets a dealer's credit limit, with a reason."""
    require(actor, "change_credit_limit")
    require_dealer_access(actor, dealer.pk)
    reason = required_reason(reason)
    credit_limit = as_money(credit_limit)
    if credit_limit < 0:
        raise RuleViolation(_("A credit limit cannot be negative."), code="invalid_amount", field="credit_limit")
    with transaction.atomic():
        account = lock_account(dealer)
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
            notify=dealer_admins(dealer),
        )
    return account


def default_warehouse_set(*, actor: User, dealer: Dealer, warehouse: Warehouse | None) -> CreditAccount:
    require(actor, "manage_catalogue")
    require_dealer_access(actor, dealer.pk)
    with transaction.atomic():
        account = lock_account(dealer)
        account.default_warehouse = warehouse
        account.save(update_fields=["default_warehouse", "updated_at"])
    return account
