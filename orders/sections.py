"""The orders app's tabs on the dealer page at head office (``dealers.sections``): orders, credit position, invoices
and payments, read through this app's selectors."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealers.sections import Section, list_url, register
from orders import selectors
from orders.models import Invoice, PaymentAllocation
from orders.services import can


def _orders(*, user, dealer):
    return selectors.order_list(user=user).filter(dealer=dealer)


def _unpaid(*, user, dealer):
    return selectors.invoice_list(user=user).filter(dealer=dealer).exclude(status=Invoice.Status.PAID)


def _open_invoices(*, user, dealer):
    return _unpaid(user=user, dealer=dealer).order_by("due_on", "id")


def _overdue_invoices(*, user, dealer):
    return _unpaid(user=user, dealer=dealer).filter(due_on__lt=timezone.localdate())


def _credit(*, user, dealer) -> dict:
    return {"position": selectors.credit_position(dealer=dealer)}


def _invoices(*, user, dealer):
    return selectors.invoice_list(user=user).filter(dealer=dealer).order_by("-issued_on", "-id")


def _payments(*, user, dealer):
    allocations = PaymentAllocation.objects.select_related("invoice").order_by("id")
    return (
        selectors.payment_list(user=user)
        .filter(dealer=dealer)
        .prefetch_related(Prefetch("allocations", queryset=allocations))
        .order_by("-received_on", "-id")
    )


register(
    Section(
        key="orders",
        label=_("Orders"),
        icon="cart3",
        template="dealers/sections/orders.html",
        rows=_orders,
        see_all=lambda *, user, dealer: list_url("orders:list", dealer, user=user),
        order=10,
    )
)
register(
    Section(
        key="credit",
        label=_("Credit position"),
        icon="speedometer2",
        template="dealers/sections/credit.html",
        rows=_open_invoices,
        counted=_overdue_invoices,
        context=_credit,
        see_all=lambda *, user, dealer: reverse("orders:credit", args=[dealer.pk]),
        alert=True,
        order=20,
    )
)
register(
    Section(
        key="invoices",
        label=_("Invoices"),
        icon="receipt",
        template="dealers/sections/invoices.html",
        rows=_invoices,
        see_all=lambda *, user, dealer: list_url("orders:invoices", dealer, user=user),
        order=30,
    )
)
register(
    Section(
        key="payments",
        label=_("Payments"),
        icon="cash-coin",
        template="dealers/sections/payments.html",
        rows=_payments,
        see_all=lambda *, user, dealer: list_url("orders:payments", dealer, user=user),
        # The same rule as the payments list: finance's work, not every head-office user's.
        allowed=lambda user: can(user, "record_payment"),
        order=40,
    )
)
