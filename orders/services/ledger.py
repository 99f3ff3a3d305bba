"""The dealer's account under its credit-account lock: why an order needs approval on credit, invoices
issued on shipment, and received money applied to the oldest open invoices."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from dealers.models import Dealer
from dms import events
from dms.accounts.models import User
from dms.errors import InvalidTransition
from dms.numbers import next_number
from orders import selectors, verbs
from orders.models import Invoice, Order, Payment, PaymentAllocation


def credit_reasons(*, dealer: Dealer, amount: Decimal, exclude_order_id=None) -> list[dict]:
    """Why an order of ``amount`` needs head office's approval; empty when it may pass at once.
    Call it with the dealer's credit account locked."""
    position = selectors.credit_position(dealer=dealer, exclude_order_id=exclude_order_id, overdue_invoices=False)
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

# An invoice is paid off by allocations, in part and then in full; money is never taken back off it.
INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    Invoice.Status.OPEN: frozenset({Invoice.Status.PARTIALLY_PAID, Invoice.Status.PAID}),
    Invoice.Status.PARTIALLY_PAID: frozenset({Invoice.Status.PAID}),
    Invoice.Status.PAID: frozenset(),
}


def invoice_move(invoice: Invoice, target: str) -> None:
    """The one place an invoice's status is assigned, checked against ``INVOICE_TRANSITIONS``; staying
    where it is (a second part payment) is no move."""
    if target == invoice.status:
        return
    if target not in INVOICE_TRANSITIONS[invoice.status]:
        raise InvalidTransition(current=invoice.get_status_display(), target=Invoice.Status(target).label)
    invoice.status = target


def issue_invoice(*, actor: User, order: Order, amounts: tuple[Decimal, Decimal, Decimal]) -> Invoice:
    """Invoice what shipped of an order, (net, VAT, gross), and pay it from money already received. The caller
    holds the dealer's credit account lock."""
    today = timezone.localdate()
    net, vat, gross = amounts
    invoice = Invoice.objects.create(
        number=next_number("INV"),
        dealer_id=order.dealer_id,
        order=order,
        net_amount=net,
        vat_amount=vat,
        gross_amount=gross,
        issued_on=today,
        due_on=today + timedelta(days=order.dealer.payment_terms_days),
        status=Invoice.Status.PAID if gross == 0 else Invoice.Status.OPEN,
        paid_on=today if gross == 0 else None,
    )
    events.record(
        actor=actor, verb=verbs.INVOICE_ISSUED.code, target=invoice, data={"amount": str(invoice.gross_amount)}
    )
    allocate(dealer_id=order.dealer_id)
    return invoice


def allocate(*, dealer_id: int) -> list[int]:
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
                invoice_move(invoice, Invoice.Status.PAID)
                invoice.paid_on = max(payment.received_on, invoice.issued_on)
                paid.append(invoice.pk)
                invoice = next(invoice_iter, None)
            else:
                invoice_move(invoice, Invoice.Status.PARTIALLY_PAID)
    PaymentAllocation.objects.bulk_create(allocations)
    Invoice.objects.bulk_update(changed_invoices, ["paid_amount", "status", "paid_on"])
    Payment.objects.bulk_update(changed_payments, ["unallocated_amount"])
    return paid
