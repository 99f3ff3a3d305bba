"""Stock, credit, payments, the release task and the API's Idempotency-Key under real concurrent
PostgreSQL connections.

Each thread opens its own connection (closed when it ends) and waits at a barrier, so the
calls reach the database together, as requests from several web workers would.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from dms.accounts.models import Role
from dms.events.models import Event
from orders import services, verbs
from orders.models import Invoice, Order, Payment, PaymentAllocation, Reservation, StockLevel
from orders.services import InsufficientStock, PaymentReferenceTaken
from tests.concurrency import run_together
from tests.factories import DealerFactory, UserFactory
from tests.factories.orders import ProductFactory, authorize, credit, stock

pytestmark = pytest.mark.django_db(transaction=True)
S = Order.Status


def draft(user, dealer, product, quantity: int) -> Order:
    return services.order_create(actor=user, dealer=dealer, lines=[{"product": product, "quantity": quantity}])


def test_fifty_submissions_for_the_last_ten_units_reserve_exactly_ten(shop, dealer_admin, dealer_one):
    last_units = ProductFactory(sku="K-LAST", product_line=shop.line, base_price="10.00")
    level = stock(last_units, shop.main, 10)
    drafts = [draft(dealer_admin, dealer_one, last_units, 1) for _ in range(50)]

    outcomes = run_together(lambda order: services.order_submit(actor=dealer_admin, order=order), drafts)

    submitted = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, InsufficientStock)]
    assert (len(submitted), len(refused)) == (10, 40), [o for o in outcomes if not isinstance(o, Order)][:3]
    assert {o.status for o in submitted} == {S.APPROVED}
    assert all(r.data["lines"][0]["available"] == 0 for r in refused)
    statuses = Order.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True)
    assert sorted(statuses) == sorted([S.APPROVED] * 10 + [S.DRAFT] * 40)
    assert not Reservation.objects.filter(line__order__status=S.DRAFT).exists()
    level.refresh_from_db()
    assert (level.on_hand, level.reserved, level.available) == (10, 10, 0)
    assert Reservation.objects.filter(warehouse=shop.main, line__product=last_units).aggregate(s=Sum("quantity")) == {
        "s": 10
    }


def test_two_orders_that_together_pass_the_limit_are_never_both_approved(shop):
    for round_ in range(5):
        buyer = UserFactory(role=Role.DEALER_ADMIN, dealer=DealerFactory(code=f"C{round_:05d}"))
        authorize(buyer.dealer, shop.line)
        credit(buyer.dealer, "1000.00", warehouse=shop.main)
        pair = [draft(buyer, buyer.dealer, shop.kettle, 6) for _ in range(2)]  # 600 each

        outcomes = run_together(lambda order, user=buyer: services.order_submit(actor=user, order=order), pair)

        assert all(isinstance(o, Order) for o in outcomes), outcomes
        assert sorted(o.status for o in outcomes) == [S.APPROVED, S.PENDING_APPROVAL]
        pending = next(o for o in outcomes if o.status == S.PENDING_APPROVAL)
        assert [r["code"] for r in pending.approval_reasons] == ["credit_limit"]
        assert pending.approval_reasons[0]["exposure"] == "600.00"


def test_the_same_payment_reference_at_once_is_recorded_once(shop, hq_admin, dealer_admin, dealer_one):
    order = services.order_submit(actor=dealer_admin, order=draft(dealer_admin, dealer_one, shop.kettle, 10))
    services.order_ship(actor=hq_admin, order=order)

    def pay(_n):
        return services.payment_record(
            actor=hq_admin,
            dealer=dealer_one,
            amount="400.00",
            received_on=timezone.localdate(),
            reference="ICBC-20261126-001",
        )

    outcomes = run_together(pay, range(8))

    assert sum(isinstance(o, Payment) for o in outcomes) == 1
    assert sum(isinstance(o, PaymentReferenceTaken) for o in outcomes) == 7, outcomes
    assert Payment.objects.filter(dealer=dealer_one).count() == 1
    invoice = Invoice.objects.get(order=order)
    assert (invoice.paid_amount, invoice.status) == (Decimal("400.00"), Invoice.Status.PARTIALLY_PAID)
    assert PaymentAllocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] == Decimal("400.00")


def test_two_release_runs_at_once_release_each_expired_order_once(shop, dealer_admin, dealer_one):
    credit(dealer_one, "0.00", warehouse=shop.main)
    pending = [
        services.order_submit(actor=dealer_admin, order=draft(dealer_admin, dealer_one, shop.kettle, 3))
        for _ in range(6)
    ]
    assert {o.status for o in pending} == {S.PENDING_APPROVAL}
    assert StockLevel.objects.get(product=shop.kettle, warehouse=shop.main).reserved == 18
    later = timezone.now() + datetime.timedelta(hours=73)

    outcomes = run_together(lambda _n: services.orders_release_expired(now=later), range(2))

    assert sum(outcomes) == 6, outcomes
    assert set(Order.objects.filter(pk__in=[o.pk for o in pending]).values_list("status", flat=True)) == {S.DRAFT}
    level = StockLevel.objects.get(product=shop.kettle, warehouse=shop.main)
    assert (level.on_hand, level.reserved) == (100, 0)
    assert not Reservation.objects.exists()
    expired = Event.objects.filter(verb=verbs.ORDER_EXPIRED.code)
    assert sorted(expired.values_list("target_id", flat=True)) == sorted(str(o.pk) for o in pending)


def test_the_same_idempotency_key_sent_at_once_creates_one_order(shop, dealer_admin, dealer_one):
    body = {"lines": [{"product": shop.kettle.pk, "quantity": 2}, {"product": shop.oven.pk, "quantity": 4}]}

    def post(_n, payload=body):
        client = APIClient()
        client.force_authenticate(user=dealer_admin)
        return client.post("/api/v1/orders/", payload, format="json", HTTP_IDEMPOTENCY_KEY="erp-po-4711")

    outcomes = run_together(post, range(6))

    assert {r.status_code for r in outcomes} <= {201, 409}, [getattr(r, "content", r) for r in outcomes]
    created = [r.json() for r in outcomes if r.status_code == 201]
    assert created and all(b == created[0] for b in created)
    assert all(r.json()["code"] == "idempotency_request_in_progress" for r in outcomes if r.status_code == 409)
    assert Order.objects.filter(dealer=dealer_one).count() == 1
    replay = post(0)
    assert (replay.status_code, replay.json(), replay["Idempotent-Replayed"]) == (201, created[0], "true")
    other = post(0, {"lines": [{"product": shop.kettle.pk, "quantity": 3}]})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Order.objects.filter(dealer=dealer_one).count() == 1
