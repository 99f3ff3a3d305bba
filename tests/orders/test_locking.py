"""Paths where two transactions meet on the same rows: they wait for each other, finish, and never deadlock."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from orders import services
from orders.models import Order, Payment
from orders.services import billing
from orders.services import fulfilment as workflow
from tests.factories import DealerFactory
from tests.factories.orders import credit

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(function) -> tuple[threading.Thread, list]:
    outcome = []

    def run():
        try:
            outcome.append(function())
        except Exception as exc:  # reported by the caller's assertions
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_payment_landing_while_delivery_is_confirmed_still_completes_the_order(
    shop, hq_admin, dealer_admin, dealer_one, monkeypatch
):
    order = services.order_create(
        actor=dealer_admin, dealer=dealer_one, lines=[{"product": shop.kettle, "quantity": 2}]
    )
    order = services.order_ship(actor=hq_admin, order=services.order_submit(actor=dealer_admin, order=order))
    delivering = threading.Event()
    original = workflow.complete_if_settled

    def slow_check(locked):
        original(locked)  # sees the invoice unpaid
        delivering.set()
        time.sleep(1)  # the payment commits meanwhile and must wait for this delivery

    monkeypatch.setattr(workflow, "complete_if_settled", slow_check)
    thread, outcome = in_thread(lambda: services.order_deliver(actor=dealer_admin, order=order))
    assert delivering.wait(10)
    monkeypatch.setattr(workflow, "complete_if_settled", original)
    services.payment_record(
        actor=hq_admin, dealer=dealer_one, amount="200.00", received_on=timezone.localdate(), reference="RACE-1"
    )
    thread.join(30)
    assert not isinstance(outcome[0], Exception), outcome
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_two_payment_imports_naming_the_same_dealers_in_opposite_order_both_finish(hq_admin, monkeypatch):
    first, second = DealerFactory(), DealerFactory()
    for dealer in (first, second):
        credit(dealer, "0")
    original = billing.payment_record

    def paced(**kwargs):
        payment = original(**kwargs)
        if kwargs["reference"].endswith("-1"):
            time.sleep(0.5)  # time for the other import to take its first dealer, were it allowed to
        return payment

    monkeypatch.setattr(billing, "payment_record", paced)
    today = timezone.localdate()

    def rows(prefix, dealers):
        return [
            {"dealer": d, "amount": Decimal("10.00"), "received_on": today, "reference": f"{prefix}-{i}"}
            for i, d in enumerate(dealers, start=1)
        ]

    start = threading.Barrier(2)

    def run(prefix, dealers):
        start.wait(10)
        return services.payments_record(actor=hq_admin, payments=rows(prefix, dealers))

    threads = [in_thread(lambda p=p, d=d: run(p, d)) for p, d in (("A", [first, second]), ("B", [second, first]))]
    for thread, _outcome in threads:
        thread.join(60)
    for _thread, outcome in threads:
        assert not isinstance(outcome[0], Exception), outcome
    assert Payment.objects.count() == 4
