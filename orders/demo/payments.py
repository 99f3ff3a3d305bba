"""The demo's payments, as finance recorded them, and the invoices and payments given the dates they happened."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from dealers.models import Dealer
from dms.events.models import Event
from dms.numbers import next_number
from orders import services, verbs
from orders.demo.base import HistoryBase, S, at
from orders.models import Invoice, Order, Payment, PaymentAllocation

BANKS = ["ICBC", "CCB", "ABC", "BOC", "CMB"]


class PaymentHistory(HistoryBase):
    """Payments received, and invoices and payments moved back to their days."""

    def _pay(self, dealer: Dealer, day: date, amount, note: str = "") -> Payment:
        self.references += 1
        acceptance = self.rng.random() < 0.15
        method = Payment.Method.BANK_ACCEPTANCE if acceptance else Payment.Method.BANK_TRANSFER
        prefix = "CD" if acceptance else self.rng.choice(BANKS)
        payment = services.payment_record(
            actor=self.finance,
            dealer=dealer,
            amount=amount,
            received_on=day,
            reference=f"{prefix}{day:%Y%m%d}{self.references:05d}",
            method=method,
            note=note,
        )
        self._backdate_payment(payment)
        return payment

    def _backdate_invoice(self, order: Order, shipped: datetime) -> None:
        """The order's invoices (one per shipment) were issued the day it shipped."""
        issued = timezone.localdate(shipped)
        for invoice in Invoice.objects.filter(order=order).order_by("id"):
            number = invoice.number
            if issued != self.today and number.startswith(f"INV-{self.today:%Y%m%d}"):
                number = next_number("INV", day=issued)
            Invoice.objects.filter(pk=invoice.pk).update(
                number=number,
                issued_on=issued,
                due_on=issued + timedelta(days=order.dealer.payment_terms_days),
                created_at=shipped,
            )
            Event.objects.filter(target_type=self.types[Invoice], target_id=str(invoice.pk)).update(
                target_repr=number, created_at=shipped
            )
        Event.objects.filter(
            target_type=self.types[Order], target_id=str(order.pk), verb=verbs.ORDER_SHIPPED.code
        ).update(data={"invoice": number})

    def _backdate_payment(self, payment: Payment) -> None:
        """A payment was recorded the day it was received; orders it settled were completed then."""
        when = at(payment.received_on, self.rng.randint(9, 16), self.rng.randint(0, 59))
        if payment.received_on == self.today:
            return
        Payment.objects.filter(pk=payment.pk).update(created_at=when)
        PaymentAllocation.objects.filter(payment=payment).update(created_at=when)
        Event.objects.filter(target_type=self.types[Payment], target_id=str(payment.pk)).update(created_at=when)
        settled = Order.objects.filter(invoices__allocations__payment=payment, status=S.COMPLETED)
        for pk, delivered in settled.values_list("pk", "delivered_at"):
            done = max(when, delivered + timedelta(hours=1))
            Order.objects.filter(pk=pk).update(completed_at=done, updated_at=done)
            Event.objects.filter(
                target_type=self.types[Order], target_id=str(pk), verb=verbs.ORDER_COMPLETED.code
            ).update(created_at=done)
